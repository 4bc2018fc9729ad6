// The report's statistical analyses: pure functions from parts of the ReportModel (per-image rows, summary rows) to
// its `comparisons`, `ranks` and `rankStability` fields. Definitions: ../shared/design/conventions.md, Statistics.
// Deterministic: every resampling stream is seeded from the caller's seed and the names of what it compares, so
// one comparison's CI does not depend on which other comparisons the report holds.
import {hashLabel, mixSeed} from '../io/random.js';
import type {PairedComparison, PerImageRow, RankAnalysis, RankStability, ReportModel, SummaryRow} from './model.js';
import {bootstrapMeanCi} from './stats/bootstrap.js';
import {friedmanTest, nemenyiCriticalDifference} from './stats/friedman.js';
import {holmAdjust} from './stats/holm.js';
import {wilcoxonSignedRank} from './stats/wilcoxon.js';
import {rankStability} from './rank-stability.js';

/** Significance level of the Holm-adjusted p-values (PairedComparison.significant). */
export const SIGNIFICANCE_LEVEL = 0.05;

/** Per-image rows of one dataset's test set, in the order of their first appearance. */
interface TestSetGroup {
  dataset: string;
  testSet: string;
  rows: PerImageRow[];
}

function groupByTestSet(perImage: readonly PerImageRow[]): TestSetGroup[] {
  const groups = new Map<string, TestSetGroup>();
  for (const row of perImage) {
    const key = JSON.stringify([row.dataset, row.testSet]);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = {dataset: row.dataset, testSet: row.testSet, rows: []}));
    group.rows.push(row);
  }
  return [...groups.values()];
}

/**
 * Each variant's Dice per image, averaged over every run (seed, fold) of that variant that scored the image:
 * variant -> image id -> mean Dice. Variants in the order of their first appearance.
 * @throws Error when a Dice value is not a finite number (conventions.md: no NaN ever reaches a mean).
 */
function imageMeansByVariant(rows: readonly PerImageRow[]): Map<string, Map<string, number>> {
  const sums = new Map<string, Map<string, {sum: number; count: number}>>();
  for (const row of rows) {
    if (!Number.isFinite(row.dice)) {
      throw new Error(`run ${row.runId} has a Dice of ${row.dice} for image '${row.image}': re-evaluate it with mslk eval`);
    }
    let images = sums.get(row.variant);
    if (!images) sums.set(row.variant, (images = new Map()));
    const entry = images.get(row.image) ?? {sum: 0, count: 0};
    entry.sum += row.dice;
    entry.count += 1;
    images.set(row.image, entry);
  }
  const means = new Map<string, Map<string, number>>();
  for (const [variant, images] of sums) {
    means.set(variant, new Map([...images].map(([image, {sum, count}]) => [image, sum / count])));
  }
  return means;
}

/** A run's place in the seed x fold grid. */
function runKey(row: Pick<PerImageRow, 'seed' | 'fold'>): string {
  return `${row.seed}:${row.fold ?? '-'}`;
}

/** The (seed, fold) pairs for which both `variant` and `against` have per-image rows. */
function sharedRuns(rows: readonly PerImageRow[], variant: string, against: string): Set<string> {
  const of = (name: string) => new Set(rows.filter((r) => r.variant === name).map(runKey));
  const theirs = of(against);
  return new Set([...of(variant)].filter((key) => theirs.has(key)));
}

/** Code-unit order, independent of the locale (localeCompare is not). */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Options of pairedComparisons. */
export interface PairedComparisonOptions {
  /** The variant or baseline every difference is taken against (the suite's reference, or the U-Net baseline). */
  against: string;
  /** The variants to compare, in the order of the rows (`against` itself, if listed, is skipped). */
  variants: readonly string[];
  /** Integer seed of the bootstrap streams. */
  seed: number;
  /** Bootstrap resamples per comparison; default 10000. */
  resamples?: number;
}

