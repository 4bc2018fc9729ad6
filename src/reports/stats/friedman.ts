// Comparing k variants over N datasets by their ranks: average ranks, Friedman's test with Iman and Davenport's F,
// and the Nemenyi critical difference, as recommended by Demsar ("Statistical comparisons of classifiers over
// multiple data sets", JMLR 7, 2006, section 3.2.2). The numbers of its worked example are reference values in
// test/reports/stats/friedman.test.ts.
import {chiSquareSurvival, fSurvival} from './distributions.js';
import {studentizedRangeQuantile} from './studentized-range.js';
import {tiedRanks} from './tied-ranks.js';

/**
 * Checks that scores[dataset][variant] is a non-empty rectangle of finite numbers with at least two variants.
 * @throws Error naming the first problem.
 */
function checkScoreTable(scores: readonly (readonly number[])[]): {datasets: number; variants: number} {
  const datasets = scores.length;
  if (datasets === 0) throw new Error('ranking needs scores of at least one dataset');
  const variants = scores[0]!.length;
  if (variants < 2) throw new Error(`ranking needs at least 2 variants, got ${variants}`);
  scores.forEach((row, d) => {
    if (row.length !== variants) throw new Error(`dataset ${d} has ${row.length} scores, dataset 0 has ${variants}`);
    if (!row.every(Number.isFinite)) throw new Error(`dataset ${d} has a score that is not a finite number`);
  });
  return {datasets, variants};
}

/**
 * Average rank of each variant over the datasets: within each dataset the variants are ranked 1 (best) to k, ties
 * getting the mean of the ranks they span (Demsar 2006, section 3.2.2), then each variant's ranks are averaged.
 * @param scores scores[dataset][variant], e.g. mean Dice of each variant on each dataset.
 * @param higherIsBetter true (default) when the largest score is the best (Dice), false for errors (HD95).
 * @returns averageRanks[variant], in the order of the columns of scores; they sum to k (k + 1) / 2.
 * @throws Error when scores is empty, ragged, has fewer than 2 variants or a non-finite score.
 */
export function averageRanks(scores: readonly (readonly number[])[], higherIsBetter = true): number[] {
  const {datasets, variants} = checkScoreTable(scores);
  const sums = new Array<number>(variants).fill(0);
  for (const row of scores) {
    const {ranks} = tiedRanks(higherIsBetter ? row.map((v) => -v) : row);
    ranks.forEach((rank, v) => (sums[v]! += rank));
  }
  return sums.map((sum) => sum / datasets);
}

/** Friedman's test over k variants on N datasets, with Iman and Davenport's F. */
export interface FriedmanResult {
  /** N, the number of datasets (blocks). */
  datasets: number;
  /** k, the number of variants (treatments). */
  variants: number;
  /** Average rank of each variant (1 = best, higher scores better), in the order of the columns. */
  averageRanks: number[];
  /** Friedman's chi-square_F = 12 N / (k (k + 1)) [sum_j R_j^2 - k (k + 1)^2 / 4], df = k - 1. */
  chiSquare: number;
  df: number;
  /** Upper chi-square tail of chiSquare with df degrees of freedom. */
  p: number;
  /**
   * Iman & Davenport's F_F = (N - 1) chi-square_F / (N (k - 1) - chi-square_F), F-distributed with k - 1 and
   * (k - 1)(N - 1) degrees of freedom (Iman & Davenport, Comm. Stat. A 9, 1980), less conservative than the chi-square;
   * f is Infinity and p 0 when every dataset ranks the variants identically without ties.
   */
  imanDavenport: {f: number; df1: number; df2: number; p: number};
}

/**
 * Friedman's test of "all variants perform alike" (Friedman, JASA 32, 1937) on scores[dataset][variant], in the
 * form Demsar (2006) gives, with average ranks and without the tie correction of the variance; its p from the
 * chi-square distribution and Iman & Davenport's F with its p, as Demsar recommends. The statistics do not depend on
 * whether higher scores are better (reversing the ranks leaves them unchanged).
 * @throws Error when scores has fewer than 2 datasets or 2 variants, is ragged or holds a non-finite score.
 */
export function friedmanTest(scores: readonly (readonly number[])[]): FriedmanResult {
  const {datasets: n, variants: k} = checkScoreTable(scores);
  if (n < 2) throw new Error(`Friedman's test needs at least 2 datasets, got ${n}`);
  const ranks = averageRanks(scores);
  const sumOfSquares = ranks.reduce((sum, r) => sum + r * r, 0);
  // Rounding can leave a tiny negative value where all ranks are equal.
  const chiSquare = Math.max(0, ((12 * n) / (k * (k + 1))) * (sumOfSquares - (k * (k + 1) ** 2) / 4));
  const df = k - 1;
  const df2 = (k - 1) * (n - 1);
  const denominator = n * (k - 1) - chiSquare;
  const f = denominator <= 1e-12 ? Infinity : ((n - 1) * chiSquare) / denominator;
  return {
    datasets: n,
    variants: k,
    averageRanks: ranks,
    chiSquare,
    df,
    p: chiSquareSurvival(chiSquare, df),
    imanDavenport: {f, df1: df, df2, p: fSurvival(f, df, df2)},
  };
}

/**
 * The Nemenyi test's q_alpha for k variants: the upper-alpha quantile of the studentized range of k groups with
 * infinite degrees of freedom, over sqrt(2) (Demsar 2006, Table 5a; k = 2..10 at alpha 0.05: 1.960 2.343 2.569
 * 2.728 2.850 2.949 3.031 3.102 3.164). Computed for any k >= 2.
 * @throws Error when k < 2 or alpha is outside (0, 1).
 */
export function nemenyiQAlpha(k: number, alpha = 0.05): number {
  if (!(alpha > 0 && alpha < 1)) throw new Error(`alpha must be in (0, 1), got ${alpha}`);
  return studentizedRangeQuantile(1 - alpha, k) / Math.SQRT2;
}

/**
 * The Nemenyi critical difference: two variants whose average ranks over N datasets differ by at least
 * CD = q_alpha sqrt(k (k + 1) / (6 N)) perform significantly differently (Demsar 2006, section 3.2.2).
 * E.g. k = 4, N = 14, alpha 0.05: 2.569 * sqrt(20 / 84) = 1.25.
 * @throws Error when k < 2, datasets < 1 or alpha is outside (0, 1).
 */
export function nemenyiCriticalDifference(k: number, datasets: number, alpha = 0.05): number {
  if (!Number.isInteger(datasets) || datasets < 1) throw new Error(`the critical difference needs N >= 1 datasets, got ${datasets}`);
  return nemenyiQAlpha(k, alpha) * Math.sqrt((k * (k + 1)) / (6 * datasets));
}
