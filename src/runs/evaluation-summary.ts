// One evaluation summary format for every evaluated (split, checkpoint) of a run, written by one function for
// training and `mslk eval` alike (after nnU-Net's summary.json: the means beside the per-case rows):
//   eval/<split>-<checkpoint>.json   EvaluationSummary: every metric as the per-image mean and std at each image's
//                                    original resolution, HD95 over non-empty pairs, pooled Dice/IoU (secondary)
//   eval/<split>-<checkpoint>.csv    one row per image (src/evaluation/csv.ts), from which any aggregate follows
//   eval/external/<set>-<checkpoint>.json and .csv
//                                    the same for an extra test set (a dataset the run never trained on: the
//                                    cross-dataset protocol of a suite's `evaluate`, see test-sets.ts)
//   metrics.json                     RunMetricsIndex: which summaries training wrote and which is the headline
// Format version 2. Version 1 (mslk 0.1.0 before this file: metrics.json with `splits`, per-image.csv,
// eval-<split>-<checkpoint>.json) is still read, see legacy-evaluation.ts.
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {writeFileAtomic} from '../io/atomic-write.js';
import {aggregateMetrics, perImageCsv, type AggregateMetrics, type NamedPerImageMetrics} from '../evaluation/index.js';
import {activeBackendName, activeGpuAdapter} from '../engine/backends.js';
import type {GpuAdapterRecord} from '../engine/webgpu.js';
import {MSLK_VERSION} from '../version.js';
import {readLegacyEvaluation} from './legacy-evaluation.js';
import {RUN_FILES, type RunDir} from './run-dir.js';

/** The version of the evaluation files this mslk writes (summaries and metrics.json carry it). */
export const EVALUATION_FORMAT_VERSION = 2;

/** A split that runs are evaluated on. */
export type EvaluatedSplit = 'validation' | 'test';
/** A run's checkpoints. */
export type CheckpointName = 'last' | 'best';

/** The summary of one evaluation: one split of one run at one checkpoint. */
export interface EvaluationSummary {
  formatVersion: typeof EVALUATION_FORMAT_VERSION;
  runId: string;
  split: EvaluatedSplit;
  checkpoint: CheckpointName;
  /** Epochs completed when the checkpoint was written. */
  epoch: number;
  /** Foreground where the sigmoid probability >= threshold. */
  threshold: number;
  /** Metrics are computed at each image's original resolution (the probability map is resized back first). */
  resolution: 'original';
  /** Number of images evaluated. */
  images: number;
  /** Headline shortcuts: mDice and mIoU, the per-image means of `metrics.perImageMean` (null when no image). */
  dice: number | null;
  iou: number | null;
  /** Per-image means and sample stds (primary), HD95 over non-empty pairs, pooled Dice/IoU (secondary). */
  metrics: AggregateMetrics;
  /** The per-image CSV, relative to the run directory; null only for the validation split of format-1 runs. */
  perImageCsv: string | null;
  /**
   * Present for an extra test set (split 'test' means: every image of that dataset): its name as the suite gives it,
   * the dataset it resolved to (registry name or absolute folder) and the prepared data's fingerprint.
   */
  testSet?: ExternalTestSetIdentity;
  /**
   * The backend the predictions were computed on, and on webgpu its adapter (`mslk eval` may run on another backend
   * than training did: the manifest then names the training's). Absent in files written before mslk recorded it.
   */
  computedOn?: {backend: string; gpuAdapter?: GpuAdapterRecord};
}

/** Which extra test set an evaluation is of (see EvaluationSummary.testSet). */
export interface ExternalTestSetIdentity {
  name: string;
  dataset: string;
  fingerprint: string;
}

