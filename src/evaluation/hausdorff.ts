// HD95: the 95th-percentile Hausdorff distance between the boundaries of two binary masks, in pixels.
//
// Default (MONAI `compute_hausdorff_distance(percentile=95)`, DeepMind `surface-distance`): the larger of the two
// directed P95s, max(P95 of d(pred boundary -> gt boundary), P95 of d(gt boundary -> pred boundary)).
// Alternative (medpy `hd95`): one P95 of both directions' distances pooled together; usually a little lower than the
// default (when one direction is worse, pooling dilutes it), though interpolation can put it above on tiny samples.
// Both use numpy's linear percentile interpolation (see percentile.ts).
// Distances are exact Euclidean distances to the target boundary (see directedBoundaryDistances), computed only over
// the bounding box of both masks: every boundary pixel lies inside it, so the crop changes no distance.
import {boundingBox, maskBoundary, type PixelBox} from './boundary.js';
import {columnDistances, RowEnvelope} from './edt.js';
import {percentile} from './percentile.js';
import {checkLength, imageDiagonal, type ImageShape} from './shape.js';

/** Which HD95: `max-directed` (MONAI/DeepMind, the default) or `pooled-medpy` (medpy's `hd95`). */
export type Hd95Definition = 'max-directed' | 'pooled-medpy';

export const DEFAULT_HD95_DEFINITION: Hd95Definition = 'max-directed';

/** Both HD95 definitions of one pair of masks, in pixels. */
export interface Hd95Values {
  /** max of the two directed P95s (MONAI/DeepMind): the default. */
  readonly hd95: number;
  /** P95 of both directions pooled (medpy's `hd95`). */
  readonly hd95PooledMedpy: number;
}

/**
 * Both HD95 definitions with the empty-mask policy of the conventions: both masks empty -> 0; exactly one empty ->
 * the image diagonal sqrt(h^2 + w^2) in pixels. Non-zero means foreground.
 */
export function hausdorff95(prediction: Uint8Array, groundTruth: Uint8Array, shape: ImageShape): Hd95Values {
  checkLength(prediction, shape, 'the predicted mask');
  checkLength(groundTruth, shape, 'the ground-truth mask');
  const predictionBox = boundingBox(prediction, shape);
  const groundTruthBox = boundingBox(groundTruth, shape);
  if (predictionBox === undefined && groundTruthBox === undefined) return {hd95: 0, hd95PooledMedpy: 0};
  if (predictionBox === undefined || groundTruthBox === undefined) {
    const diagonal = imageDiagonal(shape);
    return {hd95: diagonal, hd95PooledMedpy: diagonal};
  }
  const box = unionBox(predictionBox, groundTruthBox);
  const cropShape = {height: box.bottom - box.top + 1, width: box.right - box.left + 1};
  // Boundaries of the cropped masks equal the crops of the full boundaries: no foreground lies outside the box, so
  // the box edge borders background exactly as the image edge does.
  const croppedPrediction = maskBoundary(crop(prediction, shape, box), cropShape);
  const croppedGroundTruth = maskBoundary(crop(groundTruth, shape, box), cropShape);
  const predictionToTruth = directedBoundaryDistances(croppedPrediction, croppedGroundTruth, cropShape);
  const truthToPrediction = directedBoundaryDistances(croppedGroundTruth, croppedPrediction, cropShape);
  const hd95 = Math.max(percentile(predictionToTruth, 95), percentile(truthToPrediction, 95));
  const pooled = new Float64Array(predictionToTruth.length + truthToPrediction.length);
  pooled.set(predictionToTruth, 0);
  pooled.set(truthToPrediction, predictionToTruth.length);
  return {hd95, hd95PooledMedpy: percentile(pooled, 95)};
}

/** HD95 of one definition (default: max of directed P95s), same empty-mask policy as `hausdorff95`. */
export function hd95(
  prediction: Uint8Array,
  groundTruth: Uint8Array,
  shape: ImageShape,
  definition: Hd95Definition = DEFAULT_HD95_DEFINITION,
): number {
  const values = hausdorff95(prediction, groundTruth, shape);
  return definition === 'max-directed' ? values.hd95 : values.hd95PooledMedpy;
}

/**
 * For every non-zero pixel of `fromBoundary`, in row-major order, the Euclidean distance in pixels to the nearest
 * non-zero pixel of `toBoundary`; Infinity when `toBoundary` is empty (callers apply the empty-mask policy first).
 *
 * Exact, from the column pass of the distance transform of `toBoundary` (g = vertical distance to the nearest target
 * pixel in each column): d^2(x, y) = min over columns q of (x - q)^2 + g(q, y)^2. Boundaries are thin, so a row holds
 * few source pixels; for each, scanning q outwards from x and stopping once (x - q)^2 reaches the best value found
 * costs at most 2 g(x, y) + 1 steps. A row where those bounds add up to more than two row lengths takes the
 * Felzenszwalb-Huttenlocher lower envelope instead (O(width)), so the cost never exceeds that of a full transform.
 */
export function directedBoundaryDistances(fromBoundary: Uint8Array, toBoundary: Uint8Array, shape: ImageShape): Float64Array {
  checkLength(fromBoundary, shape, 'the source boundary');
  const {height, width} = shape;
  const none = height + width;
  const columns = columnDistances(toBoundary, shape);
  const envelope = new RowEnvelope(width, none);
  let count = 0;
  for (let i = 0; i < fromBoundary.length; i++) if (fromBoundary[i] !== 0) count++;
  const distances = new Float64Array(count);
  let next = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let scanBudget = 0;
    for (let x = 0; x < width; x++) {
      if (fromBoundary[row + x] !== 0) scanBudget += 2 * Math.min(columns[row + x]!, width) + 1;
    }
    if (scanBudget === 0) continue;
    if (scanBudget <= 2 * width) {
      for (let x = 0; x < width; x++) {
        if (fromBoundary[row + x] !== 0) distances[next++] = Math.sqrt(scanSquaredDistance(columns, row, width, none, x));
      }
      continue;
    }
    const reachable = envelope.build(columns, row);
    for (let x = 0; x < width; x++) {
      if (fromBoundary[row + x] !== 0) distances[next++] = reachable ? Math.sqrt(envelope.next(x)) : Infinity;
    }
  }
  return distances;
}

/** min over q of (x - q)^2 + g(q)^2 along one row of column distances, scanning outwards from x with early exit. */
function scanSquaredDistance(columns: Int32Array, row: number, width: number, none: number, x: number): number {
  const own = columns[row + x]!;
  let best = own >= none ? Infinity : own * own;
  for (let d = 1; d * d < best; d++) {
    const left = x - d;
    const right = x + d;
    if (left < 0 && right >= width) break;
    const dd = d * d;
    if (left >= 0) {
      const g = columns[row + left]!;
      if (g < none && dd + g * g < best) best = dd + g * g;
    }
    if (right < width) {
      const g = columns[row + right]!;
      if (g < none && dd + g * g < best) best = dd + g * g;
    }
  }
  return best;
}

function unionBox(a: PixelBox, b: PixelBox): PixelBox {
  return {
    top: Math.min(a.top, b.top),
    left: Math.min(a.left, b.left),
    bottom: Math.max(a.bottom, b.bottom),
    right: Math.max(a.right, b.right),
  };
}

function crop(mask: Uint8Array, shape: ImageShape, box: PixelBox): Uint8Array {
  const width = box.right - box.left + 1;
  const height = box.bottom - box.top + 1;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const start = (box.top + y) * shape.width + box.left;
    out.set(mask.subarray(start, start + width), y * width);
  }
  return out;
}
