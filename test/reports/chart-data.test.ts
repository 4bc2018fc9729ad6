// The numbers the charts draw: Student t intervals (against published table values and by coverage on simulated
// data), Pareto fronts, the critical-difference layout and the rows each chart reads from the fixture model.
import test from 'ava';
import fc from 'fast-check';
import {SeededRandom} from '../../src/io/random.js';
import {
  ablationBarRows,
  costRows,
  criticalDifferenceLayout,
  curveRows,
  imageDiceRows,
  isSweepVariantName,
  kernelSweepRows,
  largeKernelOf,
  rankFrequencyRows,
  studentTCentralProbability,
  studentTInterval,
  studentTQuantile,
} from '../../src/reports/chart-data.js';
import type {RankAnalysis, ReportModel, SummaryRow} from '../../src/reports/model.js';
import {FIXTURE_DATASETS, FIXTURE_MODELS, reportModelFixture, XSS_VARIANT} from './fixtures/report-model.js';

test('Student t quantiles match the published table (NIST/SEMATECH e-Handbook of Statistical Methods, 1.3.6.7.2)', (t) => {
  // Two-sided 95% (upper-tail 0.025) and 99% (upper-tail 0.005) critical values, given to 3 decimals there.
  const table: Array<[number, number, number]> = [
    [0.95, 1, 12.706], [0.95, 2, 4.303], [0.95, 3, 3.182], [0.95, 4, 2.776], [0.95, 5, 2.571], [0.95, 10, 2.228],
    [0.95, 29, 2.045], [0.95, 100, 1.984], [0.99, 5, 4.032], [0.99, 20, 2.845], [0.90, 7, 1.895],
  ];
  for (const [level, df, expected] of table) {
    t.true(Math.abs(studentTQuantile(level, df) - expected) < 6e-4, `t(${level}, ${df}) = ${studentTQuantile(level, df)}, table ${expected}`);
  }
  // Many degrees of freedom tend to the normal quantile 1.95996.
  t.true(Math.abs(studentTQuantile(0.95, 20000) - 1.95996) < 2e-4);
});

test('the t central probability is 0 at 0, increases with t and inverts the quantile', (t) => {
  fc.assert(fc.property(fc.integer({min: 1, max: 400}), fc.double({min: 0, max: 50, noNaN: true}), fc.double({min: 0.01, max: 5, noNaN: true}), (df, a, step) => {
    t.is(studentTCentralProbability(0, df), 0);
    const pa = studentTCentralProbability(a, df);
    const pb = studentTCentralProbability(a + step, df);
    return pa >= 0 && pb <= 1 + 1e-12 && pb >= pa - 1e-12;
  }));
  fc.assert(fc.property(fc.integer({min: 1, max: 200}), fc.double({min: 0.5, max: 0.995, noNaN: true}), (df, level) => {
    return Math.abs(studentTCentralProbability(studentTQuantile(level, df), df) - level) < 1e-9;
  }));
  t.throws(() => studentTQuantile(0.95, 2.5), {message: /positive integer/});
  t.throws(() => studentTQuantile(1, 3), {message: /\(0, 1\)/});
});

test('studentTInterval: mean +- t s / sqrt(n); one value has no interval; none gives null', (t) => {
  const interval = studentTInterval([1, 2, 3])!;
  t.is(interval.mean, 2);
  t.true(Math.abs(interval.high! - (2 + 4.30265 / Math.sqrt(3))) < 1e-4);
  t.true(Math.abs(interval.low! - (2 - 4.30265 / Math.sqrt(3))) < 1e-4);
  t.deepEqual(studentTInterval([0.8]), {mean: 0.8, low: null, high: null, n: 1});
  t.is(studentTInterval([]), null);
  fc.assert(fc.property(fc.array(fc.double({min: -1e6, max: 1e6, noNaN: true}), {minLength: 2, maxLength: 30}), (values) => {
    const e = studentTInterval(values)!;
    const tolerance = 1e-9 * (1 + Math.abs(e.mean));
    return e.n === values.length && e.low! <= e.mean + tolerance && e.mean <= e.high! + tolerance
      && Math.abs((e.high! - e.mean) - (e.mean - e.low!)) <= 1e-6 * (1 + Math.abs(e.high! - e.low!));
  }));
});

