// What `mslk ablate --dry-run` and `mslk ablate status` show for each run of a plan: its state in the store, its
// cost (parameters, GFLOPs per image at the run's size) and an estimate of the time it still needs on this machine.
// The estimate is a calibration (a few training steps per distinct model config, size and batch, timed with the
// training step training runs; cached in <store>/.calibration.json with the backend and mslk version) times the
// steps the run still needs. It is rough: validation and evaluation are counted as a third of a training step per
// batch (a forward pass without the backward one), data loading and checkpoints are not counted.
// The same cache holds each model's batch-1 inference latency at a size, measured once here (by `ablate` and
// `ablate status` with the estimate on) and only read by `mslk report`, so that a report never depends on a timing
// taken while it is written.
import {mkdir, readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {activeBackendName} from '../engine/backends.js';
import {writeFileAtomic} from '../io/atomic-write.js';
import {canonicalJson, sha256Hex} from '../io/canonical-json.js';
import {labelVariant, type ModelConfig} from '../models/registry.js';
import {measureInferenceLatency, profileModel} from '../models/profile/profile.js';
import {describeProblems, unrecoverableReason, verifyRunFiles} from '../runs/checksums.js';
import {runLockOwner} from '../runs/lock.js';
import {RunDir} from '../runs/run-dir.js';
import {pendingTestSets} from '../runs/test-sets.js';
import {profileModelTraining} from '../training/profile-step.js';
import {MSLK_VERSION} from '../version.js';
import type {PlannedRun, SuitePlan} from './plan.js';

/**
 * Where a run stands in the store (and, for a suite on a cluster, in the scheduler's queue). `epoch` counts the
 * epochs in its log.jsonl; `task` names the cluster task that last ran it and its log (withScheduledTask).
 */
export type PlannedRunState =
  | {state: 'done'}
  | {state: 'to evaluate'; testSets: string[]}
  | {state: 'to repair'; reason: string}
  | {state: 'partial'; epoch: number; task?: string}
  | {state: 'running'; epoch: number; owner: string}
  | {state: 'failed'; epoch: number; reason: string; task?: string}
  | {state: 'queued'; task: string; reason: string}
  | {state: 'pending'}
  | {state: 'no data'; hint: string};

/**
 * What a cluster scheduler says of the task that trains a run (executor-neutral; slurm/run-tasks.ts makes it).
 * phase: 'queued' (waiting), 'running', 'completed', 'stopped' (cancelled, time limit, preempted: the run keeps its
 * checkpoint and resumes when resubmitted), 'failed' (crashed, out of memory, node failure), 'unknown' (the scheduler
 * no longer knows the task).
 */
export interface ScheduledTask {
  /** The task's id, e.g. `1234_5` (array job 1234, task 5). */
  id: string;
  phase: 'queued' | 'running' | 'completed' | 'stopped' | 'failed' | 'unknown';
  /** The scheduler's words: `PENDING (Priority)`, `CANCELLED`, `OUT_OF_MEMORY (exit 0:9)`. */
  detail: string;
  /** Node it runs or ran on ('' while queued). */
  node: string;
  /** Absolute path of the task's log. */
  log: string;
}

/**
 * A run's state in the store with its cluster task's on top: a queued task makes a not-yet-done run 'queued'; a
 * running one makes it 'running' on its node (the lock's pid added when it holds it); a task that ended without
 * finishing the run leaves it 'partial' (stopped: resumable) or makes it 'failed' (crashed), naming the task, its
 * state and its log. A done run, a run without data, and a run another process holds (not the task) are unchanged.
 */
export function withScheduledTask(state: PlannedRunState, task: ScheduledTask | undefined): PlannedRunState {
  if (task === undefined || state.state === 'done' || state.state === 'no data' || state.state === 'to evaluate' || state.state === 'to repair') return state;
  const where = `task ${task.id}${task.node ? ` on ${task.node}` : ''}`;
  const epoch = 'epoch' in state ? state.epoch : 0;
  const ended = `task ${task.id} ${task.detail}; log ${task.log}`;
  switch (task.phase) {
    case 'queued':
      return state.state === 'running' ? state : {state: 'queued', task: task.id, reason: task.detail};
    case 'running':
      if (state.state === 'running') return {...state, owner: `${where}, ${state.owner}`};
      return {state: 'running', epoch, owner: where};
    case 'completed':
      return state;
    case 'stopped':
    case 'unknown':
      if (state.state === 'failed') return {...state, task: ended};
      if (state.state === 'partial' || state.state === 'pending') return {state: 'partial', epoch, task: ended};
      return state;
    case 'failed':
      if (state.state === 'failed') return {...state, task: ended};
      if (state.state === 'partial' || state.state === 'pending') return {state: 'failed', epoch, reason: `task ${task.id} ${task.detail}`, task: `log ${task.log}`};
      return state;
  }
}

/** One row of the plan table. */
export interface PlanRow {
  variant: string;
  kind: 'variant' | 'baseline';
  dataset: string;
  fold: number | null;
  seed: number;
  runId: string;
  dir: string;
  status: PlannedRunState;
  /** Epochs done of epochs planned. */
  epochs: {done: number; total: number};
  /** Trainable and non-trainable parameters of the training-form model. */
  params: number;
  /** FLOPs (2 x MACs) of one image at the run's size, in units of 1e9. */
  gflops: number;
  /** Seconds the run still needs on this machine (0 when done), or null without an estimate. */
  estimatedSeconds: number | null;
  /**
   * What the estimate is timed from: 'epochs' (the median epoch of the plan's runs of the same model, size and batch
   * that have finished epochs: real training on this machine, data loading, validation and contention included),
   * 'calibration' (two timed training steps), or null (no estimate).
   */
  estimateFrom: 'epochs' | 'calibration' | null;
}

/** The plan with every run's row, and the estimated total. */
export interface PlanReport {
  suite: string;
  file: string;
  store: string;
  reference: string;
  backend: string;
  jobs: number;
  rows: PlanRow[];
  counts: Record<PlannedRunState['state'], number>;
  /** Sum of the rows' estimates divided by jobs, seconds; null when no run has an estimate. */
  estimatedSeconds: number | null;
  /** How many epochs the 'epochs' estimates are timed from (0 when every estimate is a calibration's). */
  timedEpochs: number;
}

/**
 * The state of one planned run in the store (reads status, log.jsonl, the lock and the extra test sets' summaries;
 * writes nothing). 'to evaluate': trained, but an extra test set of the suite has no summary yet. A done run's files
 * are compared with its checksums.json (checksums.ts): 'to repair' when an evaluation file changed or is gone (the
 * executor evaluates the checkpoint again), 'failed' with the reason when a file that cannot be recomputed did.
 */
export async function plannedRunState(run: Pick<PlannedRun, 'missingData' | 'dir' | 'config' | 'testSets'>): Promise<PlannedRunState> {
  if (run.dir === '') return {state: 'no data', hint: run.missingData ?? 'the dataset is not on this machine'};
  const dir = new RunDir(run.dir);
  const status = await dir.status();
  if (status?.state === 'done') {
    // Its files against checksums.json (checkpoints aside: they are verified before they are evaluated again).
    const verification = await verifyRunFiles(run.dir, {checkpoints: false});
    const lost = unrecoverableReason(run.dir, verification);
    if (lost !== undefined) return {state: 'failed', epoch: (await dir.logLines()).length, reason: lost};
    const damaged = verification.problems.filter((p) => p.recomputable);
    if (damaged.length > 0) return {state: 'to repair', reason: describeProblems(damaged)};
    const pending = await pendingTestSets(run.dir, run.config.eval.checkpoint, run.testSets);
    if (pending.length === 0) return {state: 'done'};
    if (run.missingData !== null) return {state: 'no data', hint: run.missingData};
    return {state: 'to evaluate', testSets: pending.map((s) => s.name)};
  }
  if (run.missingData !== null) return {state: 'no data', hint: run.missingData};
  const epoch = (await dir.logLines()).length;
  const owner = await runLockOwner(run.dir);
  if (owner) return {state: 'running', epoch, owner: `pid ${owner.pid} on ${owner.host}`};
  if (status?.state === 'failed') return {state: 'failed', epoch, reason: status.reason};
  // 'partial' with no epoch logged: interrupted inside its first epoch, with a checkpoint there to resume from.
  if (status?.state === 'running' || status?.state === 'partial' || epoch > 0) return {state: 'partial', epoch};
  return {state: 'pending'};
}

/** One calibration: the model's counts at a size, and its training step's median time at a batch. */
export interface Calibration {
  params: number;
  flops: number;
  /** Median ms of one training step; absent when only counts were asked for. */
  stepMs?: number;
  /**
   * Median ms of one batch-1 inference of the inference form (fused) on the entry's backend, over
   * LATENCY_TIMING's runs after its warm-up; kept in the entry of batch 1 only (latency does not depend on the
   * training batch). Absent until `ModelCalibration.latency` measured it (caches written before it existed lack it).
   */
  latencyMs?: number;
}

/**
 * How a calibration times inference: 2 warm-up passes, then 30 timed batch-1 passes, stopping after 10 once 5 s
 * are spent (conventions.md asks for >= 30 runs; a planning step on a busy machine takes at most the budget for
 * a slow model).
 */
export const LATENCY_TIMING = {warmup: 2, runs: 30, minRuns: 10, budgetMs: 5000} as const;

type CalibrationCache = Record<string, Calibration>;

/**
 * The key of one calibration in the cache: SHA-256 of the canonical JSON of the model config, size, batch, backend
 * and mslk version (a new version or backend calibrates afresh).
 */
export function calibrationKey(model: ModelConfig, size: number, batch: number, backend: string): string {
  return sha256Hex(canonicalJson({model, size, batch, backend, mslk: MSLK_VERSION}));
}

/** The calibration cache file of a store. */
export function calibrationPath(store: string): string {
  return join(store, '.calibration.json');
}

async function readCache(store: string): Promise<CalibrationCache> {
  try {
    const parsed = JSON.parse(await readFile(calibrationPath(store), 'utf8')) as {entries?: CalibrationCache};
    return parsed.entries ?? {};
  } catch {
    return {};
  }
}

/** The training hyper-parameters a timed calibration uses (the run config's `train`). */
type TrainOptions = PlannedRun['config']['train'];

/**
 * Model costs on the active backend, cached per distinct (model, size, batch) in `<store>/.calibration.json`
 * (shared by `ablate` and `report`, so a model is counted once per store). `calibrate` counts parameters and FLOPs,
 * and with `timed` also times two training steps; `latency` measures the batch-1 inference latency (ms) once per
 * (model, size) and `cachedLatency` only reads it (undefined when never measured on this backend and mslk version);
 * `save` writes the cache when something was added.
 */
export interface ModelCalibration {
  calibrate(model: ModelConfig, size: number, batch: number, train: TrainOptions, timed: boolean): Promise<Calibration>;
  latency(model: ModelConfig, size: number): Promise<number>;
  cachedLatency(model: ModelConfig, size: number): number | undefined;
  save(): Promise<void>;
}

/** Opens the calibration cache of `store` (an absent or unreadable cache starts empty). */
export async function openCalibration(store: string, onStage?: (m: string) => void): Promise<ModelCalibration> {
  const backend = activeBackendName();
  const cache = await readCache(store);
  let changed = false;
  const keyOf = (model: ModelConfig, size: number, batch: number) => calibrationKey(model, size, batch, backend);
  const counts = async (model: ModelConfig, size: number, batch: number): Promise<Calibration> => {
    const profile = await profileModel(model, {size, batch, latencyRuns: 0, trainSteps: 0, countsOnly: true, budgetMs: 0});
    return {params: profile.unfused.params.total, flops: profile.unfused.flops};
  };
  return {
    async calibrate(model, size, batch, train, timed) {
      const key = keyOf(model, size, batch);
      const cached = cache[key];
      if (cached && (!timed || cached.stepMs !== undefined)) return cached;
      let entry: Calibration;
      if (timed) {
        onStage?.(`calibrating ${model.model} at ${size} px, batch ${batch} (2 training steps)`);
        const profile = await profileModelTraining(model, {size, batch, latencyRuns: 2, trainSteps: 2, countsOnly: false, budgetMs: 1}, train);
        entry = {params: profile.unfused.params.total, flops: profile.unfused.flops,
          ...(profile.unfused.trainStep ? {stepMs: profile.unfused.trainStep.medianMs} : {})};
      } else {
        entry = await counts(model, size, batch);
      }
      // Keep what the entry already had (a latency measured before the step was timed).
      const updated: Calibration = {...cached, ...entry};
      cache[key] = updated;
      changed = true;
      return updated;
    },
    async latency(model, size) {
      const key = keyOf(model, size, 1);
      const cached = cache[key];
      if (cached?.latencyMs !== undefined) return cached.latencyMs;
      onStage?.(`measuring the inference latency of ${model.model} at ${size} px (batch 1)`);
      const timing = await measureInferenceLatency(model, size, {...LATENCY_TIMING, label: `batch-1 inference at ${size}x${size}`});
      cache[key] = {...cached ?? await counts(model, size, 1), latencyMs: timing.medianMs};
      changed = true;
      return timing.medianMs;
    },
    cachedLatency(model, size) {
      return cache[keyOf(model, size, 1)]?.latencyMs;
    },
    async save() {
      if (!changed) return;
      await mkdir(store, {recursive: true});
      await writeFileAtomic(calibrationPath(store), JSON.stringify({formatVersion: 1, entries: cache}, null, 2) + '\n');
      changed = false;
    },
  };
}

/** The batch a run trains with: its config's batch size, at most its training images (at least 1). */
export function effectiveBatch(batchSize: number, trainImages: number | undefined): number {
  return Math.max(1, Math.min(batchSize, trainImages ?? batchSize));
}

/**
 * Rows of the plan. With `estimate`, times a few training steps of every distinct (model, size, batch) not yet in
 * `<store>/.calibration.json` on the active backend and adds them there; without it only counts parameters and
 * FLOPs (cached the same way, when the store exists or `writeCache` is set). With `latency` (default: `estimate`),
 * also measures the batch-1 inference latency of every distinct (model, size) of the plan that the cache lacks,
 * done runs included (what `mslk report` shows). `jobs` divides the total.
 */
export async function planReport(plan: SuitePlan, options: {
  jobs: number; estimate: boolean; latency?: boolean; writeCache: boolean; onStage?: (m: string) => void;
  /** The cluster task of each run (run id -> task), merged into its state by withScheduledTask. */
  tasks?: ReadonlyMap<string, ScheduledTask>;
}): Promise<PlanReport> {
  const backend = activeBackendName();
  const calibration = await openCalibration(plan.store, options.onStage);
  const calibrate = calibration.calibrate;
  const rows: PlanRow[] = [];
  const measured = options.estimate ? await measuredEpochSeconds(plan.runs) : new Map<string, number[]>();
  /** The epochKeys whose measured epochs timed some row. */
  const timedKeys = new Set<string>();
  for (const run of plan.runs) {
    const status = withScheduledTask(await plannedRunState(run), options.tasks?.get(run.runId));
    const {config} = run;
    const batch = effectiveBatch(config.train.batchSize, run.images?.train);
    const trained = status.state === 'done' || status.state === 'to evaluate' || status.state === 'to repair';
    const needsTime = options.estimate && run.images !== null && !trained;
    const cost = await calibrate(config.model, config.data.size, batch, config.train, needsTime);
    if (options.latency ?? options.estimate) await calibration.latency(config.model, config.data.size);
    const done = trained ? config.train.epochs : 'epoch' in status ? status.epoch : 0;
    let estimatedSeconds: number | null = status.state === 'done' ? 0 : null;
    let estimateFrom: PlanRow['estimateFrom'] = null;
    if (needsTime && run.images) {
      const {train, validation, test} = run.images;
      const steps = (n: number) => Math.ceil(n / batch);
      const perEpoch = steps(train) + steps(validation) / 3;
      const remaining = Math.max(0, config.train.epochs - done) * perEpoch + (steps(validation) + steps(test)) / 3;
      const key = epochKey(run);
      const epochs = measured.get(key);
      // A step's time from real epochs when the plan has some (an epoch is perEpoch step-equivalents), else calibrated.
      const stepMs = epochs !== undefined ? (median(epochs) * 1000) / perEpoch : cost.stepMs;
      if (stepMs !== undefined) {
        estimatedSeconds = (remaining * stepMs) / 1000;
        estimateFrom = epochs !== undefined ? 'epochs' : 'calibration';
        if (epochs !== undefined) timedKeys.add(key);
      }
    }
    rows.push({variant: labelVariant(run.variant, run.config.model), kind: run.kind, dataset: run.dataset, fold: run.fold, seed: run.seed, runId: run.runId, dir: run.dir,
      status, epochs: {done, total: config.train.epochs}, params: cost.params, gflops: cost.flops / 1e9, estimatedSeconds, estimateFrom});
  }
  if (options.writeCache) await calibration.save();
  const counts = {done: 0, 'to evaluate': 0, 'to repair': 0, partial: 0, running: 0, failed: 0, queued: 0, pending: 0, 'no data': 0};
  for (const r of rows) counts[r.status.state] += 1;
  const estimates = rows.map((r) => r.estimatedSeconds).filter((s): s is number => s !== null);
  const timedEpochs = [...timedKeys].reduce((n, key) => n + measured.get(key)!.length, 0);
  return {suite: plan.suite, file: plan.file, store: plan.store, reference: plan.reference, backend, jobs: options.jobs, rows, counts,
    estimatedSeconds: estimates.length > 0 ? estimates.reduce((a, b) => a + b, 0) / Math.max(1, options.jobs) : null, timedEpochs};
}

/** The key runs share an epoch time under: the model config, size and training batch. */
function epochKey(run: Pick<PlannedRun, 'config' | 'images'>): string {
  return canonicalJson({model: run.config.model, size: run.config.data.size, batch: effectiveBatch(run.config.train.batchSize, run.images?.train)});
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The wall seconds of every finished epoch (log.jsonl's `seconds`: training and validation) of the plan's runs, per
 * epochKey: what the estimate of a run of the same model, size and batch is timed from once the suite has trained
 * some. Unreadable lines are skipped.
 */
export async function measuredEpochSeconds(runs: readonly PlannedRun[]): Promise<Map<string, number[]>> {
  const seconds = new Map<string, number[]>();
  for (const run of runs) {
    if (run.dir === '') continue;
    for (const line of await new RunDir(run.dir).logLines().catch(() => [] as string[])) {
      let entry: {seconds?: unknown};
      try {
        entry = JSON.parse(line) as {seconds?: unknown};
      } catch {
        continue;
      }
      if (typeof entry.seconds !== 'number' || !(entry.seconds > 0)) continue;
      const key = epochKey(run);
      seconds.set(key, [...seconds.get(key) ?? [], entry.seconds]);
    }
  }
  return seconds;
}

/** "about 14 h", "about 25 min", "about 40 s". */
export function formatDuration(seconds: number): string {
  if (seconds >= 5400) return `about ${Math.round(seconds / 3600)} h`;
  if (seconds >= 90) return `about ${Math.round(seconds / 60)} min`;
  return `about ${Math.max(1, Math.round(seconds))} s`;
}

/** The status column: done / partial at epoch k / running (owner) / failed: reason / queued (task) / pending / no data (how). */
export function formatState(s: PlannedRunState): string {
  switch (s.state) {
    case 'done': return 'done';
    case 'to evaluate': return `trained; to evaluate on ${s.testSets.join(', ')}`;
    case 'to repair': return `trained; ${s.reason}: to evaluate again from its checkpoint`;
    case 'partial': return `partial at epoch ${s.epoch}${s.task ? ` (${s.task})` : ''}`;
    case 'running': return `running (${s.owner}, epoch ${s.epoch})`;
    case 'failed': return `failed: ${s.reason}${s.task ? ` (${s.task})` : ''}`;
    case 'queued': return `queued (task ${s.task}: ${s.reason})`;
    case 'pending': return 'pending';
    case 'no data': return `no data: ${s.hint}`;
  }
}
