// A suite on a SLURM cluster: the suite is planned and its run directories prepared exactly as for the local
// executor, then the runs that still need work go to the scheduler as array jobs whose task i runs
// `mslk run-one <run i>`: one array job, or several where the suite has more runs than the cluster's MaxArraySize. Nothing trains in this process; `mslk ablate status` follows the tasks and `mslk report`
// reads their results from the store, as for local runs.
import {stat, writeFile} from 'node:fs/promises';
import {dirname, resolve} from 'node:path';
import {resolveDataRoot} from '../../datasets/data-root.js';
import {isGpuBackend} from '../../engine/backends.js';
import {writeFileAtomic} from '../../io/atomic-write.js';
import {mslkCommandLine, PACKAGE_ROOT} from '../../runs/self-command.js';
import {DEFAULT_MAX_ARRAY_SIZE, SlurmCommandError} from './scheduler.js';
import {MSLK_VERSION} from '../../version.js';
import {planSuite, prepareRunDirs, type PlannedRun, type SuitePlan} from '../plan.js';
import {planReport, type PlanReport, type ScheduledTask} from '../plan-status.js';
import {renderBatchScript, sbatchWord} from './batch-script.js';
import {mergeSlurmResources, type SlurmResources} from './resources.js';
import {runTasks} from './run-tasks.js';
import type {Scheduler} from './scheduler.js';
import {nodeLocalStoreWarning} from './shared-store.js';
import {readSubmissions, recordSubmission, submissionFiles, type SlurmSubmission} from './submissions.js';
import {ensureOutputDir} from '../../io/output-dir.js';

/** What ablateOnSlurm needs besides the suite file. */
export interface SlurmAblateOptions {
  /** Folder of run directories (the run store): on a file system every node mounts. */
  store: string;
  /** Where datasets are cached (default MSLK_DATA_ROOT or the user cache); passed to every task. */
  dataRoot?: string;
  /** Resources from flags, on top of the suite's `executor.slurm` (mergeSlurmResources). */
  resources: SlurmResources;
  /** Submit runs whose status is failed too. */
  rerunFailed: boolean;
  /** Show the plan and the batch script; write and submit nothing. */
  dryRun: boolean;
  /** Measure each model's batch-1 latency here for `mslk report` (the calibration cache). */
  latency: boolean;
  /** Passed to every task's `mslk run-one --backend`. */
  backend?: string;
  scheduler: Scheduler;
  /** The command line that runs mslk on the nodes (default mslkCommandLine()). */
  command?: readonly string[];
  /** The tasks' working directory (default mslk's package root, which the nodes see: they run its code). */
  workDir?: string;
  onStage?: (message: string) => void;
}

/** The plan with the scheduler's view, and what was (or, in a dry run, would be) submitted. */
export interface SlurmAblateResult {
  plan: SuitePlan;
  /** Every run's state, the cluster tasks of earlier submissions merged in. */
  report: PlanReport;
  /** The runs of the new array jobs, in task order ([] when every run is done, queued, running or failed). */
  runs: PlannedRun[];
  /** The new array jobs: their runs (task i trains runs[i]) and batch scripts ([] when nothing is submitted). */
  arrays: Array<{runs: PlannedRun[]; script: string}>;
  /** The submission records, one per array job ([] in a dry run or when nothing is submitted). */
  submissions: SlurmSubmission[];
  /** The cluster's MaxArraySize the runs were split by (DEFAULT_MAX_ARRAY_SIZE in a dry run that cannot ask). */
  maxArraySize: number;
  /** The merged resources. */
  resources: SlurmResources;
}

/**
 * `runs` in array jobs of at most `maxArraySize` tasks each (indexes 0..n-1 below the cluster's MaxArraySize), in
 * order. Throws a one-line Error when maxArraySize < 1 (the cluster allows no array jobs).
 */
export function splitIntoArrays<T>(runs: readonly T[], maxArraySize: number): T[][] {
  if (maxArraySize < 1) {
    throw new Error('this cluster allows no job arrays (MaxArraySize = 0 in `scontrol show config`), and mslk submits a suite as array jobs: ask its admins for MaxArraySize >= 1, or train here with --executor local');
  }
  const arrays: T[][] = [];
  for (let i = 0; i < runs.length; i += maxArraySize) arrays.push(runs.slice(i, i + maxArraySize));
  return arrays;
}

/**
 * The runs a new submission takes, in plan order: those pending, partial or to evaluate, and failed ones with
 * `rerunFailed`. Runs done, queued, running (a task or another process holds them) or without data are left.
 */
