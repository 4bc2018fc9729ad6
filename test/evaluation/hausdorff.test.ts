import test from 'ava';
import fc from 'fast-check';
import {directedBoundaryDistances, hausdorff95, hd95, maskBoundary} from '../../src/evaluation/index.js';
import {bruteHd95, close, drawMask, maskPairArbitrary} from './helpers.js';

test('boundary: a 3x3 square keeps only its centre out; the border of the image counts as background', (t) => {
  const square = drawMask('.....', '.###.', '.###.', '.###.', '.....');
  t.deepEqual([...maskBoundary(square.data, square)], [...drawMask('.....', '.###.', '.#.#.', '.###.', '.....').data]);
  const corner = drawMask('###.', '###.', '###.', '....');
  t.deepEqual([...maskBoundary(corner.data, corner)], [...drawMask('###.', '#.#.', '###.', '....').data]);
});

test('boundary uses 4-connectivity: a pixel with only a diagonal background neighbour is interior', (t) => {
  const mask = drawMask('.####', '#####', '#####', '#####');
  // (1,1) touches background only diagonally at (0,0): eroded by the cross, it is not boundary.
  t.is(maskBoundary(mask.data, mask)[1 * 5 + 1], 0);
});

test('HD95 of a hand case: the two definitions differ', (t) => {
  // Ground truth: a bar at row 2, columns 1..3 (all boundary). Prediction: one pixel at (2, 6).
  const truth = drawMask('........', '........', '.###....', '........', '........');
  const prediction = drawMask('........', '........', '......#.', '........', '........');
  // pred -> gt: [3]; gt -> pred: [5, 4, 3].
  // Default: max(P95([3]) = 3, P95([3, 4, 5]): h = 2 * 0.95 = 1.9 -> 4 + 0.9 * (5 - 4) = 4.9) = 4.9
  // medpy pooled: P95([3, 3, 4, 5]): h = 3 * 0.95 = 2.85 -> 4 + 0.85 * (5 - 4) = 4.85
  const values = hausdorff95(prediction.data, truth.data, truth);
  t.true(close(values.hd95, 4.9));
  t.true(close(values.hd95PooledMedpy, 4.85));
  t.true(close(hd95(prediction.data, truth.data, truth), 4.9));
  t.true(close(hd95(prediction.data, truth.data, truth, 'pooled-medpy'), 4.85));
});

test('HD95 measures boundary to boundary: a mask inside a larger one is not at distance 0', (t) => {
  const outer = drawMask('#####', '#####', '#####', '#####', '#####');
  const inner = drawMask('.....', '.....', '..#..', '.....', '.....');
  // inner -> outer boundary: 2 (to the ring at distance 2). outer ring (16 px) -> (2,2): the 4 edge midpoints at 2,
  // 8 at sqrt(5), 4 corners at sqrt(8). Sorted, h = 15 * 0.95 = 14.25 lands between two corners: sqrt(8).
  t.true(close(hausdorff95(inner.data, outer.data, outer).hd95, Math.sqrt(8)));
});

test('empty-mask policy: both empty -> 0; exactly one empty -> the image diagonal', (t) => {
  const empty = drawMask('....', '....', '....');
  const some = drawMask('.#..', '....', '....');
  t.deepEqual(hausdorff95(empty.data, empty.data, empty), {hd95: 0, hd95PooledMedpy: 0});
  // diagonal of a 3x4 image: sqrt(3^2 + 4^2) = 5
  t.deepEqual(hausdorff95(some.data, empty.data, empty), {hd95: 5, hd95PooledMedpy: 5});
  t.deepEqual(hausdorff95(empty.data, some.data, empty), {hd95: 5, hd95PooledMedpy: 5});
});

test('directed distances to an empty boundary are Infinity (callers apply the policy first)', (t) => {
  const some = drawMask('#.', '..');
  t.deepEqual([...directedBoundaryDistances(some.data, new Uint8Array(4), some)], [Infinity]);
});

test('both definitions equal the O(n^2) brute force; and symmetric', (t) => {
  fc.assert(
    fc.property(maskPairArbitrary, ({shape, a, b}) => {
      const fast = hausdorff95(a, b, shape);
      const swapped = hausdorff95(b, a, shape);
      const reference = bruteHd95(a, b, shape);
      return (
        close(fast.hd95, reference.hd95) &&
        close(fast.hd95PooledMedpy, reference.hd95PooledMedpy) &&
        fast.hd95 === swapped.hd95 &&
        close(fast.hd95PooledMedpy, swapped.hd95PooledMedpy) &&
        Number.isFinite(fast.hd95)
      );
    }),
    {numRuns: 400},
  );
  t.pass(); // fc.assert throws on a counterexample
});

test('directed distances equal the brute force on wide rows (both the scan and the envelope paths)', (t) => {
  const wide = fc
    .record({height: fc.integer({min: 1, max: 4}), width: fc.integer({min: 20, max: 60})})
    .chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        from: fc.array(fc.boolean(), {minLength: shape.height * shape.width, maxLength: shape.height * shape.width}),
        to: fc.array(fc.double({min: 0, max: 1, noNaN: true}), {minLength: shape.height * shape.width, maxLength: shape.height * shape.width}),
      }),
    );
  fc.assert(
    fc.property(wide, ({shape, from, to}) => {
      const source = Uint8Array.from(from, Number);
      const target = Uint8Array.from(to, (u) => (u < 0.05 ? 1 : 0));
      if (!target.includes(1)) return true;
      const fast = directedBoundaryDistances(source, target, shape);
      let next = 0;
      for (let i = 0; i < source.length; i++) {
        if (!source[i]) continue;
        const y = Math.floor(i / shape.width);
        const x = i % shape.width;
        let best = Infinity;
        for (let j = 0; j < target.length; j++) {
          if (target[j]) best = Math.min(best, Math.hypot(y - Math.floor(j / shape.width), x - (j % shape.width)));
        }
        if (!close(fast[next++]!, best)) return false;
      }
      return next === fast.length;
    }),
    {numRuns: 300},
  );
  t.pass(); // fc.assert throws on a counterexample
});
