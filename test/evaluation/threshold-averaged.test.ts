import test from 'ava';
import fc from 'fast-check';
import {diceOverThresholds, thresholdAveragedDice} from '../../src/evaluation/index.js';
import {close} from './helpers.js';

test('threshold-averaged Dice of a hand case', (t) => {
  // p = [0.9, 0.3, 0.1], truth = [1, 1, 0]. Foreground where p >= k/255:
  // k = 0        (t = 0):           all three -> TP 2, pred 3: Dice 2*2/(3+2) = 0.8            (1 threshold)
  // k = 1..25    (t <= 0.098):      all three, 0.1 >= 25/255 = 0.098 -> 0.8                     (25 thresholds)
  // k = 26..76   (t <= 0.298):      0.9, 0.3 -> TP 2, pred 2: Dice 1                             (51 thresholds)
  // k = 77..229  (t <= 0.898):      0.9 only -> TP 1, pred 1: Dice 2/3                           (153 thresholds)
  // k = 230..255:                   nothing -> Dice 0                                            (26 thresholds)
  // mean = (26 * 0.8 + 51 * 1 + 153 * 2/3 + 0) / 256 = (20.8 + 51 + 102) / 256 = 173.8 / 256
  const p = Float32Array.from([0.9, 0.3, 0.1]);
  const truth = Uint8Array.from([1, 1, 0]);
  const shape = {height: 1, width: 3};
  t.true(close(thresholdAveragedDice(p, truth, shape), 173.8 / 256, 1e-12));
});

test('empty ground truth and no prediction at any threshold above 0: Dice 1 there, 0 at threshold 0', (t) => {
  const curve = diceOverThresholds(Float32Array.from([0, 0]), Uint8Array.from([0, 0]), {height: 1, width: 2});
  // t = 0: p >= 0 predicts both pixels on an empty truth -> 0; every t > 0 predicts nothing -> both empty -> 1
  t.is(curve[0], 0);
  t.is(curve[1], 1);
  t.is(curve[255], 1);
});

test('equals Dice computed threshold by threshold (p >= k/255)', (t) => {
  const cases = fc.integer({min: 1, max: 40}).chain((n) =>
    fc.record({
      p: fc.array(fc.oneof(fc.double({min: 0, max: 1, noNaN: true}), fc.integer({min: 0, max: 255}).map((k) => k / 255)), {minLength: n, maxLength: n}),
      truth: fc.array(fc.constantFrom(0, 1), {minLength: n, maxLength: n}),
    }),
  );
  fc.assert(
    fc.property(cases, ({p, truth}) => {
      const curve = diceOverThresholds(p, Uint8Array.from(truth), {height: 1, width: p.length});
      let actual = 0;
      for (const value of truth) actual += value;
      for (let k = 0; k < 256; k++) {
        let tp = 0;
        let predicted = 0;
        for (let i = 0; i < p.length; i++) {
          if (p[i]! >= k / 255) {
            predicted++;
            tp += truth[i]!;
          }
        }
        const expected = predicted + actual === 0 ? 1 : (2 * tp) / (predicted + actual);
        if (!close(curve[k]!, expected)) return false;
      }
      return true;
    }),
    {numRuns: 300},
  );
  t.pass(); // fc.assert throws on a counterexample
});
