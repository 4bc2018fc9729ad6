// A suite on a SLURM cluster: the suite is planned and its run directories prepared exactly as for the local
// executor, then the runs that still need work go to the scheduler as one array job whose task i runs
// `mslk run-one <run i>`. Nothing trains in this process; `mslk ablate status` follows the tasks and `mslk report`
// reads their results from the store, as for local runs.
import {stat, writeFile} from 'node:fs/promises';
import {dirname} from 'node:path';
import {resolveDataRoot} from '../../datasets/data-root.js';
import {isGpuBackend} from '../../engine/backends.js';
import {writeFileAtomic} from '../../io/atomic-write.js';
import {mslkCommandLine, PACKAGE_ROOT} from '../../runs/self-command.js';
import {SlurmCommandError} from './scheduler.js';
import {MSLK_VERSION} from '../../version.js';
import {planSuite, prepareRunDirs, type PlannedRun, type SuitePlan} from '../plan.js';
import {planReport, type PlanReport, type ScheduledTask} from '../plan-status.js';
import {renderBatchScript} from './batch-script.js';
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
  /** The runs of the new array job, in task order ([] when every run is done, queued, running or failed). */
  runs: PlannedRun[];
  /** The batch script's text (null when nothing is submitted). */
  script: string | null;
  /** The submission record (null in a dry run or when nothing is submitted). */
  submission: SlurmSubmission | null;
  /** The merged resources. */
  resources: SlurmResources;
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
 * submissions, and submits the runs that still need work (runsToSubmit) as one array job: writes the run list and
 * the batch script into `<store>/suites/<suite>.slurm/` (submissions.ts), calls sbatch and records the job id.
 * Warns (onStage) for a store that looks node-local. Throws SuiteError for an invalid suite, a one-line Error for a
 * flag with a wrong format or an absent dataset, and SlurmCommandError when sbatch or scontrol cannot be run or
 * refuses the job (the run directories stay prepared; nothing is lost).
 */
export async function ablateOnSlurm(file: string, o: SlurmAblateOptions): Promise<SlurmAblateResult> {
  mergeSlurmResources(undefined, o.resources); // a flag of the wrong format fails before anything is planned
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
  if (runs.length === 0) return {plan, report, runs, script: null, submission: null, resources};

  const number = submissions.length + 1;
  const files = submissionFiles(plan.store, plan.suite, number);
  const script = renderBatchScript({
    suite: plan.suite, tasks: runs.length, resources, runList: files.runList, logPattern: files.logPattern,
    workDir: o.workDir ?? PACKAGE_ROOT, mslk: o.command ?? mslkCommandLine(),
    runOneArgs: ['--data-root', dataRoot, ...(o.backend && o.backend !== 'auto' ? ['--backend', o.backend] : [])],
    comment: `mslk ${MSLK_VERSION} suite ${plan.suite} (${plan.file}), submission ${number}: ${runs.length} run${runs.length === 1 ? '' : 's'}, one array task each; backend ${o.backend && o.backend !== 'auto' ? o.backend : 'auto (chosen on the node)'}`,
  });
  if (o.dryRun) return {plan, report, runs, script, submission: null, resources};

  await ensureOutputDir(dirname(files.logPattern));
  await writeFileAtomic(files.runList, runs.map((r) => r.dir).join('\n') + '\n');
  await writeFile(files.script, script, {mode: 0o755});
  o.onStage?.(`submitting ${runs.length} run${runs.length === 1 ? '' : 's'} with sbatch (${files.script})`);
  let jobId: string;
  try {
    jobId = await o.scheduler.submit(files.script);
  } catch (error) {
    if (!(error instanceof SlurmCommandError)) throw error;
    throw new SlurmCommandError(error.command, `${error.message}; nothing was submitted: check the cluster from here (\`sinfo\`) and the options, then run again (the batch script is kept at ${files.script})`, error.code);
  }
  const submission: SlurmSubmission = {
    jobId, number, submittedAt: new Date().toISOString(), script: files.script, logPattern: files.logPattern,
    runs: runs.map((r) => ({runId: r.runId, dir: r.dir})),
  };
  await recordSubmission(plan.store, plan.suite, submission);
  return {plan, report, runs, script, submission, resources};
}

/** Options of waitForSubmission. */
export interface WaitOptions {
  /** How often the scheduler is asked, ms; default 10 000. */
  pollMs?: number;
  signal?: AbortSignal;
  /** Each time the count of unfinished tasks changes. */
  onProgress?: (unfinished: number, total: number) => void;
}

/**
 * Waits until no task of `submission` is queued or running (asking the scheduler every pollMs), then resolves with
 * the tasks as they ended. Resolves early when `signal` aborts (the tasks go on).
 */
export async function waitForSubmission(submission: SlurmSubmission, scheduler: Scheduler, o: WaitOptions = {}): Promise<Map<string, ScheduledTask>> {
  let last = -1;
  for (;;) {
    const tasks = await runTasks([submission], scheduler);
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
