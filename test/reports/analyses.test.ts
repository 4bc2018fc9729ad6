import test from 'ava';
import fc from 'fast-check';
import {pairedComparisons, rankAnalysis, rankStabilities, reportAnalyses} from '../../src/reports/analyses.js';
import type {PerImageRow, SummaryRow} from '../../src/reports/model.js';
import {holmAdjust} from '../../src/reports/stats/holm.js';

function imageRow(variant: string, dataset: string, seed: number, image: string, dice: number, testSet = 'test'): PerImageRow {
  return {runId: `${variant}-${dataset}-${seed}`, variant, dataset, testSet, fold: null, seed, image, dice, iou: dice / (2 - dice), hd95: null};
}

// kvasir: 'full' (the reference) over seeds 0 and 1; its per-image means are a .81, b .71, c .89, d .61, e .85, f .76.
const fullKvasir: PerImageRow[] = [
  ['a', 0.8, 0.82], ['b', 0.7, 0.72], ['c', 0.9, 0.88], ['d', 0.6, 0.62], ['e', 0.85, 0.85], ['f', 0.75, 0.77],
].flatMap(([image, s0, s1]) => [imageRow('full', 'kvasir', 0, image as string, s0 as number), imageRow('full', 'kvasir', 1, image as string, s1 as number)]);
// 'w/o MIE' is worse on every image, by 0.05, 0.01, 0.03, 0.04, 0.02, 0.06 (means over its seeds; seed 1 lacks f).
const withoutMieKvasir: PerImageRow[] = [
  imageRow('w/o MIE', 'kvasir', 0, 'a', 0.75), imageRow('w/o MIE', 'kvasir', 1, 'a', 0.77),
  imageRow('w/o MIE', 'kvasir', 0, 'b', 0.69), imageRow('w/o MIE', 'kvasir', 1, 'b', 0.71),
  imageRow('w/o MIE', 'kvasir', 0, 'c', 0.86), imageRow('w/o MIE', 'kvasir', 1, 'c', 0.86),
  imageRow('w/o MIE', 'kvasir', 0, 'd', 0.56), imageRow('w/o MIE', 'kvasir', 1, 'd', 0.58),
  imageRow('w/o MIE', 'kvasir', 0, 'e', 0.84), imageRow('w/o MIE', 'kvasir', 1, 'e', 0.82),
  imageRow('w/o MIE', 'kvasir', 0, 'f', 0.70),
];
// 'unet' on a..e and an image 'g' that 'full' never scored: f and g are left out.
const unetKvasir: PerImageRow[] = [
  imageRow('unet', 'kvasir', 0, 'a', 0.91), imageRow('unet', 'kvasir', 0, 'b', 0.61), imageRow('unet', 'kvasir', 0, 'c', 0.92),
  imageRow('unet', 'kvasir', 0, 'd', 0.71), imageRow('unet', 'kvasir', 0, 'e', 0.80), imageRow('unet', 'kvasir', 0, 'g', 0.5),
];
// busi: only 'full' and 'w/o MIE', one seed, mixed signs.
const busi: PerImageRow[] = [
  imageRow('full', 'busi', 0, 'x', 0.5), imageRow('full', 'busi', 0, 'y', 0.6), imageRow('full', 'busi', 0, 'z', 0.7),
  imageRow('w/o MIE', 'busi', 0, 'x', 0.55), imageRow('w/o MIE', 'busi', 0, 'y', 0.5), imageRow('w/o MIE', 'busi', 0, 'z', 0.7),
];
const perImage = [...fullKvasir, ...withoutMieKvasir, ...unetKvasir, ...busi];
const options = {against: 'full', variants: ['full', 'w/o MIE', 'unet', 'absent'], seed: 5, resamples: 2000};

