// medianIqr: the one summary of repeated timings (bench engine, models profile).
import test from 'ava';
import fc from 'fast-check';
import {medianIqr} from '../../src/evaluation/index.js';
import {brutePercentile, close} from './helpers.js';

test('numpy values: median and quartiles with linear interpolation', (t) => {
  // np.percentile([1, 2, 3, 4], [25, 50, 75]) = [1.75, 2.5, 3.25]
  t.deepEqual(medianIqr([4, 1, 3, 2]), {median: 2.5, iqr: [1.75, 3.25]});
  t.deepEqual(medianIqr([5]), {median: 5, iqr: [5, 5]});
  // np.percentile([1, 3], 75) = 2.5
  t.is(medianIqr([1, 3]).iqr[1], 2.5);
  t.throws(() => medianIqr([]));
});

test('for any sample: q1 <= median <= q3 within [min, max], each equal to the sorted-order definition', (t) => {
  fc.assert(fc.property(fc.array(fc.double({min: 0, max: 1e6, noNaN: true}), {minLength: 1, maxLength: 100}), (values) => {
    const {median, iqr: [q1, q3]} = medianIqr(values);
    return q1 <= median && median <= q3 && q1 >= Math.min(...values) && q3 <= Math.max(...values) &&
      close(median, brutePercentile(values, 50)) && close(q1, brutePercentile(values, 25)) && close(q3, brutePercentile(values, 75));
  }));
  t.pass();
});
