// Pixel confusion counts of one image: the numbers every overlap metric (Dice, IoU, precision, ...) is made of.
import {checkLength, type ImageShape} from './shape.js';

/** Threshold on the sigmoid output: a pixel is foreground when its probability is >= 0.5. */
export const DEFAULT_THRESHOLD = 0.5;

/** True/false positives/negatives in pixels, foreground being the positive class. */
export interface ConfusionCounts {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
}

/**
 * Binary mask (1 = foreground) of a probability map: `p >= threshold`, the comparison PraNet's evaluation uses
 * (`Label3(sMap >= threshold) = 1`). A NaN probability throws: a model that outputs NaN has failed, and counting its
 * pixels as background would hide that.
 */
export function binarize(probabilities: ArrayLike<number>, threshold: number = DEFAULT_THRESHOLD): Uint8Array {
  const n = probabilities.length;
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = probabilities[i]!;
    if (p !== p) throw new RangeError(`the probability map holds NaN at pixel ${i}`);
    mask[i] = p >= threshold ? 1 : 0;
  }
  return mask;
}

/** Confusion counts of a predicted mask against a ground-truth mask; any non-zero value is foreground in both. */
export function confusionFromMasks(prediction: Uint8Array, groundTruth: Uint8Array, shape: ImageShape): ConfusionCounts {
  checkLength(prediction, shape, 'the predicted mask');
  checkLength(groundTruth, shape, 'the ground-truth mask');
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const n = prediction.length;
  for (let i = 0; i < n; i++) {
    const predicted = prediction[i] !== 0;
    const actual = groundTruth[i] !== 0;
    if (predicted) {
      if (actual) tp++;
      else fp++;
    } else if (actual) {
      fn++;
    }
  }
  return {tp, fp, fn, tn: n - tp - fp - fn};
}

/** Confusion counts of a probability map thresholded at `threshold` (default 0.5) against a binary ground truth. */
export function confusionCounts(
  probabilities: ArrayLike<number>,
  groundTruth: Uint8Array,
  shape: ImageShape,
  threshold: number = DEFAULT_THRESHOLD,
): ConfusionCounts {
  checkLength(probabilities, shape, 'the probability map');
  return confusionFromMasks(binarize(probabilities, threshold), groundTruth, shape);
}