test('paired comparisons: per (dataset, test set) and variant, seeds averaged per image, images matched by id', (t) => {
  const rows = pairedComparisons(perImage, options);
  t.deepEqual(rows.map((r) => [r.dataset, r.variant, r.images, r.unmatchedImages]), [
    ['kvasir', 'w/o MIE', 6, {variantOnly: 0, againstOnly: 0}],
    ['kvasir', 'unet', 5, {variantOnly: 1, againstOnly: 1}],
    ['busi', 'w/o MIE', 3, {variantOnly: 0, againstOnly: 0}],
  ]);
  const [withoutMie, unet, busiRow] = rows as [typeof rows[0], typeof rows[0], typeof rows[0]];
  // w/o MIE - full: -0.05, -0.01, -0.03, -0.04, -0.02, -0.06: mean -0.035; all negative and untied, so T = 0 and the
  // exact two-sided p is 2 / 2^6 = 0.03125.
  t.true(Math.abs(withoutMie.meanDifference + 0.035) < 1e-12, String(withoutMie.meanDifference));
  t.is(withoutMie.p, 0.03125);
  t.is(withoutMie.pMethod, 'exact');
  t.true(withoutMie.ci[0] >= -0.06 - 1e-12 && withoutMie.ci[1] <= -0.01 + 1e-12 && withoutMie.ci[0] < withoutMie.meanDifference && withoutMie.meanDifference < withoutMie.ci[1]);
  // unet has seed 0 only, so it is paired with full's seed 0 alone (not with full's two-seed means):
  // unet - full over a..e: 0.11, -0.09, 0.02, 0.11, -0.05: mean 0.02.
  t.true(Math.abs(unet.meanDifference - 0.02) < 1e-12, String(unet.meanDifference));
  t.deepEqual(rows.map((r) => r.pairedRuns), [2, 1, 1]);
  // busi: 0.05, -0.1 and a zero difference (dropped): n = 2, T = 1, exact p = 2 * 2/4 = 1.
  t.is(busiRow.images, 3);
  t.is(busiRow.p, 1);
  // Holm over the whole family of 'full'.
  t.deepEqual(rows.map((r) => r.pHolm), holmAdjust(rows.map((r) => r.p)));
  t.deepEqual(rows.map((r) => r.significant), rows.map((r) => r.pHolm < 0.05));
  t.true(Math.abs(withoutMie.pHolm - 0.09375) < 1e-15); // 3 * 0.03125, the smallest of three
  t.false(withoutMie.significant);
  t.true(rows.every((r) => r.against === 'full' && r.metric === 'dice' && r.testSet === 'test'));
});

test('tied per-image differences take the normal approximation', (t) => {
  // Dyadic Dice values, so the differences 1/8, -1/8, 1/8, 1/4 are exact and three of them tie.
  const rows = [
    ...[0.5, 0.75, 0.25, 0.5].map((dice, i) => imageRow('full', 'k', 0, `i${i}`, dice)),
    ...[0.625, 0.625, 0.375, 0.75].map((dice, i) => imageRow('v', 'k', 0, `i${i}`, dice)),
  ];
  const [row] = pairedComparisons(rows, {against: 'full', variants: ['v'], seed: 1, resamples: 100});
  t.is(row?.pMethod, 'normal');
  t.is(row?.meanDifference, 0.09375);
  // W- = 2 (the ranks of the tied |1/8| are 2, 2, 2), mean 5, variance 4*5*9/24 - (27 - 3)/48 = 7,
  // z = (2 - 5 + 0.5) / sqrt(7) = -0.9449: p = 0.3447.
  t.true(Math.abs(row!.p - 0.34470) < 1e-4, String(row?.p));
});