test('95% t intervals over 3 seeds cover the true mean about 95% of the time (simulated normal data)', (t) => {
  const random = SeededRandom.stream('t-interval-coverage', 1);
  const trials = 4000;
  let covered = 0;
  for (let i = 0; i < trials; i++) {
    const values = [random.normal(0.8, 0.02), random.normal(0.8, 0.02), random.normal(0.8, 0.02)];
    const e = studentTInterval(values)!;
    if (e.low! <= 0.8 && 0.8 <= e.high!) covered++;
  }
  // Binomial sd at p = 0.95, n = 4000 is 0.0034: 0.95 +- 0.012 is more than 3 sd.
  t.true(Math.abs(covered / trials - 0.95) < 0.012, `coverage ${covered / trials}`);
});

test('sweep names are recognised; only ld.largeKernel=<k> is a kernel-sweep point', (t) => {
  t.true(isSweepVariantName('ld.largeKernel=13'));
  t.true(isSweepVariantName('ld.largeKernel=7,ld.smallKernel=3'));
  t.false(isSweepVariantName('full'));
  t.false(isSweepVariantName('w/o MIE'));
  t.false(isSweepVariantName(XSS_VARIANT));
  t.is(largeKernelOf('ld.largeKernel=31'), 31);
  t.is(largeKernelOf('ld.largeKernel=7,ld.smallKernel=3'), null);
  t.is(largeKernelOf('U-Net'), null);
});

test('ablation bars: component variants only, per dataset, with n the done seeds (the failed run is not counted)', (t) => {
  const rows = ablationBarRows(reportModelFixture());
  t.deepEqual([...new Set(rows.map((r) => r.variant))], ['full', 'w/o MIE', XSS_VARIANT]);
  t.is(rows.length, 3 * FIXTURE_DATASETS.length);
  t.is(rows.find((r) => r.variant === 'w/o MIE' && r.dataset === 'busi')!.n, 2);
  t.is(rows.find((r) => r.variant === 'full' && r.dataset === 'busi')!.n, 3);
  for (const row of rows) t.true(row.low! < row.mean && row.mean < row.high!);
  // Over images: n is the number of test images.
  const overImages = ablationBarRows(reportModelFixture(), {over: 'images'});
  t.is(overImages.find((r) => r.dataset === 'glas')!.n, 15);
  // A caller's estimator (e.g. a seeded bootstrap) replaces the t interval.
  const fixed = ablationBarRows(reportModelFixture(), {estimator: (v) => ({mean: v.length, low: 0, high: 1, n: v.length})});
  t.deepEqual(fixed.map((r) => [r.low, r.high]), fixed.map(() => [0, 1]));
});

test('kernel sweep: ld.largeKernel variants sorted by kernel; a missing run leaves n = 2', (t) => {
  const rows = kernelSweepRows(reportModelFixture());
  t.deepEqual([...new Set(rows.map((r) => r.kernel))], [7, 31]);
  t.is(rows.find((r) => r.kernel === 7 && r.dataset === 'glas')!.n, 2);
  const withoutSweep = reportModelFixture();
  withoutSweep.runs = withoutSweep.runs.filter((r) => largeKernelOf(r.variant) === null);
  withoutSweep.summary = withoutSweep.summary.filter((r) => largeKernelOf(r.variant) === null);
  t.deepEqual(kernelSweepRows(withoutSweep), []);
});

function costModel(points: Array<{dataset: string; cost: number; dice: number}>): ReportModel {
  const model = reportModelFixture();
  model.summary = points.map((p, i): SummaryRow => ({
    ...model.summary[0]!, variant: `v${i}`, dataset: p.dataset, params: p.cost, dice: {mean: p.dice, std: null, n: 1},
  }));
  return model;
}

