// Overlap metrics from confusion counts, with one policy for every ratio that would be 0/0.
//
// Policy: a 0/0 ratio scores 1 when the prediction equals the ground truth (FP = FN = 0) and 0 otherwise. This is
// the conventions' empty-mask rule for Dice and IoU (both empty -> 1; exactly one empty -> 0, where the ratio is
// not even 0/0) extended to the others:
// - precision, nothing predicted:          1 if the ground truth is empty too, else 0 (a missed object);
// - recall, empty ground truth:            1 if nothing is predicted, else 0 (false alarms on a normal image);
// - specificity, ground truth all object:  1 if nothing is missed, else 0.
// So no metric is ever NaN or Infinity, and a perfect prediction scores 1 on every metric.
import type {ConfusionCounts} from './confusion.js';

/** Overlap metrics of one image (or of pooled counts), all in [0, 1]. */
export interface OverlapMetrics {
  /** 2TP / (2TP + FP + FN) */
  readonly dice: number;
  /** TP / (TP + FP + FN) */
  readonly iou: number;
  /** TP / (TP + FP) */
  readonly precision: number;
  /** TP / (TP + FN), also called sensitivity */
  readonly recall: number;
  /** TN / (TN + FP) */
  readonly specificity: number;
  /** (TP + TN) / (TP + FP + FN + TN) */
  readonly accuracy: number;
}

/** The overlap metrics of `counts` under the 0/0 policy above; throws on negative or non-integer counts. */
export function overlapMetrics(counts: ConfusionCounts): OverlapMetrics {
  const {tp, fp, fn, tn} = counts;
  for (const value of [tp, fp, fn, tn]) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`confusion counts are non-negative integers, got ${value}`);
  }
  const perfect = fp === 0 && fn === 0;
  return {
    dice: ratio(2 * tp, 2 * tp + fp + fn, perfect),
    iou: ratio(tp, tp + fp + fn, perfect),
    precision: ratio(tp, tp + fp, perfect),
    recall: ratio(tp, tp + fn, perfect),
    specificity: ratio(tn, tn + fp, perfect),
    accuracy: ratio(tp + tn, tp + fp + fn + tn, perfect),
  };
}

function ratio(numerator: number, denominator: number, perfect: boolean): number {
  if (denominator === 0) return perfect ? 1 : 0;
  return numerator / denominator;
}
