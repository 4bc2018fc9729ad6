// summariseRuns: mean +- sample std over seeds with n, folds averaged per seed first, plan order, and every run that
// is not in a mean listed in `missing` with its reason (never a silently smaller n).
import test from 'ava';
import fc from 'fast-check';
import {summariseRuns} from '../../src/reports/aggregate.js';
import type {PerImageRow, RunRow} from '../../src/reports/model.js';

function run(over: Partial<RunRow> & Pick<RunRow, 'runId' | 'seed'>, dice?: number): RunRow {
  return {
    dir: '', variant: 'full', kind: 'variant', dataset: 'd', fold: null, model: 'unet', state: dice === undefined ? 'pending' : 'done',
    reason: dice === undefined ? 'not trained yet' : null,
    test: dice === undefined ? null : {dice, iou: dice / (2 - dice), precision: dice, recall: dice, hd95: 10 * dice, images: 5},
    params: 1000, gflops: 0.5, latencyMs: null, trainingSeconds: dice === undefined ? null : 10, backend: 'wasm', commit: null, datasetFingerprint: null, ...over,
  };
}

test('folds: each seed is the mean over its folds first; a seed with a fold missing is left out and the fold named', (t) => {
  const runs = [
    run({runId: 'a0', seed: 0, fold: 0}, 0.6), run({runId: 'a1', seed: 0, fold: 1}, 0.7), run({runId: 'a2', seed: 0, fold: 2}, 0.8),
    run({runId: 'b0', seed: 1, fold: 0}, 0.5), run({runId: 'b1', seed: 1, fold: 1}, 0.5), run({runId: 'b2', seed: 1, fold: 2}, 0.5),
    run({runId: 'c0', seed: 2, fold: 0}, 0.9), run({runId: 'c1', seed: 2, fold: 1, state: 'failed', reason: 'out of memory'}), run({runId: 'c2', seed: 2, fold: 2}, 0.9),
  ];
  const [row] = summariseRuns(runs, []);
  t.is(row!.planned, 9);
  t.is(row!.done, 8);
  t.is(row!.dice.n, 2);
  t.true(Math.abs(row!.dice.mean! - 0.6) < 1e-12);
  t.true(Math.abs(row!.dice.std! - Math.sqrt(0.02)) < 1e-12);
  t.deepEqual(row!.missing, ['seed 2 fold 1: failed: out of memory']);
  t.deepEqual(row!.runIds, runs.map((r) => r.runId));
});

test('rows come in plan order of (variant, dataset); params, GFLOPs and mean training time per row', (t) => {
  const rows = summariseRuns([
    run({runId: '1', seed: 0, variant: 'full', dataset: 'b'}, 0.5),
    run({runId: '2', seed: 0, variant: 'U-Net', kind: 'baseline', dataset: 'b', params: 42, trainingSeconds: 20}, 0.5),
    run({runId: '3', seed: 0, variant: 'full', dataset: 'a'}, 0.5),
    run({runId: '4', seed: 1, variant: 'full', dataset: 'b', trainingSeconds: 30}, 0.7),
  ], []);
  t.deepEqual(rows.map((r) => [r.variant, r.dataset, r.kind]), [['full', 'b', 'variant'], ['U-Net', 'b', 'baseline'], ['full', 'a', 'variant']]);
  t.is(rows[0]!.trainingSeconds, 20);
  t.is(rows[1]!.params, 42);
  t.is(rows[0]!.dice.n, 2);
});

test('extra test sets are averaged from per-image rows, after the own test split', (t) => {
  const perImage: PerImageRow[] = [0.2, 0.4].map((dice, i) => ({runId: 'x', variant: 'full', dataset: 'd', testSet: 'etis', fold: null, seed: 0, image: `i${i}`, dice, iou: dice, hd95: null}));
  const rows = summariseRuns([run({runId: 'x', seed: 0}, 0.9)], perImage);
  t.deepEqual(rows.map((r) => r.testSet), ['test', 'etis']);
  t.true(Math.abs(rows[1]!.dice.mean! - 0.3) < 1e-12);
  t.like(rows[1]!.hd95, {mean: null, n: 0});
});

const runsArbitrary = fc.array(fc.record({
  seed: fc.integer({min: 0, max: 1000}),
  dice: fc.option(fc.double({min: 0, max: 1, noNaN: true}), {nil: undefined}),
  state: fc.constantFrom('done', 'failed', 'partial', 'pending'),
}), {minLength: 1, maxLength: 12});

test('property: n counts the contributing seeds, every other run is in missing, the mean is the mean over seeds', (t) => {
  t.notThrows(() => fc.assert(fc.property(runsArbitrary, (specs) => {
    // One run per seed (no folds): make seeds distinct.
    const runs = specs.map((s, i) => s.state === 'done' && s.dice !== undefined
      ? run({runId: `r${i}`, seed: i}, s.dice)
      : run({runId: `r${i}`, seed: i, state: s.state === 'done' ? 'pending' : s.state as RunRow['state'], reason: `${s.state} because`}));
    const [row] = summariseRuns(runs, []);
    const values = runs.flatMap((r) => (r.test === null ? [] : [r.test.dice]));
    const mean = values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : null;
    return row!.dice.n === values.length && row!.done === values.length && row!.done + row!.missing.length === row!.planned &&
      (mean === null ? row!.dice.mean === null : Math.abs(row!.dice.mean! - mean) < 1e-9) &&
      (values.length < 2 ? row!.dice.std === null : row!.dice.std !== null && row!.dice.std >= 0);
  })));
});
