// The batch script of a suite's SLURM array job: one array task per run, each running `mslk run-one <run dir>`,
// the command the local executor runs for a run, so a task trains and evaluates exactly one run and resumes it when
// it is partial. The run directories are listed in a file beside the script (line i + 1 is task i), which keeps the
// script short for a suite of hundreds of runs and lets it be read (and resubmitted by hand) as is.
import type {SlurmResources} from './resources.js';

/** What renderBatchScript needs. */
export interface BatchScriptInput {
  /** The suite's name (job name `mslk-<suite>`). */
  suite: string;
  /** Array tasks: one per line of runList. */
  tasks: number;
  resources: SlurmResources;
  /** Absolute path of the file listing one run directory per line. */
  runList: string;
  /** Absolute path pattern of each task's log (SLURM's %A = array job id, %a = task index; only in the file name). */
  logPattern: string;
  /** Working directory of the tasks (absolute). */
  workDir: string;
  /** The command line that runs mslk on the nodes (absolute paths: the nodes share the file system). */
  mslk: readonly string[];
  /** Extra arguments of every `mslk run-one` (e.g. --data-root, --backend). */
  runOneArgs: readonly string[];
  /** Environment variables every task gets (e.g. MSLK_DATA_ROOT). */
  env?: Readonly<Record<string, string>>;
  /** A comment line: who wrote the script and when. */
  comment: string;
}

/** `value` as one shell word: single-quoted unless it is plainly safe. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A path sbatch cannot read in an #SBATCH line (sbatchWord): bad input, exit 2. */
export class SbatchPathError extends Error {
  /** The usage exit code (src/cli/base-command.ts USAGE_EXIT_CODE), read by the base command. */
  readonly exitCode = 2;
}

/**
 * `value` as one word of an `#SBATCH` line. sbatch (22.05) splits these lines as a shell does, single and double
 * quotes included, so shellQuote's quoting reads back whole: a path with a space, a quote or a `$` stays one argument
 * (unquoted, `--output=/a b/...` is refused as "Invalid directive"). sbatch also reads a backslash as an escape inside
 * single quotes, where no quoting keeps it, and a line ends the directive: a path with either is refused, with `what`
 * (e.g. "the store") named: SbatchPathError. Tried on a real cluster: test/ablations/slurm-cluster.test.ts.
 */
export function sbatchWord(value: string, what: string): string {
  if (/[\\\n\r]/.test(value)) {
    const lineBreak = /[\n\r]/.test(value);
    throw new SbatchPathError(`${what} ${lineBreak ? JSON.stringify(value) : value} holds a ${lineBreak ? 'line break' : 'backslash'}, which sbatch cannot read in an #SBATCH line: use a path without one`);
  }
  return shellQuote(value);
}

/**
 * A file name pattern of sbatch --output for `dir`/`file`: `%` in dir doubled (sbatch reads `%x` in the pattern as
 * a replacement symbol, `%%` as `%`), `file` (which may use %A and %a) kept.
 */
export function outputPattern(logPattern: string): string {
  const slash = logPattern.lastIndexOf('/');
  return logPattern.slice(0, slash + 1).replace(/%/g, '%%') + logPattern.slice(slash + 1);
}

/** The sbatch option lines of `resources` (without the array, output and job name lines). */
export function sbatchOptions(resources: SlurmResources): string[] {
  const r = resources;
  return [
    ...(r.partition ? [`--partition=${r.partition}`] : []),
    ...(r.account ? [`--account=${r.account}`] : []),
    ...(r.qos ? [`--qos=${r.qos}`] : []),
    ...(r.time ? [`--time=${r.time}`] : []),
    ...(r.gres ? [`--gres=${r.gres}`] : []),
    `--cpus-per-task=${r.cpusPerTask ?? 1}`,
    ...(r.mem ? [`--mem=${r.mem}`] : []),
    ...(r.requeue ? ['--requeue'] : []),
    ...(r.sbatch ?? []),
  ];
}

/**
 * The batch script (bash) of the array job `--array=0-(tasks-1)%throttle`. Each task reads its run directory from
 * line SLURM_ARRAY_TASK_ID + 1 of runList, sets MSLK_THREADS to its cores and `exec`s mslk run-one, so SLURM's
 * SIGTERM (scancel, time limit, preemption) reaches mslk itself, which stops after its current step and writes its
 * checkpoint, and the task's exit code is mslk's (0 done, 1 failed, 75 owned by another process, 130 stopped).
 * Paths are quoted in the #SBATCH lines (sbatchWord) and in the script's body (shellQuote). The array's indexes are
 * 0..tasks-1: a caller splits a suite larger than the cluster's MaxArraySize into several scripts.
 * Throws when `tasks` < 1, and a one-line Error for a store or work folder path sbatch cannot read (sbatchWord).
 */
export function renderBatchScript(input: BatchScriptInput): string {
  if (input.tasks < 1) throw new Error('a batch script needs at least one run');
  const r = input.resources;
  const array = `--array=0-${input.tasks - 1}${r.throttle ? `%${r.throttle}` : ''}`;
  // open-mode=append: a requeued task adds to its log instead of wiping why it stopped the first time.
  const options = [`--job-name=${sbatchWord(`mslk-${input.suite}`, 'the suite name')}`, array, `--output=${sbatchWord(outputPattern(input.logPattern), 'the tasks\' log pattern')}`,
    '--open-mode=append', `--chdir=${sbatchWord(input.workDir, 'the tasks\' working folder (mslk\'s clone)')}`, ...sbatchOptions(r)];
  const env = Object.entries(input.env ?? {}).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  return [
    '#!/bin/bash',
    `# ${input.comment}`,
    ...options.map((o) => `#SBATCH ${o}`),
    // The site's setup first, outside `set -u`: environment modules (Lmod) read unset variables.
    ...(r.setup ?? []),
    'set -euo pipefail',
    ...env,
    `run_dir="$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" ${shellQuote(input.runList)})"`,
    'if [ -z "$run_dir" ]; then echo "mslk: no run for array task $SLURM_ARRAY_TASK_ID in the run list" >&2; exit 1; fi',
    'export MSLK_THREADS="${SLURM_CPUS_PER_TASK:-1}"',
    'echo "mslk: array task ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname): $run_dir" >&2',
    `exec ${input.mslk.map(shellQuote).join(' ')} run-one "$run_dir"${input.runOneArgs.map((a) => ` ${shellQuote(a)}`).join('')}`,
    '',
  ].join('\n');
}
