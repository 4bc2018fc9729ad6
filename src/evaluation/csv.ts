// The per-image CSV of an evaluation (`eval/<split>-<checkpoint>.csv` in a run directory): one row per image with
// its name, every metric, the confusion counts and the `gt_empty` / `pred_empty` flags (1 or 0), so anyone can
// recompute any aggregate.
import {stringify} from 'csv-stringify/sync';
import type {PerImageMetrics} from './per-image.js';

/** One CSV row: the image's name and its metrics. */
export interface NamedPerImageMetrics {
  readonly name: string;
  readonly metrics: PerImageMetrics;
}

const METRIC_COLUMNS = [
  ['dice', 'dice'],
  ['iou', 'iou'],
  ['precision', 'precision'],
  ['recall', 'recall'],
  ['specificity', 'specificity'],
  ['accuracy', 'accuracy'],
  ['hd95', 'hd95'],
  ['hd95_pooled_medpy', 'hd95PooledMedpy'],
] as const;
const COUNT_COLUMNS = ['tp', 'fp', 'fn', 'tn'] as const;

/** Column names; `threshold_averaged_dice` comes after the metrics when asked for. */
export function perImageCsvHeader(withThresholdAveragedDice: boolean): string[] {
  return [
    'name',
    ...METRIC_COLUMNS.map(([column]) => column),
    ...(withThresholdAveragedDice ? ['threshold_averaged_dice'] : []),
    ...COUNT_COLUMNS,
    'gt_empty',
    'pred_empty',
  ];
}

/** The cells of one row, in the order of `perImageCsvHeader`; numbers keep full precision. */
export function perImageCsvRow(row: NamedPerImageMetrics, withThresholdAveragedDice: boolean): Array<string | number> {
  const {name, metrics} = row;
  const cells: Array<string | number> = [name];
  for (const [, key] of METRIC_COLUMNS) cells.push(metrics[key]);
  if (withThresholdAveragedDice) {
    if (metrics.thresholdAveragedDice === undefined) throw new RangeError(`image ${name} has no threshold-averaged Dice`);
    cells.push(metrics.thresholdAveragedDice);
  }
  for (const key of COUNT_COLUMNS) cells.push(metrics[key]);
  cells.push(metrics.gtEmpty ? 1 : 0, metrics.predEmpty ? 1 : 0);
  return cells;
}

/**
 * The whole CSV (header + rows, `\n` line ends). The threshold-averaged column is written when the first row carries
 * it, and then every row must.
 */
export function perImageCsv(rows: readonly NamedPerImageMetrics[]): string {
  const withThresholdAveragedDice = rows.length > 0 && rows[0]!.metrics.thresholdAveragedDice !== undefined;
  const records = [perImageCsvHeader(withThresholdAveragedDice)];
  for (const row of rows) records.push(perImageCsvRow(row, withThresholdAveragedDice).map(String));
  return stringify(records, {record_delimiter: 'unix'});
}
