import test from 'ava';
import fc from 'fast-check';
import {squaredDistanceTransform} from '../../src/evaluation/index.js';
import {drawMask, maskArbitrary, shapeArbitrary} from './helpers.js';

test('squared distances of a hand case', (t) => {
  const features = drawMask('#....', '.....', '....#');
  // Features at (y, x) = (0, 0) and (2, 4); each value = min(dy^2 + dx^2) over the two.
  // Row 0: 0, 1, 4, min(9, 4+1)=5, min(16, 4+0)=4
  // Row 1: 1, 1+1=2, min(1+4, 1+4)=5, min(1+9, 1+1)=2, 1+0=1
  // Row 2: 4, min(4+1, 9)=5, min(4+4, 4)=4, 1, 0
  t.deepEqual([...squaredDistanceTransform(features.data, features)], [0, 1, 4, 5, 4, 1, 2, 5, 2, 1, 4, 5, 4, 1, 0]);
});

test('no feature at all gives Infinity everywhere', (t) => {
  t.deepEqual([...squaredDistanceTransform(new Uint8Array(6), {height: 2, width: 3})], Array(6).fill(Infinity));
});

test('equals the brute-force minimum over all features', (t) => {
  const cases = shapeArbitrary.chain((shape) => fc.record({shape: fc.constant(shape), features: maskArbitrary(shape)}));
  fc.assert(
    fc.property(cases, ({shape, features}) => {
      const {height, width} = shape;
      const fast = squaredDistanceTransform(features, shape);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          let best = Infinity;
          for (let v = 0; v < height; v++) {
            for (let u = 0; u < width; u++) if (features[v * width + u]) best = Math.min(best, (y - v) ** 2 + (x - u) ** 2);
          }
          if (fast[y * width + x] !== best) return false;
        }
      }
      return true;
    }),
    {numRuns: 300},
  );
  t.pass(); // fc.assert throws on a counterexample
});
