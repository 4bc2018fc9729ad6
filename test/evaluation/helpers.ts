// Shared by the evaluation tests: masks drawn as text, random masks for fast-check, and brute-force references
// written the slow, obvious way (straight from the definitions) to check the fast implementations against.
import fc from 'fast-check';
import type {ImageShape} from '../../src/evaluation/index.js';

/** A mask from rows of text, '#' = foreground, anything else background. */
export function drawMask(...rows: string[]): {data: Uint8Array; height: number; width: number} {
  const height = rows.length;
  const width = rows[0]!.length;
  const data = new Uint8Array(height * width);
  for (let y = 0; y < height; y++) {
    if (rows[y]!.length !== width) throw new Error('rows of a drawn mask must have equal length');
    for (let x = 0; x < width; x++) data[y * width + x] = rows[y]![x] === '#' ? 1 : 0;
  }
  return {data, height, width};
}

/** Random shape and one (or two) random binary masks of it; `density` biases towards sparse or dense masks. */
export const shapeArbitrary = fc.record({height: fc.integer({min: 1, max: 14}), width: fc.integer({min: 1, max: 14})});

export function maskArbitrary(shape: ImageShape): fc.Arbitrary<Uint8Array> {
  const n = shape.height * shape.width;
  return fc
    .tuple(fc.double({min: 0, max: 1, noNaN: true}), fc.array(fc.double({min: 0, max: 1, noNaN: true}), {minLength: n, maxLength: n}))
    .map(([density, draws]) => Uint8Array.from(draws, (u) => (u < density ? 1 : 0)));
}

export const maskPairArbitrary = shapeArbitrary.chain((shape) =>
  fc.record({shape: fc.constant(shape), a: maskArbitrary(shape), b: maskArbitrary(shape)}),
);

/** Boundary by definition: foreground minus its erosion by the 4-neighbour cross, outside the image = background. */
export function bruteBoundary(mask: Uint8Array, shape: ImageShape): Array<[number, number]> {
  const {height, width} = shape;
  const at = (y: number, x: number) => y >= 0 && y < height && x >= 0 && x < width && mask[y * width + x] !== 0;
  const points: Array<[number, number]> = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const eroded = at(y, x) && at(y - 1, x) && at(y + 1, x) && at(y, x - 1) && at(y, x + 1);
      if (at(y, x) && !eroded) points.push([y, x]);
    }
  }
  return points;
}

/** numpy.percentile(values, q) with the default linear method, on a sorted copy. */
export function brutePercentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const h = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Directed boundary distances by checking every pair: O(n * m). */
export function bruteDirected(from: Array<[number, number]>, to: Array<[number, number]>): number[] {
  return from.map(([y, x]) => Math.min(...to.map(([v, u]) => Math.hypot(y - v, x - u))));
}

/** Both HD95 definitions with the conventions' empty-mask policy, O(n^2). */
export function bruteHd95(a: Uint8Array, b: Uint8Array, shape: ImageShape): {hd95: number; hd95PooledMedpy: number} {
  const ba = bruteBoundary(a, shape);
  const bb = bruteBoundary(b, shape);
  if (ba.length === 0 && bb.length === 0) return {hd95: 0, hd95PooledMedpy: 0};
  if (ba.length === 0 || bb.length === 0) {
    const diagonal = Math.sqrt(shape.height ** 2 + shape.width ** 2);
    return {hd95: diagonal, hd95PooledMedpy: diagonal};
  }
  const ab = bruteDirected(ba, bb);
  const ba2 = bruteDirected(bb, ba);
  return {
    hd95: Math.max(brutePercentile(ab, 95), brutePercentile(ba2, 95)),
    hd95PooledMedpy: brutePercentile([...ab, ...ba2], 95),
  };
}

export function close(a: number, b: number, tolerance = 1e-9): boolean {
  return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
}
