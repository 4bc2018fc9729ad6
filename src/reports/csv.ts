// The report's CSV files, from the report model only: results.csv (one row per run, done or not), summary.csv
// (one row per variant x dataset x test set) and per-image.csv (one row per image of each done run's test sets).
// Numbers are formatted on purpose (number-format.ts); a value that cannot be given is an empty cell and the row's
// `reason` says why, so no cell is ever NaN. `dir` columns are relative to the report folder, so the same runs give
// the same bytes wherever the report is written beside them.
import {relative, sep} from 'node:path';
import {stringify} from 'csv-stringify/sync';
import type {PerImageRow, ReportModel, RunRow, SummaryRow} from './model.js';
import {latencyAbsentReason} from './latency-note.js';
import {count, fraction, gflops, milliseconds, pixels, seconds} from './number-format.js';

function csv(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return stringify([header as string[], ...rows as string[][]], {record_delimiter: 'unix'});
}

/** `dir` relative to `outDir` with forward slashes ('' stays ''). */
function relativeDir(dir: string, outDir: string): string {
  return dir === '' ? '' : relative(outDir, dir).split(sep).join('/');
}

/** Why cells of a run's row are empty. */
function runReason(run: RunRow, model: ReportModel): string {
  const reasons = run.reason === null ? [] : [run.state === 'failed' ? `failed: ${run.reason}` : run.reason];
  if (run.state === 'done' && run.test !== null && run.test.hd95 === null) reasons.push('hd95: no test image where both masks are non-empty');
  if (run.params === null && run.state !== 'missing') reasons.push('params, gflops and latency not counted');
  if (run.params !== null && run.latencyMs === null) reasons.push(latencyAbsentReason(model));
  return reasons.join('; ');
}

/**
 * results.csv: one row per run in plan order, with its state, test metrics, costs (latency_ms: batch-1 inference,
 * median ms, on the backend of ReportModel.latencyBackend) and provenance.
 */
export function resultsCsv(model: ReportModel, outDir: string): string {
  const header = ['run_id', 'variant', 'kind', 'dataset', 'fold', 'seed', 'model', 'state', 'test_dice', 'test_iou',
    'test_precision', 'test_recall', 'test_hd95_px', 'test_images', 'params', 'gflops', 'latency_ms', 'training_s', 'backend', 'commit',
    'dataset_fingerprint', 'dir', 'reason'];
  return csv(header, model.runs.map((r) => [
    r.runId, r.variant, r.kind, r.dataset, r.fold === null ? '' : String(r.fold), String(r.seed), r.model, r.state,
    fraction(r.test?.dice ?? null), fraction(r.test?.iou ?? null), fraction(r.test?.precision ?? null), fraction(r.test?.recall ?? null),
    pixels(r.test?.hd95 ?? null), count(r.test?.images ?? null), count(r.params), gflops(r.gflops), milliseconds(r.latencyMs),
    seconds(r.trainingSeconds), r.backend ?? '', r.commit ?? '', r.datasetFingerprint ?? '', relativeDir(r.dir, outDir), runReason(r, model),
  ]));
}

/** Why cells of a summary row are empty ('' when none is). */
function summaryReason(row: SummaryRow, model: ReportModel): string {
  const reasons: string[] = [];
  if (row.dice.mean === null) reasons.push('no seed with every run done (see missing)');
  else {
    if (row.dice.std === null) reasons.push(`std: needs 2 seeds, has ${row.dice.n}`);
    if (row.testSet !== 'test') reasons.push(`precision and recall: not in the per-image rows of ${row.testSet}`);
    if (row.hd95.mean === null) reasons.push('hd95: no test image where both masks are non-empty');
    else if (row.hd95.std === null && row.dice.std !== null) reasons.push(`hd95 std: needs 2 seeds, has ${row.hd95.n}`);
  }
  if (row.params !== null && row.latencyMs === null) reasons.push(latencyAbsentReason(model));
  return reasons.join('; ');
}

/** summary.csv: one row per variant x dataset x test set, mean and sample std over seeds, n, and what is missing. */
export function summaryCsv(model: ReportModel): string {
  const header = ['variant', 'kind', 'dataset', 'test_set', 'planned', 'done', 'n_seeds', 'dice_mean', 'dice_std', 'iou_mean',
    'iou_std', 'precision_mean', 'precision_std', 'recall_mean', 'recall_std', 'hd95_px_mean', 'hd95_px_std', 'hd95_n_seeds', 'params', 'gflops', 'latency_ms', 'training_s_mean', 'missing', 'reason', 'run_ids'];
  return csv(header, model.summary.map((s) => [
    s.variant, s.kind, s.dataset, s.testSet, String(s.planned), String(s.done), String(s.dice.n), fraction(s.dice.mean),
    fraction(s.dice.std), fraction(s.iou.mean), fraction(s.iou.std), fraction(s.precision?.mean ?? null), fraction(s.precision?.std ?? null),
    fraction(s.recall?.mean ?? null), fraction(s.recall?.std ?? null), pixels(s.hd95.mean), pixels(s.hd95.std), String(s.hd95.n),
    count(s.params), gflops(s.gflops), milliseconds(s.latencyMs), seconds(s.trainingSeconds), s.missing.join('; '), summaryReason(s, model),
    s.runIds.join(' '),
  ]));
}

/** per-image.csv: one row per image of each done run's test sets (HD95 empty, with its reason, when a mask is empty). */
export function perImageCsv(model: ReportModel): string {
  const header = ['run_id', 'variant', 'dataset', 'test_set', 'fold', 'seed', 'image', 'dice', 'iou', 'hd95_px', 'reason'];
  return csv(header, model.perImage.map((r: PerImageRow) => [
    r.runId, r.variant, r.dataset, r.testSet, r.fold === null ? '' : String(r.fold), String(r.seed), r.image,
    fraction(r.dice), fraction(r.iou), pixels(r.hd95), r.hd95 === null ? 'hd95: ground truth or prediction is empty' : '',
  ]));
}

