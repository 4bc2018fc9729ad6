// `mslk ablate` (and `mslk quickstart`) as one library call: plan the suite (every run resolved and validated
// before anything trains), prepare the run directories and the suite manifest, run the pending runs with the local
// executor (one child process per run, `jobs` at once), then read the results back.
import {planSuite, prepareRunDirs, type SuitePlan} from './plan.js';
import {formatDuration, planReport, type PlanReport} from './plan-status.js';
import {runSuite, type SuiteEvent, type SuiteSummary} from './local-executor.js';
import {suiteResults, type VariantResult} from './suite-results.js';

/** What ablateSuite needs besides the suite file. */
export interface AblateOptions {
  /** Folder of run directories (the run store). */
  store: string;
  dataRoot?: string;
  /** Child processes at once. */
  jobs: number;
  /** Time a few steps per distinct model for the plan's estimate (cached in the store). */
  estimate: boolean;
  /**
   * Measure each distinct model's batch-1 inference latency at its size into the store's calibration cache, for
   * `mslk report` (which only reads it); default: `estimate`.
   */
  latency?: boolean;
  /** Train runs whose status is failed again. */
  rerunFailed?: boolean;
  /**
   * Refuse a suite whose file has an `executor.slurm` block (it is meant for a cluster: training it here by accident
   * would occupy a login node); the CLI sets it when --executor was not given.
   */
  refuseClusterSuite?: boolean;
  /** Aborting stops the suite cleanly: running runs end partial, for the next call to resume. */
  signal?: AbortSignal;
  /** Progress messages for people (planning, calibration). */
  onStage?: (message: string) => void;
  /** The plan, once it is prepared and before anything trains. */
  onPlan?: (plan: SuitePlan, report: PlanReport) => void;
  /** Every run event of the executor. */
  onEvent?: (event: SuiteEvent) => void;
}

/** The plan as it was before training, how the runs went, and the results per variant. */
export interface AblateResult {
  plan: SuitePlan;
  report: PlanReport;
  summary: SuiteSummary;
  results: VariantResult[];
  /** Wall time of the executor (training and evaluating the pending runs), seconds: to set against report.estimatedSeconds. */
  seconds: number;
}

/** Why a suite with SLURM resources is not trained here without --executor (one line, with both fixes). */
export function clusterSuiteMessage(plan: Pick<SuitePlan, 'file'>): string {
  return `${plan.file} has an executor.slurm block (it is meant for a cluster): add --executor slurm to submit it to SLURM, or --executor local to train it here`;
}

/**
 * Plans, prepares and runs the suite `file`. Throws SuiteError (one line, exit code 2) for an invalid suite before
 * anything is written, a one-line Error for a suite with SLURM resources under `refuseClusterSuite`, and a one-line Error when a dataset of the suite is absent (prepareRunDirs). A failed run
 * does not throw: it is in `summary.failed`.
 */
export async function ablateSuite(file: string, o: AblateOptions): Promise<AblateResult> {
  const plan = await planSuite(file, {store: o.store, ...(o.dataRoot ? {dataRoot: o.dataRoot} : {}), ...(o.onStage ? {onStage: o.onStage} : {})});
  if (o.refuseClusterSuite && plan.executor?.slurm !== undefined) throw new Error(clusterSuiteMessage(plan));
  await prepareRunDirs(plan);
  const report = await planReport(plan, {jobs: o.jobs, estimate: o.estimate, latency: o.latency ?? o.estimate, writeCache: true, ...(o.onStage ? {onStage: o.onStage} : {})});
  o.onPlan?.(plan, report);
  const started = performance.now();
  const summary = await runSuite(plan, {
    jobs: o.jobs, rerunFailed: o.rerunFailed ?? false,
    ...(o.onEvent ? {onEvent: o.onEvent} : {}), ...(o.signal ? {signal: o.signal} : {}), ...(o.dataRoot ? {dataRoot: o.dataRoot} : {}),
  });
  const seconds = (performance.now() - started) / 1000;
  return {plan, report, summary, results: await suiteResults(plan.runs, report.rows), seconds};
}

/**
 * One line: how many runs were trained, reused, failed, partial, not started (after an interrupt: pending), owned
 * elsewhere; with `timing`, the executor's wall
 * time beside the plan's estimate (when it had one and something was trained), so every suite measures its estimate.
 */
export function formatSummary(plan: SuitePlan, summary: SuiteSummary, timing?: {seconds: number; estimatedSeconds: number | null}): string {
  const counts = `suite ${plan.suite}: ${summary.done.length} trained, ${summary.reused.length} already done, ${summary.failed.length} failed, ` +
    `${summary.partial.length} partial, ${summary.notStarted.length > 0 ? `${summary.notStarted.length} not started, ` : ''}` +
    `${summary.skipped.length} owned by other processes (store ${plan.store})`;
  if (timing === undefined || summary.done.length === 0) return counts;
  const estimate = timing.estimatedSeconds === null ? '' : `; the plan estimated ${formatDuration(timing.estimatedSeconds)}`;
  return `${counts}; ${formatDuration(timing.seconds).replace('about ', '')} of training and evaluation${estimate}`;
}