test('the Pareto front: no front point is dominated, every other point is dominated by a front point', (t) => {
  const point = fc.record({dataset: fc.constantFrom('a', 'b'), cost: fc.integer({min: 1, max: 20}), dice: fc.integer({min: 0, max: 20}).map((d) => d / 20)});
  fc.assert(fc.property(fc.array(point, {minLength: 1, maxLength: 25}), (points) => {
    const rows = costRows(costModel(points), 'params');
    const dominates = (q: typeof rows[number], p: typeof rows[number]): boolean =>
      q.dataset === p.dataset && q.cost <= p.cost && q.dice >= p.dice && (q.cost < p.cost || q.dice > p.dice);
    return rows.every((p) => (p.pareto
      ? !rows.some((q) => dominates(q, p))
      : rows.some((q) => q.pareto && dominates(q, p))));
  }));
  const fixtureRows = costRows(reportModelFixture(), 'gflops');
  t.is(fixtureRows.length, FIXTURE_MODELS.length * FIXTURE_DATASETS.length);
  // U-Net costs most and scores least on every dataset: never on the front.
  t.false(fixtureRows.some((r) => r.variant === 'U-Net' && r.pareto));
});

test('latency points: the summary rows that have a latency, the fastest model always on the front', (t) => {
  const model = reportModelFixture();
  const rows = costRows(model, 'latencyMs');
  t.is(rows.length, FIXTURE_MODELS.length * FIXTURE_DATASETS.length);
  t.deepEqual([...new Set(rows.filter((r) => r.variant === 'ld.largeKernel=7').map((r) => [r.cost, r.pareto].join()))], ['33.06,true']);
  t.false(rows.some((r) => r.variant === 'U-Net' && r.pareto), 'the slowest and worst is never on the front');
  for (const row of model.summary) if (row.variant === 'w/o MIE') row.latencyMs = null;
  t.false(costRows(model, 'latencyMs').some((r) => r.variant === 'w/o MIE'), 'a row without latency is no point');
});

test('per-image rows average each image over seeds; curve rows drop epochs without a validation Dice', (t) => {
  const model = reportModelFixture();
  const images = imageDiceRows(model);
  t.is(images.length, FIXTURE_MODELS.length * FIXTURE_DATASETS.reduce((s, d) => s + d.images.length, 0));
  const one = images.find((r) => r.variant === 'full' && r.panel === 'kvasir-seg')!;
  const seeds = model.perImage.filter((p) => p.variant === 'full' && p.dataset === 'kvasir-seg' && p.image === one.image);
  t.is(seeds.length, 3);
  t.true(Math.abs(one.dice - seeds.reduce((s, p) => s + p.dice, 0) / 3) < 1e-12);
  const curves = curveRows(model);
  t.true(curves.every((r) => Number.isFinite(r.value)));
  const failed = model.curves.find((c) => c.epochs.length === 3)!;
  t.deepEqual(curves.filter((r) => r.runId === failed.runId && r.measure === 'validation Dice').map((r) => r.epoch), [1, 2]);
  t.deepEqual(curves.filter((r) => r.runId === failed.runId && r.measure === 'training loss').map((r) => r.epoch), [1, 2, 3]);
});

function ranks(averageRanks: number[], criticalDifference: number): RankAnalysis {
  return {variants: averageRanks.map((_, i) => `m${i}`), averageRanks, datasets: 14, friedman: {chiSquare: 9.28, p: 0.026, df: averageRanks.length - 1}, criticalDifference};
}