/**
 * Paired comparisons over test images of each variant against `against`, one family: for every (dataset, test set)
 * in the order of first appearance in perImage, and every variant of o.variants (in that order) other than
 * `against` that has rows there:
 *
 * 1. each image's Dice is averaged over the runs (seeds, and folds) that both sides have (a seed done on one side
 *    only is left out of the pair; `pairedRuns` says how many runs each side contributes);
 * 2. images are matched by id; those scored on one side only are left out and counted in `unmatchedImages`;
 * 3. on the differences (variant - against), over matched images in code-unit order of their ids: the mean with
 *    a seeded paired percentile bootstrap 95% CI (bootstrapMeanCi, seed mixed from o.seed and the dataset, test set,
 *    variant and `against` names) and the two-sided Wilcoxon signed-rank p (wilcoxonSignedRank);
 * 4. Holm's adjustment over every row returned (the whole family of this `against`), significant = pHolm < 0.05.
 *
 * A (dataset, test set) where `against` or the variant has no row, or where no image matches, gives no row: a test
 * over nothing is not shown as a result (the report shows the missing runs from their RunRows).
 * @throws Error when a Dice value is not a finite number or o.seed is not an integer.
 */
export function pairedComparisons(perImage: readonly PerImageRow[], o: PairedComparisonOptions): PairedComparison[] {
  if (!Number.isInteger(o.seed)) throw new Error(`the comparison seed must be an integer, got ${o.seed}`);
  const variants = [...new Set(o.variants)].filter((v) => v !== o.against);
  const rows: Omit<PairedComparison, 'pHolm' | 'significant'>[] = [];
  for (const group of groupByTestSet(perImage)) {
    const means = imageMeansByVariant(group.rows);
    if (!means.has(o.against)) continue;
    for (const variant of variants) {
      if (!means.has(variant)) continue;
      // Only the seeds (and folds) both sides have: a failed seed of one side must not pair one seed's scores
      // against another seed set's mean.
      const runs = sharedRuns(group.rows, variant, o.against);
      if (runs.size === 0) continue;
      const paired = imageMeansByVariant(group.rows.filter((r) => (r.variant === variant || r.variant === o.against) && runs.has(runKey(r))));
      const scores = paired.get(variant)!;
      const reference = paired.get(o.against)!;
      const matched = [...scores.keys()].filter((image) => reference.has(image)).sort(byCodeUnits);
      if (matched.length === 0) continue;
      const differences = matched.map((image) => scores.get(image)! - reference.get(image)!);
      const seed = mixSeed(o.seed, hashLabel(group.dataset), hashLabel(group.testSet), hashLabel(variant), hashLabel(o.against));
      const interval = bootstrapMeanCi(differences, {seed, ...(o.resamples === undefined ? {} : {resamples: o.resamples})});
      const test = wilcoxonSignedRank(differences);
      rows.push({
        dataset: group.dataset,
        testSet: group.testSet,
        variant,
        against: o.against,
        metric: 'dice',
        images: matched.length,
        pairedRuns: runs.size,
        unmatchedImages: {variantOnly: scores.size - matched.length, againstOnly: reference.size - matched.length},
        meanDifference: interval.mean,
        ci: [interval.low, interval.high],
        p: test.p,
        pMethod: test.method,
      });
    }
  }
  const adjusted = holmAdjust(rows.map((row) => row.p));
  return rows.map((row, i) => ({...row, pHolm: adjusted[i]!, significant: adjusted[i]! < SIGNIFICANCE_LEVEL}));
}

/**
 * Average ranks of the variants across datasets by test mDice (rank 1 = best), Friedman's test with Iman and
 * Davenport's F, and the Nemenyi critical difference at alpha 0.05 (Demsar 2006), over the summary rows of one test
 * set. Variants and datasets in the order of their first appearance in summary.
 * @returns null with fewer than 3 datasets or 2 variants, or when a variant has no mDice on one of the datasets
 *   (a rank over an incomplete table would silently compare different things).
 * @throws Error when two summary rows have the same variant, dataset and test set.
 */
