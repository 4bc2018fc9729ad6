import test from 'ava';
import fc from 'fast-check';
import {normalCdf} from '../../../src/reports/stats/distributions.js';
import {studentizedRangeCdf, studentizedRangeQuantile} from '../../../src/reports/stats/studentized-range.js';

test('upper 5% points at infinite df match the published tables, also beyond k = 10', (t) => {
  // Harter, "Tables of range and studentized range", Ann. Math. Stat. 31 (1960), df = infinity, as in the usual
  // tables of Tukey's HSD: k = 4: 3.633, k = 10: 4.474, k = 12: 4.622, k = 15: 4.796, k = 20: 5.012.
  const table: Array<[number, number]> = [[4, 3.633], [10, 4.474], [12, 4.622], [15, 4.796], [20, 5.012]];
  for (const [k, q] of table) t.true(Math.abs(studentizedRangeQuantile(0.95, k) - q) < 1e-3, `k = ${k}: ${studentizedRangeQuantile(0.95, k)}`);
});

test('k = 2 has the closed form P(|X - Y| <= q) = 2 Phi(q / sqrt 2) - 1', (t) => {
  fc.assert(fc.property(fc.double({min: 0.01, max: 8, noNaN: true}), (q) =>
    Math.abs(studentizedRangeCdf(q, 2) - (2 * normalCdf(q / Math.SQRT2) - 1)) < 1e-9));
  t.true(Math.abs(studentizedRangeQuantile(0.95, 2) - Math.SQRT2 * 1.959963984540054) < 1e-7);
});

test('the CDF rises from 0 to 1 in q and falls in k; invalid input is refused', (t) => {
  t.is(studentizedRangeCdf(0, 5), 0);
  t.is(studentizedRangeCdf(Infinity, 5), 1);
  t.true(studentizedRangeCdf(12, 5) > 1 - 1e-9);
  fc.assert(fc.property(fc.double({min: 0.1, max: 6, noNaN: true}), fc.double({min: 0, max: 1, noNaN: true}), fc.integer({min: 2, max: 30}), (q, step, k) =>
    studentizedRangeCdf(q + step, k) >= studentizedRangeCdf(q, k) - 1e-12 && studentizedRangeCdf(q, k + 1) <= studentizedRangeCdf(q, k) + 1e-12), {numRuns: 40});
  t.throws(() => studentizedRangeCdf(1, 1), {message: /k >= 2/});
  t.throws(() => studentizedRangeQuantile(1, 4), {message: /\(0, 1\)/});
});
