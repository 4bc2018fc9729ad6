// Wilcoxon's signed-rank test for paired samples (Wilcoxon, Biometrics Bulletin 1, 1945), two-sided, as
// conventions.md defines it: zeros dropped (scipy's zero_method='wilcox'), the exact null distribution up to 50
// differences without ties, else the normal approximation with the tie correction and the continuity correction
// (scipy's default is correction=False, and its 'auto' also leaves the exact distribution when zeros occur: our
// p-values there are the corrected, slightly more conservative ones).
import {normalSurvival} from './distributions.js';
import {tiedRanks} from './tied-ranks.js';

/** Largest number of non-zero differences for which the exact null distribution is used (as scipy's 'auto'). */
export const WILCOXON_EXACT_MAX_N = 50;

/** The outcome of a two-sided Wilcoxon signed-rank test. */
export interface WilcoxonResult {
  /** Number of non-zero differences the test is over (zeros are dropped). */
  n: number;
  /** T = min(W+, W-), the smaller of the rank sums of the positive and of the negative differences. */
  statistic: number;
  /** Two-sided p-value, in [0, 1]. */
  p: number;
  /** 'exact': the exact null distribution (n <= 50, no tied |differences|); 'normal': the normal approximation. */
  method: 'exact' | 'normal';
}

/**
 * Two-sided Wilcoxon signed-rank test of "the differences are symmetric about 0".
 *
 * - Zero differences are dropped before ranking (Wilcoxon's own method; scipy's zero_method='wilcox').
 * - The absolute differences are ranked, ties getting mid-ranks; W+ and W- are the rank sums of the positive and of
 *   the negative differences, T = min(W+, W-).
 * - Exact (n <= 50 and no tied |differences|): p = min(1, 2 P(W <= T)) under the null distribution of W, the sum
 *   of a random subset of {1..n} (each of the 2^n sign patterns equally likely), counted by dynamic programming.
 * - Otherwise the normal approximation: mean n(n+1)/4, variance n(n+1)(2n+1)/24 - sum(t^3 - t)/48 over groups of
 *   t tied |differences| (the tie correction, e.g. Hollander & Wolfe, Nonparametric Statistical Methods, 3rd ed.,
 *   section 3.1), z = (T - mean + 1/2) / sd (the continuity correction, towards the mean), p = 2 (1 - Phi(|z|)).
 * - No non-zero difference: n = 0, statistic 0, p = 1 (nothing speaks against the null).
 *
 * Over fewer than 6 differences no exact two-sided p can fall below 0.05 (n = 5: at least 2/32 = 0.0625), which
 * is why the report tests over test images, never over 3-5 seeds (conventions.md).
 * @throws Error when a difference is not a finite number.
 */
export function wilcoxonSignedRank(differences: readonly number[]): WilcoxonResult {
  for (const d of differences) {
    if (!Number.isFinite(d)) throw new Error(`Wilcoxon's test needs finite differences, got ${d}`);
  }
  // Differences of seed-averaged Dice carry float noise: equal in exact arithmetic but 1e-16 apart must rank as the
  // tie (and the zero) they are. Rounded to 12 decimals, far below any Dice resolution (1 / pixels).
  const nonZero = differences.map((d) => Math.round(d * 1e12) / 1e12).filter((d) => d !== 0);
  const n = nonZero.length;
  if (n === 0) return {n: 0, statistic: 0, p: 1, method: 'exact'};
  const {ranks, tieGroups} = tiedRanks(nonZero.map(Math.abs));
  let wPlus = 0;
  for (let i = 0; i < n; i++) if (nonZero[i]! > 0) wPlus += ranks[i]!;
  const total = (n * (n + 1)) / 2;
  const statistic = Math.min(wPlus, total - wPlus);
  if (n <= WILCOXON_EXACT_MAX_N && tieGroups.length === 0) {
    return {n, statistic, p: Math.min(1, 2 * signedRankCdf(statistic, n)), method: 'exact'};
  }
  const mean = total / 2;
  const tieTerm = tieGroups.reduce((sum, t) => sum + t * t * t - t, 0);
  const sd = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48);
  const deviation = statistic - mean;
  // Continuity correction: half a unit towards the mean (none when T is the mean itself).
  const z = (deviation - 0.5 * Math.sign(deviation)) / sd;
  return {n, statistic, p: Math.min(1, 2 * normalSurvival(Math.abs(z))), method: 'normal'};
}

/**
 * P(W <= w) for the signed-rank statistic over n untied differences under the null hypothesis: the number of
 * subsets of {1, ..., n} whose sum is at most w, over 2^n. Counts stay below 2^50 for n <= 50, exact in doubles.
 */
export function signedRankCdf(w: number, n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new Error(`signedRankCdf needs an integer n >= 0, got ${n}`);
  const maxSum = (n * (n + 1)) / 2;
  if (w < 0) return 0;
  if (w >= maxSum) return 1;
  const limit = Math.floor(w);
  // counts[s] = number of subsets of {1..i} summing to s, for s <= limit (larger sums are never needed).
  const counts = new Float64Array(limit + 1);
  counts[0] = 1;
  for (let i = 1; i <= n; i++) {
    for (let s = limit; s >= i; s--) counts[s]! += counts[s - i]!;
  }
  let atMost = 0;
  for (let s = 0; s <= limit; s++) atMost += counts[s]!;
  return atMost / 2 ** n;
}