test('critical-difference cliques: Demsar 2006 example (ranks 3.143, 2.000, 2.893, 1.964; CD 1.25) and extremes', (t) => {
  // Demsar, JMLR 7 (2006), section 3.2.2: C4.5, C4.5+m, C4.5+cf, C4.5+m+cf on 14 data sets, CD = 1.25 at alpha 0.05.
  const layout = criticalDifferenceLayout({...ranks([3.143, 2.0, 2.893, 1.964], 1.25), variants: ['C4.5', 'C4.5+m', 'C4.5+cf', 'C4.5+m+cf']})!;
  t.deepEqual(layout.order.map((o) => o.variant), ['C4.5+m+cf', 'C4.5+m', 'C4.5+cf', 'C4.5']);
  // The widest gap, 3.143 - 1.964 = 1.179, is below CD 1.25: one group, no significant difference at alpha 0.05.
  t.deepEqual(layout.cliques, [[0, 3]]);
  // At alpha 0.10 (CD 1.12) Demsar finds C4.5+m+cf better than C4.5: they no longer share a group.
  t.deepEqual(criticalDifferenceLayout({...ranks([3.143, 2.0, 2.893, 1.964], 1.12), variants: ['C4.5', 'C4.5+m', 'C4.5+cf', 'C4.5+m+cf']})!.cliques, [[0, 2], [2, 3]]);
  t.deepEqual(criticalDifferenceLayout(ranks([1, 2, 3, 4], 1.5))!.cliques, [[0, 1], [1, 2], [2, 3]]);
  t.deepEqual(criticalDifferenceLayout(ranks([1, 2, 3, 4], 0.5))!.cliques, []);
  t.is(criticalDifferenceLayout(ranks([1], 1)), null);
  const labels = criticalDifferenceLayout(ranks([1, 2, 3, 4, 5], 1))!.labels.filter((l) => l.part === 'variant');
  t.deepEqual(labels.map((l) => l.side), ['left', 'left', 'left', 'right', 'right']);
});

test('critical-difference cliques are exactly the maximal runs of ranks closer than CD', (t) => {
  fc.assert(fc.property(fc.array(fc.double({min: 1, max: 8, noNaN: true}), {minLength: 2, maxLength: 10}), fc.double({min: 0.1, max: 6, noNaN: true}), (averageRanks, cd) => {
    const layout = criticalDifferenceLayout(ranks(averageRanks, cd))!;
    const r = layout.order.map((o) => o.rank);
    for (const [a, b] of layout.cliques) {
      if (!(r[b]! - r[a]! < cd)) return false;
      if (b + 1 < r.length && r[b + 1]! - r[a]! < cd) return false;
      if (a > 0 && r[b]! - r[a - 1]! < cd) return false;
    }
    // Every pair closer than CD shares a clique.
    for (let i = 0; i < r.length; i++) {
      for (let j = i + 1; j < r.length; j++) {
        if (r[j]! - r[i]! < cd && !layout.cliques.some(([a, b]) => a <= i && j <= b)) return false;
      }
    }
    return true;
  }));
  t.pass();
});

test('rank frequencies: each variant\'s shares sum to 1 in each panel', (t) => {
  const rows = rankFrequencyRows(reportModelFixture().rankStability);
  const sums = new Map<string, number>();
  for (const row of rows) sums.set(`${row.panel}|${row.variant}`, (sums.get(`${row.panel}|${row.variant}`) ?? 0) + row.share);
  t.is(sums.size, FIXTURE_DATASETS.length * FIXTURE_MODELS.length);
  for (const [key, sum] of sums) t.true(Math.abs(sum - 1) < 1e-9, `${key}: ${sum}`);
  t.deepEqual(rankFrequencyRows([]), []);
});

test('k-fold: a seed with a fold not done is left out of the bar, as the summary leaves it out of its mean', (t) => {
  const model = reportModelFixture();
  const template = model.runs.find((r) => r.state === 'done' && r.variant === 'full')!;
  const dataset = template.dataset;
  const run = (seed: number, fold: number, dice: number | null) => ({...template, runId: `${seed}${fold}`, seed, fold,
    state: dice === null ? 'failed' as const : 'done' as const, reason: dice === null ? 'diverged' : null,
    test: dice === null ? null : {...template.test!, dice}});
  model.runs = [...model.runs.filter((r) => !(r.variant === 'full' && r.dataset === dataset)),
    run(0, 0, 0.8), run(0, 1, 0.6), run(1, 0, 0.9), run(1, 1, null), run(2, 0, 0.5), run(2, 1, 0.7)];
  const bar = ablationBarRows(model).find((r) => r.variant === 'full' && r.dataset === dataset)!;
  t.is(bar.n, 2, 'seeds 0 and 2 (seed 1 lacks a fold)');
  t.true(Math.abs(bar.mean - 0.65) < 1e-12, String(bar.mean));
});
