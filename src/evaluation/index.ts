// Evaluation metrics of binary segmentation (conventions.md, "Metrics"): pure functions on typed arrays.
export {aggregateMetrics, AVERAGED_METRICS, meanStd, type AggregateMetrics, type AveragedMetric, type MeanStd} from './aggregate.js';
export {boundingBox, maskBoundary, type PixelBox} from './boundary.js';
export {binarize, confusionCounts, confusionFromMasks, DEFAULT_THRESHOLD, type ConfusionCounts} from './confusion.js';
export {perImageCsv, perImageCsvHeader, perImageCsvRow, type NamedPerImageMetrics} from './csv.js';
export {columnDistances, RowEnvelope, squaredDistanceTransform} from './edt.js';
export {
  DEFAULT_HD95_DEFINITION,
  directedBoundaryDistances,
  hausdorff95,
  hd95,
  type Hd95Definition,
  type Hd95Values,
} from './hausdorff.js';
export {overlapMetrics, type OverlapMetrics} from './overlap.js';
export {
  maskMetrics,
  perImageMetrics,
  type BinaryMask,
  type PerImageMetrics,
  type PerImageOptions,
  type ProbabilityMap,
} from './per-image.js';
export {medianIqr, percentile, type MedianIqr} from './percentile.js';
export {resizeBilinear} from './resize.js';
export {imageDiagonal, pixelCount, type ImageShape} from './shape.js';
export {diceOverThresholds, THRESHOLD_COUNT, thresholdAveragedDice} from './threshold-averaged.js';