export function runsToSubmit(plan: SuitePlan, report: PlanReport, rerunFailed: boolean): PlannedRun[] {
  const wanted = new Set(report.rows.filter((r) => {
    const s = r.status.state;
    return s === 'pending' || s === 'partial' || s === 'to evaluate' || s === 'to repair' || (s === 'failed' && rerunFailed);
  }).map((r) => r.runId));
  return plan.runs.filter((r) => wanted.has(r.runId));
}

/** The cluster tasks of the suite's earlier submissions (an empty map when it has none). */
export async function suiteTasks(plan: SuitePlan, scheduler: Scheduler): Promise<Map<string, ScheduledTask>> {
  return runTasks(await readSubmissions(plan.store, plan.suite), scheduler);
}

/**
 * Plans the suite `file`, prepares its run directories (not in a dry run), merges the scheduler's view of earlier
 * submissions, and submits the runs that still need work (runsToSubmit) as array jobs of at most the cluster's
 * MaxArraySize tasks (read from `scontrol show config`; one array job unless the suite is larger). Each array job is
 * a submission of its own in `<store>/suites/<suite>.slurm/` (submissions.ts: run list, batch script, job id), so
 * `ablate status` and `--wait` follow every one. With a throttle, each array job waits for the one before it
 * (afterany), so that at most `throttle` runs of the suite train at once, as one array's `%throttle` says.
 * Warns (onStage) for a store that looks node-local. Throws SuiteError for an invalid suite, a one-line Error for a
 * flag with a wrong format, an absent dataset or a store path sbatch cannot read (sbatchWord), and
 * SlurmCommandError when sbatch or scontrol cannot be run or refuses a job (the run directories stay prepared, the
 * array jobs submitted before it are recorded; nothing is lost).
 */
export async function ablateOnSlurm(file: string, o: SlurmAblateOptions): Promise<SlurmAblateResult> {
  mergeSlurmResources(undefined, o.resources); // a flag of the wrong format fails before anything is planned
  sbatchWord(resolve(o.store), 'the store (--store)'); // a store sbatch cannot read fails before anything is prepared
  const plan = await planSuite(file, {store: o.store, ...(o.dataRoot ? {dataRoot: o.dataRoot} : {}), ...(o.onStage ? {onStage: o.onStage} : {})});
  const resources = mergeSlurmResources(plan.executor?.slurm, o.resources);
  const dataRoot = resolveDataRoot(o.dataRoot);
  for (const warning of [nodeLocalStoreWarning(plan.store), nodeLocalStoreWarning(dataRoot, process.env, undefined, 'the data root', '--data-root')]) {
    if (warning !== null) o.onStage?.(warning);
  }
  if (resources.gres !== undefined && /(^|,)gpu/.test(resources.gres) && !isGpuBackend(o.backend)) {
    o.onStage?.(`warning: the runs ask for a GPU (gres ${resources.gres}) but ${o.backend === undefined || o.backend === 'auto' ? 'choose their backend on the node (auto: tensorflow where @tensorflow/tfjs-node-gpu finds CUDA 11.2, webgpu where Vulkan finds a GPU, else a CPU backend)' : `train on ${o.backend}, a CPU backend`}; pass --backend webgpu (a Vulkan driver on the nodes) or --backend tensorflow (CUDA 11.2 + cuDNN 8.1) to require the GPU`);
  }
  if (!o.dryRun) await prepareRunDirs(plan);
  const submissions = await readSubmissions(plan.store, plan.suite);
  const tasks = await runTasks(submissions, o.scheduler);
  // The login node's speed says nothing of the nodes': no training estimate. Latency is measured for reports.
  const report = await planReport(plan, {jobs: resources.throttle ?? Math.max(1, plan.runs.length), estimate: false, latency: o.latency,
    // A dry run writes nothing, but the calibration cache of a store that exists.
    writeCache: !o.dryRun || ((await stat(plan.store).catch(() => undefined))?.isDirectory() ?? false), tasks,
    ...(o.onStage ? {onStage: o.onStage} : {})});
  const runs = runsToSubmit(plan, report, o.rerunFailed);
  const none = {plan, report, runs, arrays: [], submissions: [], resources};
  if (runs.length === 0) return {...none, maxArraySize: DEFAULT_MAX_ARRAY_SIZE};

  const maxArraySize = await clusterMaxArraySize(o);
  const first = submissions.length + 1;
  const backend = o.backend && o.backend !== 'auto' ? o.backend : undefined;
  const parts = splitIntoArrays(runs, maxArraySize);
  const arrays = parts.map((part, i) => {
    const number = first + i;
    const files = submissionFiles(plan.store, plan.suite, number);
    const of = parts.length > 1 ? `, array ${i + 1} of ${parts.length} (MaxArraySize ${maxArraySize})` : '';
    const script = renderBatchScript({
      suite: plan.suite, tasks: part.length, resources, runList: files.runList, logPattern: files.logPattern,
      workDir: o.workDir ?? PACKAGE_ROOT, mslk: o.command ?? mslkCommandLine(),
      runOneArgs: ['--data-root', dataRoot, ...(backend ? ['--backend', backend] : [])],
      comment: `mslk ${MSLK_VERSION} suite ${plan.suite} (${plan.file}), submission ${number}${of}: ${part.length} run${part.length === 1 ? '' : 's'}, one array task each; backend ${backend ?? 'auto (chosen on the node)'}`,
    });
    return {runs: part, script, files, number};
  });
  const result = {plan, report, runs, arrays: arrays.map((a) => ({runs: a.runs, script: a.script})), maxArraySize, resources};
  if (o.dryRun) return {...result, submissions: []};

  const submitted: SlurmSubmission[] = [];
  for (const array of arrays) {
    const {files} = array;
    await ensureOutputDir(dirname(files.logPattern));
    await writeFileAtomic(files.runList, array.runs.map((r) => r.dir).join('\n') + '\n');
    await writeFile(files.script, array.script, {mode: 0o755});
    o.onStage?.(`submitting ${array.runs.length} run${array.runs.length === 1 ? '' : 's'} with sbatch (${files.script})`);
    // One throttle for the suite: each array waits for the one before it.
    const previous = submitted.at(-1);
    let jobId: string;
    try {
      jobId = await o.scheduler.submit(files.script, resources.throttle !== undefined && previous !== undefined ? {after: [previous.jobId]} : {});
    } catch (error) {
      if (!(error instanceof SlurmCommandError)) throw error;
      const done = submitted.length === 0 ? 'nothing was submitted'
        : `array job${submitted.length === 1 ? '' : 's'} ${submitted.map((s) => s.jobId).join(', ')} (${submitted.reduce((n, s) => n + s.runs.length, 0)} runs) went in, the other ${runs.length - submitted.reduce((n, s) => n + s.runs.length, 0)} runs did not`;
      throw new SlurmCommandError(error.command, `${error.message}; ${done}: check the cluster from here (\`sinfo\`) and the options, then run again (the batch script is kept at ${files.script})`, error.code);
    }
    const submission: SlurmSubmission = {
      jobId, number: array.number, submittedAt: new Date().toISOString(), script: files.script, logPattern: files.logPattern,
      runs: array.runs.map((r) => ({runId: r.runId, dir: r.dir})),
    };
    await recordSubmission(plan.store, plan.suite, submission);
    submitted.push(submission);
  }
  return {...result, submissions: submitted};
}

