// Seeded percentile bootstrap confidence interval of a mean (Efron & Tibshirani, An Introduction to the Bootstrap,
// 1993, chapter 13). Randomness only through SeededRandom: the same values and seed give the same interval.
import {SeededRandom} from '../../io/random.js';

/** Options of bootstrapMeanCi. */
export interface BootstrapOptions {
  /** Integer seed of the resampling stream. */
  seed: number;
  /** Number of bootstrap resamples; default 10000. */
  resamples?: number;
  /** Confidence level in (0, 1); default 0.95. */
  level?: number;
}

/** A mean with its bootstrap confidence interval [low, high]. */
export interface MeanInterval {
  mean: number;
  low: number;
  high: number;
}

/**
 * The mean of values with a percentile bootstrap confidence interval: `resamples` resamples of n values drawn with
 * replacement (indices from SeededRandom.stream('bootstrap-mean', seed)), the mean of each, and the (1 - level) / 2
 * and (1 + level) / 2 quantiles of those means (linear interpolation between order statistics, Hyndman & Fan's
 * type 7, the default of R and numpy).
 *
 * Paired bootstrap: for two paired samples (variant and reference scored on the same images), the CI of the mean
 * difference is this function applied to the per-pair differences; resampling the pairs keeps each image's two
 * scores together, which is what makes it paired.
 *
 * One value gives the degenerate interval [v, v].
 * @throws Error when values is empty or holds a non-finite number, or resamples / level are out of range.
 */
export function bootstrapMeanCi(values: readonly number[], o: BootstrapOptions): MeanInterval {
  const resamples = o.resamples ?? 10_000;
  const level = o.level ?? 0.95;
  const n = values.length;
  if (n === 0) throw new Error('a bootstrap CI needs at least one value');
  if (!Number.isInteger(o.seed)) throw new Error(`the bootstrap seed must be an integer, got ${o.seed}`);
  if (!values.every(Number.isFinite)) throw new Error('a bootstrap CI needs finite values');
  if (!Number.isInteger(resamples) || resamples < 1) throw new Error(`resamples must be a positive integer, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new Error(`level must be in (0, 1), got ${level}`);
  const mean = values.reduce((sum, v) => sum + v, 0) / n;
  const random = SeededRandom.stream('bootstrap-mean', o.seed);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[random.int(n)]!;
    means[b] = sum / n;
  }
  means.sort();
  const alpha = 1 - level;
  return {mean, low: quantileOfSorted(means, alpha / 2), high: quantileOfSorted(means, 1 - alpha / 2)};
}

/** The p-quantile of ascending values, linear interpolation between order statistics (Hyndman & Fan type 7). */
export function quantileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new Error('the quantile of no values is undefined');
  const position = (sorted.length - 1) * p;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  const fraction = position - below;
  return sorted[below]! + fraction * (sorted[above]! - sorted[below]!);
}
