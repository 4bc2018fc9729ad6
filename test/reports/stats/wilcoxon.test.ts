import test from 'ava';
import fc from 'fast-check';
import {signedRankCdf, wilcoxonSignedRank} from '../../../src/reports/stats/wilcoxon.js';

test("scipy's documented example (Darwin's Zea mays height differences): T = 24, exact p = 0.041259765625", (t) => {
  // scipy.stats.wilcoxon documentation example. By hand: W- = rank(48) + rank(67) = 10 + 14 = 24, and 676 of the
  // 2^15 = 32768 subsets of {1..15} sum to at most 24, so p = 2 * 676 / 32768.
  const d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];
  const result = wilcoxonSignedRank(d);
  t.deepEqual(result, {n: 15, statistic: 24, p: 0.041259765625, method: 'exact'});
  t.is(signedRankCdf(24, 15) * 2 ** 15, 676);
});

test('exact lower tails of the signed-rank statistic (tables of Wilcoxon critical values)', (t) => {
  // P(W <= w) for n untied differences; e.g. n = 10: P(W <= 8) = 0.0244 and P(W <= 10) = 0.0420, the one-sided
  // 0.025 and 0.05 critical values of the usual tables of the signed-rank statistic.
  t.is(signedRankCdf(0, 5), 1 / 32);
  t.is(signedRankCdf(0, 6), 1 / 64);
  t.is(signedRankCdf(2, 6), 3 / 64); // {}, {1}, {2}
  t.is(signedRankCdf(8, 10), 25 / 1024);
  t.is(signedRankCdf(10, 10), 43 / 1024);
  t.true(Math.abs(signedRankCdf(52, 20) - 0.02422046661376953) < 1e-15); // n = 20 critical value 52 at 0.025
  t.is(signedRankCdf(-1, 4), 0);
  t.is(signedRankCdf(10, 4), 1);
});

test('n = 5 (five seeds) can never reach p < 0.05: the smallest exact two-sided p is 0.0625', (t) => {
  t.deepEqual(wilcoxonSignedRank([0.01, 0.02, 0.03, 0.04, 0.05]), {n: 5, statistic: 0, p: 0.0625, method: 'exact'});
  fc.assert(fc.property(fc.uniqueArray(fc.integer({min: 1, max: 1000}), {minLength: 5, maxLength: 5}), fc.array(fc.boolean(), {minLength: 5, maxLength: 5}), (magnitudes, signs) => {
    const result = wilcoxonSignedRank(magnitudes.map((m, i) => (signs[i] ? m : -m)));
    return result.method === 'exact' && result.p >= 0.0625;
  }));
});

test('ties: normal approximation with the tie-corrected variance and the continuity correction', (t) => {
  // By hand: non-zero |d| ranks 0.5:1, 1.5:2, 2:3.5 x2, 3:6 x3, 4:8, 5:9.5 x2, 6:11, 7:12; W- = 6 + 9.5 = 15.5;
  // mean 39, variance 12*13*25/24 - (6 + 24 + 6)/48 = 161.75, z = (15.5 - 39 + 0.5) / sqrt(161.75) = -1.8084.
  // scipy.stats.wilcoxon(d, method='approx', correction=True) gives p = 0.07053701950301099.
  const d = [1.5, 2, 2, -3, 3, 3, 4, 5, -5, 6, 0, 7, 0.5];
  const result = wilcoxonSignedRank(d);
  t.is(result.n, 12);
  t.is(result.statistic, 15.5);
  t.is(result.method, 'normal');
  t.true(Math.abs(result.p - 0.07053701950301099) < 1e-12, String(result.p));
});

test('more than 50 differences: normal approximation with continuity correction', (t) => {
  // scipy.stats.wilcoxon(d, method='approx', correction=True): T = 435, p = 0.0004157346143241448.
  const d = Array.from({length: 60}, (_, i) => (i % 7 === 0 || i % 11 === 3 ? -(i + 1) : i + 1));
  const result = wilcoxonSignedRank(d);
  t.is(result.method, 'normal');
  t.is(result.statistic, 435);
  t.true(Math.abs(result.p - 0.0004157346143241448) < 1e-14, String(result.p));
});

test('zero differences are dropped; all zeros give n = 0 and p = 1', (t) => {
  t.deepEqual(wilcoxonSignedRank([0, 0, 0]), {n: 0, statistic: 0, p: 1, method: 'exact'});
  t.deepEqual(wilcoxonSignedRank([]), {n: 0, statistic: 0, p: 1, method: 'exact'});
  t.deepEqual(wilcoxonSignedRank([0, 3, 0, -1, 2]), wilcoxonSignedRank([3, -1, 2]));
  t.throws(() => wilcoxonSignedRank([1, Number.NaN]), {message: /finite/});
});

const differences = fc.array(fc.integer({min: -40, max: 40}), {maxLength: 70});

test('properties: p in [0, 1], unchanged by a sign flip, by scaling and by the order of the differences', (t) => {
  fc.assert(fc.property(differences, fc.integer({min: 1, max: 1000}), (d, scale) => {
    const result = wilcoxonSignedRank(d);
    const flipped = wilcoxonSignedRank(d.map((x) => -x));
    const scaled = wilcoxonSignedRank(d.map((x) => x * scale));
    const reversed = wilcoxonSignedRank([...d].reverse());
    return result.p >= 0 && result.p <= 1 && flipped.p === result.p && flipped.statistic === result.statistic &&
      scaled.p === result.p && reversed.p === result.p;
  }));
  t.pass();
});

test('property: the exact p is the two-sided tail of the brute-force null distribution (n <= 10)', (t) => {
  fc.assert(fc.property(fc.uniqueArray(fc.integer({min: 1, max: 100}), {minLength: 1, maxLength: 10}), fc.array(fc.boolean(), {minLength: 10, maxLength: 10}), (magnitudes, signs) => {
    const d = magnitudes.map((m, i) => (signs[i] ? m : -m));
    const result = wilcoxonSignedRank(d);
    const n = d.length;
    // Enumerate every sign pattern of ranks 1..n.
    let atMost = 0;
    for (let mask = 0; mask < 2 ** n; mask++) {
      let sum = 0;
      for (let r = 1; r <= n; r++) if (mask & (1 << (r - 1))) sum += r;
      if (sum <= result.statistic) atMost++;
    }
    return result.method === 'exact' && Math.abs(result.p - Math.min(1, (2 * atMost) / 2 ** n)) < 1e-15;
  }));
  t.pass();
});