/**
 * The cluster's MaxArraySize. A dry run that cannot ask (no SLURM here) splits by SLURM's default and says so; a
 * submission cannot go on without it (SlurmCommandError).
 */
async function clusterMaxArraySize(o: SlurmAblateOptions): Promise<number> {
  try {
    return await o.scheduler.maxArraySize();
  } catch (error) {
    if (!(error instanceof SlurmCommandError)) throw error;
    if (!o.dryRun) throw new SlurmCommandError(error.command, `${error.message}; nothing was submitted (the cluster's MaxArraySize decides how the runs are split into array jobs): check the cluster from here (\`sinfo\`), then run again`, error.code);
    o.onStage?.(`warning: could not read the cluster's MaxArraySize (${error.message}): the scripts assume SLURM's default, ${DEFAULT_MAX_ARRAY_SIZE}`);
    return DEFAULT_MAX_ARRAY_SIZE;
  }
}

/** Options of waitForSubmissions. */
export interface WaitOptions {
  /** How often the scheduler is asked, ms; default 10 000. */
  pollMs?: number;
  signal?: AbortSignal;
  /** Each time the count of unfinished tasks changes. */
  onProgress?: (unfinished: number, total: number) => void;
}

/**
 * Waits until no task of `submissions` (the array jobs of one `ablate`) is queued or running (asking the scheduler
 * every pollMs), then resolves with the tasks as they ended (run id -> task). Resolves early when `signal` aborts
 * (the tasks go on).
 */
export async function waitForSubmissions(submissions: readonly SlurmSubmission[], scheduler: Scheduler, o: WaitOptions = {}): Promise<Map<string, ScheduledTask>> {
  let last = -1;
  for (;;) {
    const tasks = await runTasks(submissions, scheduler);
    const unfinished = [...tasks.values()].filter((t) => t.phase === 'queued' || t.phase === 'running').length;
    if (unfinished !== last) o.onProgress?.(unfinished, tasks.size);
    last = unfinished;
    if (unfinished === 0 || o.signal?.aborted) return tasks;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, o.pollMs ?? 10_000);
      o.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, {once: true});
    });
  }
}
