// Exact squared Euclidean distance transform of a 2-D binary feature map, in pixels.
//
// Separable, after Felzenszwalb & Huttenlocher, "Distance Transforms of Sampled Functions" (Theory of Computing 8,
// 2012): a first pass along columns gives, per pixel, the distance g to the nearest feature in its column (two linear
// sweeps, done row by row so memory is read contiguously); a second pass along each row takes the lower envelope of
// the parabolas (x - q)^2 + g(q)^2, which is exact. O(pixels) overall. The two passes are exposed separately so that
// HD95 can query the envelope only at the boundary pixels it needs.
import {checkLength, type ImageShape} from './shape.js';

/**
 * For every pixel, the squared Euclidean distance (in pixels) to the nearest pixel where `features` is non-zero;
 * 0 on features, Infinity everywhere when there is no feature at all. Values are exact integers.
 */
export function squaredDistanceTransform(features: Uint8Array, shape: ImageShape): Float64Array {
  const {height, width} = shape;
  const columns = columnDistances(features, shape);
  const result = new Float64Array(height * width);
  const envelope = new RowEnvelope(width, height + width);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    if (!envelope.build(columns, row)) {
      result.fill(Infinity, row, row + width);
      continue;
    }
    for (let x = 0; x < width; x++) result[row + x] = envelope.next(x);
  }
  return result;
}

/**
 * First pass: per pixel, the vertical distance to the nearest feature in the same column, or `height + width` (more
 * than any real distance) when the column has none.
 */
export function columnDistances(features: Uint8Array, shape: ImageShape): Int32Array {
  checkLength(features, shape, 'the feature map');
  const {height, width} = shape;
  const none = height + width;
  const distance = new Int32Array(height * width);
  for (let x = 0; x < width; x++) distance[x] = features[x] !== 0 ? 0 : none;
  for (let y = 1; y < height; y++) {
    const row = y * width;
    const above = row - width;
    for (let x = 0; x < width; x++) {
      // Capped so that "no feature" stays exactly `none` down a featureless column.
      const fromAbove = distance[above + x]! + 1;
      distance[row + x] = features[row + x] !== 0 ? 0 : fromAbove < none ? fromAbove : none;
    }
  }
  for (let y = height - 2; y >= 0; y--) {
    const row = y * width;
    const below = row + width;
    for (let x = 0; x < width; x++) {
      const fromBelow = distance[below + x]! + 1;
      if (fromBelow < distance[row + x]!) distance[row + x] = fromBelow;
    }
  }
  return distance;
}

/**
 * Second pass, one row at a time: the lower envelope of the parabolas (x - q)^2 + g(q)^2 over the columns q that
 * have a feature, then its value at increasing x. Scratch arrays are reused across rows (no allocation per row).
 */
export class RowEnvelope {
  private readonly vertices: Int32Array;
  private readonly boundaries: Float64Array;
  private readonly heights: Float64Array;
  private readonly width: number;
  private readonly none: number;
  private cursor = 0;

  /** `none` is the column distance that means "no feature in this column" (see `columnDistances`). */
  constructor(width: number, none: number) {
    this.width = width;
    this.none = none;
    this.vertices = new Int32Array(width);
    this.boundaries = new Float64Array(width + 1);
    this.heights = new Float64Array(width);
  }

  /** Builds the envelope of the row starting at `rowStart` in `columns`; false when the row has no parabola. */
  build(columns: Int32Array, rowStart: number): boolean {
    const v = this.vertices;
    const z = this.boundaries;
    const f = this.heights;
    const none = this.none;
    let k = -1;
    for (let q = 0; q < this.width; q++) {
      const g = columns[rowStart + q]!;
      if (g >= none) continue; // no feature in this column: no parabola
      const fq = g * g;
      f[q] = fq;
      if (k < 0) {
        k = 0;
        v[0] = q;
        z[0] = -Infinity;
        z[1] = Infinity;
        continue;
      }
      const lifted = fq + q * q;
      let p = v[k]!;
      // Where the parabola rooted at q overtakes the rightmost one kept, rooted at p.
      let s = (lifted - (f[p]! + p * p)) / (2 * (q - p));
      while (s <= z[k]!) {
        k--; // the parabola at p is hidden by its neighbours (z[0] = -Infinity stops this at k = 0)
        p = v[k]!;
        s = (lifted - (f[p]! + p * p)) / (2 * (q - p));
      }
      k++;
      v[k] = q;
      z[k] = s;
      z[k + 1] = Infinity;
    }
    this.cursor = 0;
    return k >= 0;
  }

  /** Squared distance at column x of the row last built; successive calls must have non-decreasing x. */
  next(x: number): number {
    const z = this.boundaries;
    let j = this.cursor;
    while (z[j + 1]! < x) j++;
    this.cursor = j;
    const root = this.vertices[j]!;
    const dx = x - root;
    return dx * dx + this.heights[root]!;
  }
}