/** metrics.json: the evaluations training wrote (relative paths) and the one that is the run's headline. */
export interface RunMetricsIndex {
  formatVersion: typeof EVALUATION_FORMAT_VERSION;
  runId: string;
  /** The test split at the run's eval.checkpoint; null when the split has no test images. */
  headline: {split: EvaluatedSplit; checkpoint: CheckpointName; summary: string} | null;
  evaluations: Array<{split: EvaluatedSplit; checkpoint: CheckpointName; summary: string; perImageCsv: string; testSet?: string}>;
}

/**
 * The files of one evaluation, relative to the run directory: `eval/<split>-<checkpoint>.json` and `.csv`, or for an
 * extra test set `eval/external/<testSetStem(name)>-<checkpoint>.json` and `.csv`.
 */
export function evaluationFiles(split: EvaluatedSplit, checkpoint: CheckpointName, testSet?: string): {summary: string; perImageCsv: string} {
  const stem = testSet === undefined ? `${RUN_FILES.evaluations}/${split}-${checkpoint}` : `${RUN_FILES.evaluations}/external/${testSetStem(testSet)}-${checkpoint}`;
  return {summary: `${stem}.json`, perImageCsv: `${stem}.csv`};
}

/**
 * The file-name stem of an extra test set: its last path segment (a folder's name; a registry name is itself), with
 * every character outside [A-Za-z0-9._-] replaced by '-'. Suites refuse two test sets of one dataset with one stem.
 */
export function testSetStem(name: string): string {
  const last = name.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? name;
  const stem = last.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '');
  return stem === '' ? 'test-set' : stem;
}

/** What writeEvaluation wrote: the summary, and the absolute paths of its two files. */
export interface WrittenEvaluation {
  summary: EvaluationSummary;
  files: {summary: string; perImageCsv: string};
}

/** One evaluation to write: its identity and the per-image metrics of its images. */
export interface WriteEvaluationOptions {
  runId: string;
  split: EvaluatedSplit;
  checkpoint: CheckpointName;
  /** Epochs completed by the checkpoint. */
  epoch: number;
  threshold: number;
  /** Per-image metrics at original resolution, in the split's order (which is the CSV's). */
  rows: readonly NamedPerImageMetrics[];
  /** For an extra test set: which (the files go to eval/external/, see evaluationFiles). */
  testSet?: ExternalTestSetIdentity;
}

/**
 * Writes one evaluation of a run: the per-image CSV, then the summary JSON (so a summary never names a CSV that is
 * not there), both atomically, replacing an earlier evaluation of the same split and checkpoint. The output
 * depends only on its inputs (no times, no absolute paths), so identical runs write identical bytes. Throws
 * RangeError when a metric is NaN or infinite (aggregateMetrics).
 */
export async function writeEvaluation(run: RunDir, o: WriteEvaluationOptions): Promise<WrittenEvaluation> {
  const metrics = aggregateMetrics(o.rows.map((r) => r.metrics));
  const relative = evaluationFiles(o.split, o.checkpoint, o.testSet?.name);
  const summary: EvaluationSummary = {
    formatVersion: EVALUATION_FORMAT_VERSION, runId: o.runId, split: o.split, checkpoint: o.checkpoint, epoch: o.epoch,
    threshold: o.threshold, resolution: 'original', images: metrics.images,
    dice: metrics.perImageMean.dice.mean, iou: metrics.perImageMean.iou.mean, metrics, perImageCsv: relative.perImageCsv,
    ...(o.testSet ? {testSet: o.testSet} : {}),
  };
  const on = computedOn();
  if (on !== undefined) summary.computedOn = on;
  const files = {summary: join(run.path, relative.summary), perImageCsv: join(run.path, relative.perImageCsv)};
  await writeFileAtomic(files.perImageCsv, perImageCsv(o.rows));
  await writeFileAtomic(files.summary, JSON.stringify(summary, null, 2) + '\n');
  return {summary, files};
}

