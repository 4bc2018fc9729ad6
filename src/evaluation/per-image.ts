// Every metric of one image, at the ground truth's (the image's original) resolution: the probability map is resized
// back to it first when the model saw a different size, then thresholded (conventions.md, "Metrics").
import {binarize, confusionFromMasks, DEFAULT_THRESHOLD, type ConfusionCounts} from './confusion.js';
import {hausdorff95} from './hausdorff.js';
import {overlapMetrics, type OverlapMetrics} from './overlap.js';
import {resizeBilinear} from './resize.js';
import {checkLength, type ImageShape} from './shape.js';
import {thresholdAveragedDice} from './threshold-averaged.js';

/** Sigmoid output of a model for one image, row-major [height, width], values in [0, 1]. */
export interface ProbabilityMap extends ImageShape {
  readonly data: Float32Array;
}

/** Binary mask, row-major [height, width]; any non-zero value is foreground. */
export interface BinaryMask extends ImageShape {
  readonly data: Uint8Array;
}

/** The metrics of one image: the overlap metrics, both HD95s (pixels), the counts and the empty flags. */
export interface PerImageMetrics extends ConfusionCounts, OverlapMetrics {
  /** HD95, max of the directed P95s (MONAI/DeepMind); 0 if both masks are empty, the image diagonal if one is. */
  readonly hd95: number;
  /** HD95 of both directions pooled (medpy's `hd95`), same empty-mask policy. */
  readonly hd95PooledMedpy: number;
  /** PraNet-style Dice averaged over thresholds 0..255/255; present only when asked for. */
  readonly thresholdAveragedDice?: number;
  readonly gtEmpty: boolean;
  readonly predEmpty: boolean;
}

export interface PerImageOptions {
  /** Foreground where probability >= threshold; default 0.5. */
  readonly threshold?: number;
  /** Also compute the PraNet-style threshold-averaged Dice (default false). */
  readonly thresholdAveragedDice?: boolean;
}

/**
 * Metrics of one image: `probabilities` is resized bilinearly (half-pixel centres) to the ground truth's size when
 * the two differ, then thresholded. See overlap.ts for the 0/0 policy and hausdorff.ts for HD95.
 */
export function perImageMetrics(
  probabilities: ProbabilityMap,
  groundTruth: BinaryMask,
  options: PerImageOptions = {},
): PerImageMetrics {
  checkLength(probabilities.data, probabilities, 'the probability map');
  checkLength(groundTruth.data, groundTruth, 'the ground-truth mask');
  const shape: ImageShape = {height: groundTruth.height, width: groundTruth.width};
  const atOriginalSize = resizeBilinear(probabilities.data, probabilities, shape);
  const prediction = binarize(atOriginalSize, options.threshold ?? DEFAULT_THRESHOLD);
  const metrics = maskMetrics(prediction, groundTruth.data, shape);
  if (options.thresholdAveragedDice !== true) return metrics;
  return {...metrics, thresholdAveragedDice: thresholdAveragedDice(atOriginalSize, groundTruth.data, shape)};
}

/** Metrics of an already binary prediction against the ground truth, both of size `shape`. */
export function maskMetrics(prediction: Uint8Array, groundTruth: Uint8Array, shape: ImageShape): PerImageMetrics {
  const counts = confusionFromMasks(prediction, groundTruth, shape);
  const distances = hausdorff95(prediction, groundTruth, shape);
  return {
    ...counts,
    ...overlapMetrics(counts),
    hd95: distances.hd95,
    hd95PooledMedpy: distances.hd95PooledMedpy,
    gtEmpty: counts.tp + counts.fn === 0,
    predEmpty: counts.tp + counts.fp === 0,
  };
}