test('paired comparisons are deterministic and do not depend on the order of the rows', (t) => {
  const rows = pairedComparisons(perImage, options);
  t.deepEqual(pairedComparisons(perImage, options), rows);
  // Within a group the order of rows does not matter (each image has at most two seeds, whose sum commutes).
  fc.assert(fc.property(fc.integer(), (seed) => {
    const kvasir = perImage.filter((r) => r.dataset === 'kvasir');
    const shuffled = [...kvasir].sort((a, b) => Math.sin(seed + a.image.charCodeAt(0) * 7 + a.seed) - Math.sin(seed + b.image.charCodeAt(0) * 7 + b.seed));
    const expected = pairedComparisons(kvasir, options);
    return JSON.stringify(pairedComparisons(shuffled, {...options, variants: ['w/o MIE', 'unet']})) === JSON.stringify(expected);
  }), {numRuns: 20});
  // A different seed moves the CI, not the mean or the p-value.
  const other = pairedComparisons(perImage, {...options, seed: 6});
  t.deepEqual(other.map((r) => [r.meanDifference, r.p]), rows.map((r) => [r.meanDifference, r.p]));
  t.notDeepEqual(other.map((r) => r.ci), rows.map((r) => r.ci));
});

test('paired comparisons: no row where the reference or the variant is absent, or nothing matches', (t) => {
  t.deepEqual(pairedComparisons(perImage, {...options, against: 'nobody'}), []);
  t.deepEqual(pairedComparisons([imageRow('full', 'k', 0, 'a', 0.5), imageRow('v', 'k', 0, 'b', 0.5)], {against: 'full', variants: ['v'], seed: 0}), []);
  t.throws(() => pairedComparisons([imageRow('full', 'k', 0, 'a', Number.NaN)], {against: 'full', variants: ['v'], seed: 0}), {message: /run full-k-0 has a Dice of NaN for image 'a'/});
});

function summaryRow(variant: string, dataset: string, dice: number | null, testSet = 'test'): SummaryRow {
  const none = {mean: null, std: null, n: 0};
  return {
    variant, kind: 'variant', dataset, testSet, planned: 3, seeds: 3, done: 3, dice: {mean: dice, std: 0.01, n: 3}, iou: none, hd95: none,
    params: null, gflops: null, latencyMs: null, trainingSeconds: null, missing: [], runIds: [],
  };
}

// Ranks by hand: d1 A 1, B 2, C 3; d2 B 1, A 2, C 3; d3 C 1, A and B 2.5 -> A 5.5/3, B 5.5/3, C 7/3.
const summary: SummaryRow[] = [
  summaryRow('A', 'd1', 0.9), summaryRow('B', 'd1', 0.8), summaryRow('C', 'd1', 0.7),
  summaryRow('A', 'd2', 0.85), summaryRow('B', 'd2', 0.86), summaryRow('C', 'd2', 0.7),
  summaryRow('A', 'd3', 0.8), summaryRow('B', 'd3', 0.8), summaryRow('C', 'd3', 0.9),
  summaryRow('A', 'd1', 0.1, 'cvc'),
];

test('rank analysis over 3 datasets: average ranks, Friedman, Iman-Davenport and the critical difference by hand', (t) => {
  const result = rankAnalysis(summary);
  if (!result) return t.fail('expected a rank analysis');
  t.deepEqual(result.variants, ['A', 'B', 'C']);
  t.is(result.datasets, 3);
  [5.5 / 3, 5.5 / 3, 7 / 3].forEach((expected, i) => t.true(Math.abs(result.averageRanks[i]! - expected) < 1e-12));
  // chi-square_F = 12 * 3 / (3 * 4) * (sum R^2 - 3 * 16 / 4) = 3 * (121/36 * 2 + 49/9 - 12) = 0.5, df 2: p = exp(-0.25).
  t.true(Math.abs(result.friedman.chiSquare - 0.5) < 1e-12);
  t.is(result.friedman.df, 2);
  t.true(Math.abs(result.friedman.p - Math.exp(-0.25)) < 1e-12);
  // F_F = 2 * 0.5 / (3 * 2 - 0.5) = 2/11 on (2, 4) df: p = (1 + 2 F / 4)^-2.
  const f = 2 / 11;
  t.true(Math.abs(result.imanDavenport!.f - f) < 1e-12);
  t.is(result.imanDavenport!.df1, 2);
  t.is(result.imanDavenport!.df2, 4);
  t.true(Math.abs(result.imanDavenport!.p - (1 + f / 2) ** -2) < 1e-12);
  // CD = 2.343 * sqrt(3 * 4 / (6 * 3)) (Demsar's q_0.05 for k = 3).
  t.true(Math.abs(result.criticalDifference - 2.343 * Math.sqrt(12 / 18)) < 1e-3);
});