export function rankAnalysis(summary: readonly SummaryRow[], testSet = 'test'): RankAnalysis | null {
  const rows = summary.filter((row) => row.testSet === testSet);
  const datasets = [...new Set(rows.map((row) => row.dataset))];
  const variants = [...new Set(rows.map((row) => row.variant))];
  if (datasets.length < 3 || variants.length < 2) return null;
  const dice = new Map<string, number | null>();
  for (const row of rows) {
    const key = JSON.stringify([row.dataset, row.variant]);
    if (dice.has(key)) throw new Error(`two summary rows for variant '${row.variant}' on ${row.dataset} (${testSet})`);
    dice.set(key, row.dice.mean);
  }
  const table: number[][] = [];
  for (const dataset of datasets) {
    const row: number[] = [];
    for (const variant of variants) {
      const mean = dice.get(JSON.stringify([dataset, variant]));
      if (mean === undefined || mean === null) return null;
      row.push(mean);
    }
    table.push(row);
  }
  const friedman = friedmanTest(table);
  return {
    variants,
    averageRanks: friedman.averageRanks,
    datasets: datasets.length,
    friedman: {chiSquare: friedman.chiSquare, p: friedman.p, df: friedman.df},
    imanDavenport: friedman.imanDavenport,
    criticalDifference: nemenyiCriticalDifference(variants.length, datasets.length),
  };
}

/** Options of rankStabilities. */
export interface RankStabilitiesOptions {
  /** Integer seed of the resampling streams. */
  seed: number;
  /** Bootstrap resamples per test set; default 1000. */
  resamples?: number;
}

/**
 * Rank stability of the variants on each (dataset, test set) of perImage, in the order of first appearance:
 * each image's Dice averaged over each variant's runs, the images scored for every variant there (in code-unit
 * order of their ids), and rankStability over them (seed mixed from o.seed and the dataset and test set names).
 * A test set with fewer than 2 variants, or no image common to all, gives no entry.
 * @throws Error when a Dice value is not a finite number or o.seed is not an integer.
 */
export function rankStabilities(perImage: readonly PerImageRow[], o: RankStabilitiesOptions): RankStability[] {
  if (!Number.isInteger(o.seed)) throw new Error(`the rank-stability seed must be an integer, got ${o.seed}`);
  const resamples = o.resamples ?? 1000;
  const out: RankStability[] = [];
  for (const group of groupByTestSet(perImage)) {
    const means = imageMeansByVariant(group.rows);
    const variants = [...means.keys()];
    if (variants.length < 2) continue;
    const common = [...means.get(variants[0]!)!.keys()]
      .filter((image) => variants.every((variant) => means.get(variant)!.has(image)))
      .sort(byCodeUnits);
    if (common.length === 0) continue;
    const scores = variants.map((variant) => common.map((image) => means.get(variant)!.get(image)!));
    const seed = mixSeed(o.seed, hashLabel(group.dataset), hashLabel(group.testSet));
    out.push({
      dataset: group.dataset,
      testSet: group.testSet,
      resamples,
      variants,
      frequencies: rankStability(scores, {seed, resamples}),
    });
  }
  return out;
}

/**
 * Every statistical field of a ReportModel from its other parts, the one call a report makes:
 * - comparisons: the family against `reference` (every other model of the summary, variants and baselines, in
 *   summary order), then the family against `unetBaseline` when there is one and it is not the reference (every
 *   other model), each Holm-adjusted on its own (pairedComparisons);
 * - ranks: rankAnalysis over the datasets' own test sets (null below 3 datasets);
 * - rankStability: rankStabilities over every test set.
 * @param o.seed integer seed of every bootstrap (the same seed and runs give the same numbers).
 * @param o.resamples bootstrap resamples of the paired CIs (default 10000) and of the rank stability (default 1000).
 */
export function reportAnalyses(
  parts: Pick<ReportModel, 'reference' | 'unetBaseline' | 'summary' | 'perImage'>,
  o: {seed: number; resamples?: {comparisons?: number; rankStability?: number}},
): Pick<ReportModel, 'comparisons' | 'ranks' | 'rankStability'> {
  const models = [...new Set(parts.summary.map((row) => row.variant))];
  const against = [parts.reference, parts.unetBaseline].filter((name, i, all): name is string => name !== null && all.indexOf(name) === i);
  const comparisonResamples = o.resamples?.comparisons;
  const stabilityResamples = o.resamples?.rankStability;
  return {
    comparisons: against.flatMap((name) =>
      pairedComparisons(parts.perImage, {
        against: name,
        variants: models,
        seed: o.seed,
        ...(comparisonResamples === undefined ? {} : {resamples: comparisonResamples}),
      })),
    ranks: rankAnalysis(parts.summary),
    rankStability: rankStabilities(parts.perImage, {seed: o.seed, ...(stabilityResamples === undefined ? {} : {resamples: stabilityResamples})}),
  };
}
