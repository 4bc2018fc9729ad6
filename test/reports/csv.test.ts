// The report's CSVs: one row per run / per variant x dataset x test set / per image, numbers formatted on purpose,
// never a NaN cell (empty, with the reason), paths relative to the report folder.
import test from 'ava';
import {join} from 'node:path';
import {parseCsv} from '../../src/datasets/csv.js';
import {collectReport} from '../../src/reports/collect.js';
import {perImageCsv, resultsCsv, summaryCsv} from '../../src/reports/csv.js';
import {fixed} from '../../src/reports/number-format.js';
import {id, images, makeRunStore} from './fixtures/run-store.js';

async function fixtureModel() {
  const {store} = await makeRunStore([
    {runId: id(1), variant: 'full', seed: 0, state: 'done', images: [{name: 'a,"quoted"', dice: 0.123456}, {name: 'empty', dice: 1, gtEmpty: true, predEmpty: true}]},
    {runId: id(2), variant: 'full', seed: 1, state: 'failed', reason: 'loss is NaN'},
    {runId: id(3), variant: 'U-Net', kind: 'baseline', seed: 0, state: 'done', images: images(0.5, 0.25)},
    {runId: id(4), variant: 'U-Net', kind: 'baseline', seed: 1, state: 'done', images: images(0.75, 0.5)},
  ], {name: 'csv', reference: 'full'});
  return {store, model: await collectReport('csv', {store, costs: false})};
}

test('results.csv: one row per run, Dice with 4 decimals, HD95 with 2, empty cells with their reason, relative dirs', async (t) => {
  const {store, model} = await fixtureModel();
  const rows = parseCsv(resultsCsv(model, join(store, '..', 'reports', 'csv')));
  t.is(rows.length, 4);
  t.like(rows[0], {run_id: id(1), variant: 'full', state: 'done', test_dice: '0.5617', test_hd95_px: '3.00', test_images: '2', training_s: '60.0', reason: 'params, gflops and latency not counted', backend: 'wasm'});
  t.like(rows[1], {run_id: id(2), state: 'failed', test_dice: '', test_hd95_px: '', reason: 'failed: loss is NaN; params, gflops and latency not counted'});
  t.regex(rows[0]!['dir']!, /^\.\.\/\.\.\/runs\/unet-synthetic-s0-000000000001$/);
  t.false(rows.some((r) => Object.values(r).some((cell) => /^-?(NaN|Infinity)$/.test(cell))), 'a NaN or infinite cell');
});

test('summary.csv: mean and sample std over seeds, n, missing runs with reasons, the std reason when n < 2', async (t) => {
  const {model} = await fixtureModel();
  const rows = parseCsv(summaryCsv(model));
  t.deepEqual(rows.map((r) => [r['variant'], r['planned'], r['done'], r['n_seeds'], r['dice_mean'], r['dice_std']]), [
    ['full', '2', '1', '1', '0.5617', ''],
    ['U-Net', '2', '2', '2', '0.5000', '0.1768'],
  ]);
  t.is(rows[0]!['missing'], 'seed 1: failed: loss is NaN');
  t.is(rows[0]!['reason'], 'std: needs 2 seeds, has 1');
  t.is(rows[1]!['reason'], '');
  t.is(rows[1]!['run_ids'], `${id(3)} ${id(4)}`);
  t.like(rows[1], {precision_mean: '0.5000', precision_std: '0.1768', recall_mean: '0.5000', hd95_px_mean: '3.00', hd95_n_seeds: '2'});
});

test('latency_ms: 2 decimals in results.csv and summary.csv; absent, an empty cell with the reason and the command that measures it', async (t) => {
  const {store, model} = await fixtureModel();
  model.latencyBackend = 'wasm';
  for (const run of model.runs) {
    run.params = 1000;
    run.latencyMs = run.variant === 'full' ? 12.3456 : null;
  }
  for (const row of model.summary) {
    row.params = 1000;
    row.latencyMs = row.variant === 'full' ? 12.3456 : null;
  }
  const results = parseCsv(resultsCsv(model, join(store, '..', 'reports', 'csv')));
  t.deepEqual(results.map((r) => r['latency_ms']), ['12.35', '12.35', '', '']);
  t.is(results[0]!['reason'], '');
  t.is(results[2]!['reason'], 'latency: not measured on wasm (run `mslk ablate status <suite>` on this machine to measure it into the store\'s .calibration.json)');
  const summary = parseCsv(summaryCsv(model));
  t.deepEqual(summary.map((r) => r['latency_ms']), ['12.35', '']);
  t.regex(summary[1]!['reason']!, /^latency: not measured on wasm \(run `mslk ablate status <suite>`/);
  t.false(summary[0]!['reason']!.includes('latency'));
});

test('per-image.csv: one row per image, names quoted as CSV, HD95 empty with its reason where a mask is empty', async (t) => {
  const {model} = await fixtureModel();
  const text = perImageCsv(model);
  const rows = parseCsv(text);
  t.is(rows.length, 6);
  t.like(rows[0], {image: 'a,"quoted"', dice: '0.1235', hd95_px: '3.00', reason: ''});
  t.like(rows[1], {image: 'empty', dice: '1.0000', hd95_px: '', reason: 'hd95: ground truth or prediction is empty'});
  t.false(rows.some((r) => Object.values(r).some((cell) => /^-?(NaN|Infinity)$/.test(cell))), 'a NaN or infinite cell');
});

test('number formatting: fixed decimals, one zero, never NaN', (t) => {
  t.is(fixed(-0.00001, 4), '0.0000');
  t.is(fixed(null, 2), '');
  t.throws(() => fixed(Number.NaN, 4), {instanceOf: RangeError});
  t.throws(() => fixed(Number.POSITIVE_INFINITY, 2), {instanceOf: RangeError});
});
