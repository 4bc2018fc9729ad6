// Ranking stability: how often each variant takes each rank when the test images are resampled (the question of
// the challengeR toolkit: Wiesenfarth et al., "Methods and open-source toolkit for analyzing and visualizing
// challenge results", Sci Rep 11, 2021, bootstrap of the test cases with "aggregate then rank").
import {SeededRandom} from '../io/random.js';

/** Options of rankStability. */
export interface RankStabilityOptions {
  /** Integer seed of the resampling stream. */
  seed: number;
  /** Number of bootstrap resamples of the images; default 1000 (conventions.md asks for at least 1000). */
  resamples?: number;
}

/**
 * Rank frequencies over bootstrap resamples of the images. Each resample draws n image indices with replacement
 * (SeededRandom.stream('rank-stability', seed)), the same indices for every variant (the images stay paired), and
 * ranks the variants by their mean score over the drawn images: rank 1 = highest mean; tied means share the best
 * of their ranks ("min" ranking, challengeR's default), so every variant takes exactly one rank per resample.
 * @param scores scores[variant][image], e.g. each image's Dice averaged over seeds; every row the same images.
 * @returns frequencies[v][r] = share of resamples in which variant v ranks r + 1; each row sums to 1.
 * @throws Error when scores is empty, ragged, has no image or a non-finite score, or resamples is not a positive integer.
 */
export function rankStability(scores: readonly (readonly number[])[], o: RankStabilityOptions): number[][] {
  const resamples = o.resamples ?? 1000;
  const variants = scores.length;
  if (variants === 0) throw new Error('rank stability needs at least one variant');
  const images = scores[0]!.length;
  if (images === 0) throw new Error('rank stability needs at least one image');
  scores.forEach((row, v) => {
    if (row.length !== images) throw new Error(`variant ${v} has ${row.length} image scores, variant 0 has ${images}`);
    if (!row.every(Number.isFinite)) throw new Error(`variant ${v} has an image score that is not a finite number`);
  });
  if (!Number.isInteger(resamples) || resamples < 1) throw new Error(`resamples must be a positive integer, got ${resamples}`);
  if (!Number.isInteger(o.seed)) throw new Error(`the rank-stability seed must be an integer, got ${o.seed}`);
  const random = SeededRandom.stream('rank-stability', o.seed);
  const counts = Array.from({length: variants}, () => new Array<number>(variants).fill(0));
  const sums = new Float64Array(variants);
  for (let b = 0; b < resamples; b++) {
    sums.fill(0);
    for (let i = 0; i < images; i++) {
      const image = random.int(images);
      for (let v = 0; v < variants; v++) sums[v]! += scores[v]![image]!;
    }
    for (let v = 0; v < variants; v++) {
      // Min ranking: 1 + the number of variants with a strictly higher mean (sums over the same n images).
      let better = 0;
      for (let other = 0; other < variants; other++) if (sums[other]! > sums[v]!) better++;
      counts[v]![better]!++;
    }
  }
  return counts.map((row) => row.map((count) => count / resamples));
}
