import test from 'ava';
import fc from 'fast-check';
import {percentile} from '../../src/evaluation/index.js';
import {brutePercentile, close} from './helpers.js';

test('linear interpolation as numpy.percentile does', (t) => {
  // np.percentile([1, 2, 3, 4], 95): h = 3 * 0.95 = 2.85 -> 3 + 0.85 * (4 - 3) = 3.85
  t.true(close(percentile([4, 1, 3, 2], 95), 3.85));
  // np.percentile([3, 4, 5], 95): h = 2 * 0.95 = 1.9 -> 4 + 0.9 * 1 = 4.9
  t.true(close(percentile([5, 3, 4], 95), 4.9));
  t.is(percentile([7], 95), 7);
  t.is(percentile([2, 9], 0), 2);
  t.is(percentile([2, 9], 100), 9);
  t.is(percentile([2, 9], 50), 5.5);
});

test('the input is not reordered; empty input and NaN are errors', (t) => {
  const values = Float64Array.from([3, 1, 2]);
  percentile(values, 95);
  t.deepEqual([...values], [3, 1, 2]);
  t.throws(() => percentile([], 95));
  t.throws(() => percentile([1, Number.NaN], 95));
});

test('selection agrees with sorting on random values with many ties', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({min: 0, max: 6}), {minLength: 1, maxLength: 200}),
      fc.double({min: 0, max: 100, noNaN: true}),
      (values, q) => close(percentile(values.map(Math.sqrt), q), brutePercentile(values.map(Math.sqrt), q)),
    ),
    {numRuns: 500},
  );
  t.pass(); // fc.assert throws on a counterexample
});
