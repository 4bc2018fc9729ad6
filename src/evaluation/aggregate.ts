// Dataset-level numbers from per-image metrics.
// Primary: the per-image mean ("mDice", "mIoU", ...) with the sample standard deviation (n - 1) over images.
// Secondary, labelled `pooled`: Dice and IoU of the counts summed over all images first; the two aggregations differ
// (IoU = Dice / (2 - Dice) holds per image, not between averages). HD95 is also given over the pairs where both
// masks are non-empty, with its n, so the empty-mask policy's diagonal values can be told apart.
import {overlapMetrics} from './overlap.js';
import type {PerImageMetrics} from './per-image.js';

/** Mean and sample standard deviation of n values; mean is null when n = 0, std when n < 2 (both undefined). */
export interface MeanStd {
  readonly mean: number | null;
  readonly std: number | null;
  readonly n: number;
}

/** The per-image metrics that are averaged over images. */
export const AVERAGED_METRICS = [
  'dice',
  'iou',
  'precision',
  'recall',
  'specificity',
  'accuracy',
  'hd95',
  'hd95PooledMedpy',
] as const;
export type AveragedMetric = (typeof AVERAGED_METRICS)[number];

export interface AggregateMetrics {
  readonly images: number;
  /** Primary: mean +- sample std over images of each metric. */
  readonly perImageMean: Readonly<Record<AveragedMetric, MeanStd>> & {readonly thresholdAveragedDice?: MeanStd};
  /** HD95 (both definitions) over the images where neither mask is empty; n says how many. */
  readonly hd95NonEmptyPairs: MeanStd;
  readonly hd95PooledMedpyNonEmptyPairs: MeanStd;
  /** Secondary: Dice and IoU of TP/FP/FN summed over all images (the empty-mask policy applies to the sums). */
  readonly pooled: {
    readonly dice: number;
    readonly iou: number;
    readonly tp: number;
    readonly fp: number;
    readonly fn: number;
    readonly tn: number;
  };
  /** How many images had an empty ground truth, an empty prediction, or both. */
  readonly emptyMasks: {readonly gtEmpty: number; readonly predEmpty: number; readonly bothEmpty: number};
}

/**
 * Aggregates per-image metrics. Throws when a value is NaN or infinite (a bug upstream: the per-image policy never
 * produces one) or when only some images carry the threshold-averaged Dice.
 */
export function aggregateMetrics(images: readonly PerImageMetrics[]): AggregateMetrics {
  const values = new Float64Array(images.length);
  const perImageMean = {} as Record<AveragedMetric, MeanStd> & {thresholdAveragedDice?: MeanStd};
  for (const metric of AVERAGED_METRICS) {
    for (let i = 0; i < images.length; i++) values[i] = images[i]![metric]!;
    perImageMean[metric] = meanStd(values, metric);
  }
  const withThresholdAveraged = images.filter((image) => image.thresholdAveragedDice !== undefined).length;
  if (withThresholdAveraged > 0) {
    if (withThresholdAveraged !== images.length) {
      throw new RangeError(`only ${withThresholdAveraged} of ${images.length} images carry the threshold-averaged Dice`);
    }
    for (let i = 0; i < images.length; i++) values[i] = images[i]!.thresholdAveragedDice ?? 0;
    perImageMean.thresholdAveragedDice = meanStd(values, 'thresholdAveragedDice');
  }

  const nonEmpty = images.filter((image) => !image.gtEmpty && !image.predEmpty);
  const hd95NonEmptyPairs = meanStd(Float64Array.from(nonEmpty, (image) => image.hd95), 'hd95');
  const hd95PooledMedpyNonEmptyPairs = meanStd(Float64Array.from(nonEmpty, (image) => image.hd95PooledMedpy), 'hd95PooledMedpy');

  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let gtEmpty = 0;
  let predEmpty = 0;
  let bothEmpty = 0;
  for (const image of images) {
    tp += image.tp;
    fp += image.fp;
    fn += image.fn;
    tn += image.tn;
    if (image.gtEmpty) gtEmpty++;
    if (image.predEmpty) predEmpty++;
    if (image.gtEmpty && image.predEmpty) bothEmpty++;
  }
  const pooledOverlap = overlapMetrics({tp, fp, fn, tn});
  return {
    images: images.length,
    perImageMean,
    hd95NonEmptyPairs,
    hd95PooledMedpyNonEmptyPairs,
    pooled: {dice: pooledOverlap.dice, iou: pooledOverlap.iou, tp, fp, fn, tn},
    emptyMasks: {gtEmpty, predEmpty, bothEmpty},
  };
}

/** Mean and sample (n - 1) standard deviation, two-pass for accuracy; `name` labels the error on a non-finite value. */
export function meanStd(values: ArrayLike<number>, name: string): MeanStd {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value)) throw new RangeError(`${name} of image ${i} is ${value}: it cannot enter a mean`);
    sum += value;
  }
  if (n === 0) return {mean: null, std: null, n};
  const mean = sum / n;
  if (n < 2) return {mean, std: null, n};
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const deviation = values[i]! - mean;
    squares += deviation * deviation;
  }
  return {mean, std: Math.sqrt(squares / (n - 1)), n};
}
