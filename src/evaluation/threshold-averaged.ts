// PraNet-style threshold-averaged Dice: the Dice of the prediction thresholded at each of 256 thresholds
// t = 0/255, 1/255, ..., 255/255 (foreground where p >= t, as PraNet's `Fmeasure_calu` does), averaged. An optional
// extra column, comparable with papers that report PraNet's "mean Dice"; the primary Dice thresholds at 0.5.
// Empty masks follow our policy (both empty -> 1), where PraNet's MATLAB code scores 0.
// Cost is O(pixels + 256): each pixel lands in the bin of the largest threshold it reaches, and cumulative counts
// from the top give the predicted and true-positive pixel counts at every threshold.
import {checkLength, type ImageShape} from './shape.js';

/** Number of thresholds: 0/255 .. 255/255. */
export const THRESHOLD_COUNT = 256;

/** Dice at each threshold k/255, k = 0..255, with the empty-mask policy (both empty -> 1). */
export function diceOverThresholds(probabilities: ArrayLike<number>, groundTruth: Uint8Array, shape: ImageShape): Float64Array {
  checkLength(probabilities, shape, 'the probability map');
  checkLength(groundTruth, shape, 'the ground-truth mask');
  const top = THRESHOLD_COUNT - 1;
  const thresholds = new Float64Array(THRESHOLD_COUNT + 1);
  for (let k = 0; k <= top; k++) thresholds[k] = k / top;
  thresholds[THRESHOLD_COUNT] = Infinity;
  // Bin b = highest k with k/255 <= p; pixels with p < 0 reach no threshold and are never foreground.
  const predictedInBin = new Float64Array(THRESHOLD_COUNT);
  const truePositiveInBin = new Float64Array(THRESHOLD_COUNT);
  let groundTruthCount = 0;
  const n = probabilities.length;
  for (let i = 0; i < n; i++) {
    const p = probabilities[i]!;
    if (p !== p) throw new RangeError(`the probability map holds NaN at pixel ${i}`);
    const actual = groundTruth[i] !== 0;
    if (actual) groundTruthCount++;
    if (p < 0) continue;
    let bin = p >= 1 ? top : Math.floor(p * top);
    // Correct the rounding of p * 255 so that the bin obeys exactly k / 255 <= p (the same division as the table).
    while (thresholds[bin + 1]! <= p) bin++;
    while (bin > 0 && thresholds[bin]! > p) bin--;
    predictedInBin[bin]!++;
    if (actual) truePositiveInBin[bin]!++;
  }
  const dice = new Float64Array(THRESHOLD_COUNT);
  let predicted = 0;
  let truePositive = 0;
  for (let k = top; k >= 0; k--) {
    predicted += predictedInBin[k]!;
    truePositive += truePositiveInBin[k]!;
    const denominator = predicted + groundTruthCount;
    dice[k] = denominator === 0 ? 1 : (2 * truePositive) / denominator;
  }
  return dice;
}

/** Mean of `diceOverThresholds`: PraNet's threshold-averaged Dice of one image. */
export function thresholdAveragedDice(probabilities: ArrayLike<number>, groundTruth: Uint8Array, shape: ImageShape): number {
  const dice = diceOverThresholds(probabilities, groundTruth, shape);
  let sum = 0;
  for (let k = 0; k < dice.length; k++) sum += dice[k]!;
  return sum / dice.length;
}