test('rank analysis is null below 3 datasets or when a variant lacks a dataset; it reads one test set', (t) => {
  t.is(rankAnalysis(summary.filter((r) => r.dataset !== 'd3')), null);
  t.is(rankAnalysis(summary.filter((r) => !(r.variant === 'C' && r.dataset === 'd2'))), null);
  t.is(rankAnalysis(summary.map((r) => (r.variant === 'B' && r.dataset === 'd1' ? {...r, dice: {mean: null, std: null, n: 0}} : r))), null);
  t.is(rankAnalysis(summary, 'cvc'), null);
  t.throws(() => rankAnalysis([...summary, summaryRow('A', 'd1', 0.5)]), {message: /two summary rows for variant 'A' on d1/});
});

test('rank stabilities: per test set, images common to all variants, seeded, 1000 resamples by default', (t) => {
  const stabilities = rankStabilities(perImage, {seed: 2});
  t.deepEqual(stabilities.map((s) => [s.dataset, s.testSet, s.variants, s.resamples]), [
    ['kvasir', 'test', ['full', 'w/o MIE', 'unet'], 1000],
    ['busi', 'test', ['full', 'w/o MIE'], 1000],
  ]);
  const kvasir = stabilities[0]!;
  // On the common images a..e, 'full' beats 'w/o MIE' on every image: it never ranks below it.
  t.true(kvasir.frequencies.every((row) => Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-9));
  t.is(kvasir.frequencies[1]![0], 0);
  t.deepEqual(rankStabilities(perImage, {seed: 2}), stabilities);
  t.deepEqual(rankStabilities(fullKvasir, {seed: 2}), []);
  t.is(rankStabilities(perImage, {seed: 2, resamples: 10})[0]!.resamples, 10);
});

test('reportAnalyses: one family per reference (the suite reference, then the U-Net baseline), ranks and stabilities', (t) => {
  const models: SummaryRow[] = ['full', 'w/o MIE', 'unet'].map((variant) => summaryRow(variant, 'kvasir', 0.8));
  const result = reportAnalyses({reference: 'full', unetBaseline: 'unet', summary: models, perImage}, {seed: 5, resamples: {comparisons: 2000, rankStability: 50}});
  t.deepEqual(result.comparisons.map((r) => [r.against, r.dataset, r.variant]), [
    ['full', 'kvasir', 'w/o MIE'], ['full', 'kvasir', 'unet'], ['full', 'busi', 'w/o MIE'],
    ['unet', 'kvasir', 'full'], ['unet', 'kvasir', 'w/o MIE'],
  ]);
  // The reference family is the one pairedComparisons gives alone: its Holm adjustment ignores the U-Net family.
  t.deepEqual(result.comparisons.slice(0, 3), pairedComparisons(perImage, options));
  t.is(result.ranks, null);
  t.deepEqual(result.rankStability.map((s) => [s.dataset, s.resamples]), [['kvasir', 50], ['busi', 50]]);
  const noBaseline = reportAnalyses({reference: 'full', unetBaseline: null, summary: models, perImage}, {seed: 5});
  t.true(noBaseline.comparisons.every((r) => r.against === 'full'));
  t.deepEqual(reportAnalyses({reference: null, unetBaseline: null, summary: [], perImage: []}, {seed: 0}), {comparisons: [], ranks: null, rankStability: []});
});