/** The active backend, and its adapter on webgpu (EvaluationSummary.computedOn); undefined when none is active. */
function computedOn(): {backend: string; gpuAdapter?: GpuAdapterRecord} | undefined {
  let backend: string;
  try {
    backend = activeBackendName();
  } catch {
    return undefined;
  }
  const adapter = activeGpuAdapter();
  return {backend, ...(adapter === undefined ? {} : {gpuAdapter: adapter})};
}

/** metrics.json for the summaries training wrote; the headline is the test split's, when there is one. */
export function metricsIndex(runId: string, written: readonly EvaluationSummary[]): RunMetricsIndex {
  const test = written.find((s) => s.split === 'test');
  return {
    formatVersion: EVALUATION_FORMAT_VERSION, runId,
    headline: test ? {split: 'test', checkpoint: test.checkpoint, summary: evaluationFiles('test', test.checkpoint).summary} : null,
    evaluations: written.map((s) => ({split: s.split, checkpoint: s.checkpoint, ...evaluationFiles(s.split, s.checkpoint)})),
  };
}

/** The run was never evaluated on this split at this checkpoint (one-line message naming the command that does). */
export class EvaluationNotFoundError extends Error {}

/**
 * Files written by another format version than this mslk reads (one-line message naming the version found), or
 * damaged ones (`damaged`: not valid JSON, e.g. cut short by a full disk), which evaluating again repairs.
 */
export class EvaluationFormatError extends Error {
  constructor(message: string, readonly damaged = false) {
    super(message);
  }
}

function formatError(file: string, found: unknown): EvaluationFormatError {
  return new EvaluationFormatError(`${file}: evaluation format version ${JSON.stringify(found)}; mslk ${MSLK_VERSION} reads versions 1 and ${EVALUATION_FORMAT_VERSION}: open the run with the mslk that wrote it (manifest.json names it), or evaluate it again with \`mslk eval\``);
}

async function readJsonIfPresent(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (error instanceof SyntaxError) throw new EvaluationFormatError(`${file}: not valid JSON (${error.message}): evaluate the run again with \`mslk eval\``, true);
    throw error;
  }
}

/** A run's metrics.json (the index), or undefined when absent. Throws EvaluationFormatError (damaged) when not JSON. */
export async function readMetricsIndex(runDir: string): Promise<unknown> {
  return readJsonIfPresent(join(runDir, RUN_FILES.metrics));
}

function versionOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? (value as {formatVersion?: unknown}).formatVersion : undefined;
}

/**
 * The summary of run `runDir` (a directory path) on `split` at `checkpoint`, from the current format or format 1.
 * Throws EvaluationFormatError naming the version when the files are of another format (or not JSON), and
 * EvaluationNotFoundError when the run has no such evaluation.
 */
export async function readRunEvaluation(runDir: string, split: EvaluatedSplit, checkpoint: CheckpointName): Promise<EvaluationSummary> {
  const file = join(runDir, evaluationFiles(split, checkpoint).summary);
  const summary = await readJsonIfPresent(file);
  if (summary !== undefined) {
    if (versionOf(summary) !== EVALUATION_FORMAT_VERSION) throw formatError(file, versionOf(summary) ?? null);
    return summary as EvaluationSummary;
  }
  const indexFile = join(runDir, RUN_FILES.metrics);
  const index = await readJsonIfPresent(indexFile);
  const version = versionOf(index);
  if (index !== undefined && version !== undefined && version !== EVALUATION_FORMAT_VERSION) throw formatError(indexFile, version);
  if (version === undefined) {
    // No version field: format 1, or a run that never got as far as metrics.json (then only eval-*.json may exist).
    const legacy = await readLegacyEvaluation(runDir, split, checkpoint, index);
    if (legacy !== undefined) return legacy;
  }
  throw new EvaluationNotFoundError(`${runDir}: no evaluation of the ${split} split at the '${checkpoint}' checkpoint: run \`mslk eval ${runDir} --split ${split} --checkpoint ${checkpoint}\``);
}
