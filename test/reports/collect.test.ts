// collectReport on run stores built by hand (fixtures/run-store.ts): a suite's runs in manifest order with the state
// and reason of every run not done, per-image rows of the test split and of extra test sets, training curves,
// manifest fields; a runs folder with variants named by the knobs that differ; the one-line errors.
import test from 'ava';
import {mkdir, mkdtemp, readFile, rename, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {calibrationKey, calibrationPath} from '../../src/ablations/plan-status.js';
import {activeBackendName} from '../../src/engine/backends.js';
import {collectReport} from '../../src/reports/collect.js';
import {useWasm} from '../models/helpers.js';
import {fixtureConfig, id, images, makeRunStore, type FixtureRun} from './fixtures/run-store.js';

const SUITE: FixtureRun[] = [
  {runId: id(1), variant: 'full', seed: 0, state: 'done', images: images(0.8, 0.9, 0.7), trainingSeconds: 30},
  {runId: id(2), variant: 'full', seed: 1, state: 'done', images: images(0.6, 0.9, 0.9), trainingSeconds: 50},
  {runId: id(3), variant: 'full', seed: 2, state: 'failed', reason: 'loss is NaN at epoch 2, step 3'},
  {runId: id(4), variant: 'w/o MIE', seed: 0, state: 'partial', epochsDone: 3, epochs: 12},
  {runId: id(5), variant: 'w/o MIE', seed: 1, state: 'pending'},
  {runId: id(6), variant: 'w/o MIE', seed: 2, state: 'missing'},
  {runId: id(7), variant: 'U-Net', kind: 'baseline', seed: 0, state: 'done', images: [{name: 'img-0', dice: 1, gtEmpty: true, predEmpty: true}, {name: 'img-1', dice: 0.5, hd95: 7.5}]},
];

test('a suite: every run of the manifest in order, with its state and reason; done runs give per-image rows, curves, manifest fields', async (t) => {
  const {store} = await makeRunStore(SUITE, {name: 'mini', reference: 'full'});
  const model = await collectReport('mini', {store, costs: false});
  t.is(model.title, 'mini');
  t.is(model.reference, 'full');
  t.is(model.unetBaseline, 'U-Net');
  t.like(model.source, {kind: 'suite', sha256: 'f'.repeat(64)});
  t.deepEqual(model.runs.map((r) => [r.runId, r.state, r.reason]), [
    [id(1), 'done', null],
    [id(2), 'done', null],
    [id(3), 'failed', 'loss is NaN at epoch 2, step 3'],
    [id(4), 'partial', 'partial at epoch 3/12'],
    [id(5), 'pending', 'not trained yet'],
    [id(6), 'missing', `run directory not found (${model.runs[5]!.dir}): run \`mslk ablate\` on the suite again`],
    [id(7), 'done', null],
  ]);
  const first = model.runs[0]!;
  t.is(first.model, 'unet');
  t.is(first.backend, 'wasm');
  t.is(first.commit, '0123456789abcdef0123456789abcdef01234567');
  t.is(first.datasetFingerprint, 'fp-synthetic');
  t.is(first.trainingSeconds, 30);
  t.is(first.test!.images, 3);
  t.true(Math.abs(first.test!.dice - 0.8) < 1e-12);
  t.is(model.runs[6]!.test!.hd95, 7.5, 'HD95 over the non-empty pair only');
  t.is(model.perImage.length, 3 + 3 + 2);
  t.deepEqual(model.perImage.filter((r) => r.runId === id(7)).map((r) => [r.image, r.dice, r.hd95, r.testSet]), [['img-0', 1, null, 'test'], ['img-1', 0.5, 7.5, 'test']]);
  t.deepEqual(model.curves.map((c) => [c.runId, c.epochs.length]), [[id(1), 4], [id(2), 4], [id(4), 3], [id(7), 4]]);
  t.deepEqual(model.curves[2]!.epochs[2], {epoch: 3, trainLoss: 1 / 3, valDice: 0.52});
  const full = model.summary.find((s) => s.variant === 'full')!;
  t.like(full, {planned: 3, done: 2, dice: {n: 2}, missing: ['seed 2: failed: loss is NaN at epoch 2, step 3']});
  const ablation = model.summary.find((s) => s.variant === 'w/o MIE')!;
  t.like(ablation, {planned: 3, done: 0, dice: {mean: null, std: null, n: 0}});
  t.is(ablation.missing.length, 3);
  t.deepEqual([model.comparisons, model.ranks, model.rankStability], [[], null, []]);
});

test('a suite file or name without a manifest in the store: one line naming `mslk ablate`', async (t) => {
  const {store} = await makeRunStore([]);
  const error = await t.throwsAsync(collectReport('nosuch', {store, costs: false}));
  t.regex(error!.message, /^suite 'nosuch' has no manifest in .*: run `mslk ablate .*` first/);
  t.notRegex(error!.message, /\n/);
  const file = join(store, '..', 'one.yaml');
  await writeFile(file, JSON.stringify({name: 'one', extends: 'training/default.yaml', model: 'models/unet.yaml', datasets: ['synthetic'], seeds: [0], variants: {small: {baseWidth: 4}}}));
  const fromFile = await t.throwsAsync(collectReport(file, {store, costs: false}));
  t.is(fromFile!.message, `suite 'one' has no manifest in ${store} (${join(store, 'suites', 'one.json')}): run \`mslk ablate ${file}\` first (or --store <the store it ran in>)`);
  const missingFile = await t.throwsAsync(collectReport('configs/suites/nope.yaml', {store, costs: false}));
  t.regex(missingFile!.message, /no such suite file or runs folder/);
});

test('an empty folder: one line saying it holds no run directories', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-empty-'));
  t.teardown(() => rm(dir, {recursive: true, force: true}));
  await mkdir(join(dir, 'not-a-run'));
  const error = await t.throwsAsync(collectReport(dir, {costs: false}));
  t.regex(error!.message, /no run directories in it .*: pass a run store such as runs\/, or a suite file$/);
});

test('a runs folder: variants are the family plus the knobs a run departs from, seeds grouped, U-Net a baseline', async (t) => {
  const {store} = await makeRunStore([
    {runId: id(11), variant: '', seed: 0, state: 'done', model: {model: 'ms-lkseg', baseWidth: 4}, images: images(0.5)},
    {runId: id(12), variant: '', seed: 1, state: 'done', model: {model: 'ms-lkseg', baseWidth: 4}, images: images(0.6)},
    {runId: id(13), variant: '', seed: 0, state: 'done', model: {model: 'ms-lkseg', baseWidth: 4, mie: {enabled: false}}, images: images(0.4)},
    {runId: id(14), variant: '', seed: 0, state: 'done', images: images(0.7)},
    {runId: id(15), variant: '', seed: 1, state: 'failed'},
  ]);
  const model = await collectReport(store, {costs: false});
  t.is(model.reference, null);
  t.is(model.unetBaseline, 'unet');
  t.like(model.source, {kind: 'runs', path: store, sha256: null});
  t.deepEqual(model.summary.map((s) => [s.variant, s.kind, s.planned, s.done]), [
    ['ms-lkseg', 'variant', 2, 2], ['ms-lkseg mie.enabled=false', 'variant', 1, 1], ['unet', 'baseline', 2, 1],
  ]);
});

test('EMCAD runs are labelled scratch or ImageNet in a runs folder and in a suite, the reference too', async (t) => {
  const weights = '/weights/pvt_v2_b0.safetensors';
  const {store} = await makeRunStore([
    {runId: id(31), variant: '', seed: 0, state: 'done', model: {model: 'emcad', encoder: 'b0'}, images: images(0.5)},
    {runId: id(32), variant: '', seed: 1, state: 'done', model: {model: 'emcad', encoder: 'b0'}, images: images(0.6)},
    {runId: id(33), variant: '', seed: 0, state: 'done', model: {model: 'emcad', encoder: 'b0', pretrained: weights}, images: images(0.7)},
    {runId: id(34), variant: '', seed: 0, state: 'done', model: {model: 'emcad', encoder: 'b0', pretrained: weights, cab: false}, images: images(0.4)},
  ]);
  const folder = await collectReport(store, {costs: false});
  t.deepEqual(folder.summary.map((s) => [s.variant, s.planned]), [['EMCAD (ImageNet)', 1], ['EMCAD (ImageNet) cab=false', 1], ['EMCAD (scratch)', 2]]);

  const other = await makeRunStore([
    {runId: id(35), variant: '', seed: 0, state: 'done', model: {model: 'emcad', encoder: 'b0', pretrained: weights}, images: images(0.7)},
    {runId: id(36), variant: '', seed: 0, state: 'done', model: {model: 'emcad', encoder: 'b0', pretrained: '/weights/timm-b0.safetensors'}, images: images(0.7)},
  ]);
  t.deepEqual((await collectReport(other.store, {costs: false})).summary.map((s) => s.variant),
    ['EMCAD (ImageNet)', 'EMCAD (ImageNet) pretrained=timm-b0.safetensors'], 'two weights files are told apart (the most common one unnamed, as every knob)');

  const suite = await makeRunStore([
    {runId: id(37), variant: 'emcad', kind: 'baseline', seed: 0, state: 'done', model: {model: 'emcad', encoder: 'b0'}, images: images(0.5)},
    {runId: id(38), variant: 'EMCAD-B0 ImageNet', kind: 'baseline', seed: 0, state: 'done', model: {model: 'emcad', encoder: 'b0', pretrained: weights}, images: images(0.6)},
    {runId: id(39), variant: 'U-Net', kind: 'baseline', seed: 0, state: 'done', images: images(0.4)},
  ], {name: 'emcad-suite', reference: 'emcad'});
  const report = await collectReport('emcad-suite', {store: suite.store, costs: false});
  t.is(report.reference, 'EMCAD (scratch)');
  t.deepEqual(report.runs.map((r) => r.variant), ['EMCAD (scratch)', 'EMCAD-B0 ImageNet', 'U-Net'], 'names the suite chose are kept');
  t.deepEqual(report.curves.map((c) => c.variant), ['EMCAD (scratch)', 'EMCAD-B0 ImageNet', 'U-Net']);
});

test('extra test sets in metrics.json evaluations give per-image rows and a summary row of their own', async (t) => {
  const {store} = await makeRunStore([
    {runId: id(21), variant: 'full', seed: 0, state: 'done', images: images(0.8), extraSets: {'cvc-clinicdb': images(0.5, 0.7)}},
    {runId: id(22), variant: 'full', seed: 1, state: 'done', images: images(0.9)},
  ], {name: 'extra', reference: 'full'});
  const model = await collectReport('extra', {store, costs: false});
  t.deepEqual(model.perImage.filter((r) => r.testSet === 'cvc-clinicdb').map((r) => r.image), ['img-0', 'img-1']);
  const extra = model.summary.find((s) => s.testSet === 'cvc-clinicdb')!;
  t.like(extra, {variant: 'full', planned: 2, done: 1, dice: {n: 1, std: null}, missing: ['seed 1: done, but not evaluated on cvc-clinicdb']});
  t.true(Math.abs(extra.dice.mean! - 0.6) < 1e-12);
});

test('a done run whose test summary is damaged is shown with the problem, not dropped and not fatal', async (t) => {
  const {store, dirs} = await makeRunStore([{runId: id(31), variant: 'full', seed: 0, state: 'done', images: images(0.8)}], {name: 'damaged', reference: 'full'});
  await writeFile(join(dirs[0]!, 'eval', 'test-last.json'), '{"formatVersion": 2, "cut');
  const model = await collectReport('damaged', {store, costs: false});
  t.like(model.runs[0], {state: 'done', test: null});
  t.regex(model.runs[0]!.reason!, /^done, but its test evaluation cannot be read: .*not valid JSON/);
  t.deepEqual(model.summary[0]!.missing, [`seed 0: ${model.runs[0]!.reason}`]);
});

test('literature rows for the report\'s datasets only', async (t) => {
  const {store} = await makeRunStore([{runId: id(41), variant: 'full', seed: 0, state: 'done', dataset: 'busi', images: images(0.8)}], {name: 'lit', reference: 'full'});
  const model = await collectReport('lit', {store, costs: false});
  t.true(model.literature.length > 0);
  t.true(model.literature.every((l) => l.dataset === 'busi'));
});

test('a run renamed in the store since the manifest was written is found by its id', async (t) => {
  const {store, dirs} = await makeRunStore([{runId: id(51), variant: 'full', seed: 0, state: 'done', images: images(0.8)}], {name: 'moved', reference: 'full'});
  await rename(dirs[0]!, join(store, `renamed-${id(51)}`));
  const model = await collectReport('moved', {store, costs: false});
  t.like(model.runs[0], {state: 'done', dir: join(store, `renamed-${id(51)}`)});
});

test('a suite file changed since its manifest was written: the manifest\'s runs, with a warning', async (t) => {
  const {store} = await makeRunStore([{runId: id(61), variant: 'small', seed: 0, state: 'done', images: images(0.8)}], {name: 'edited', reference: 'small'});
  const file = join(store, '..', 'edited.yaml');
  await writeFile(file, JSON.stringify({name: 'edited', extends: 'training/default.yaml', model: 'models/unet.yaml', datasets: ['synthetic'], seeds: [0], variants: {small: {baseWidth: 4}}}));
  const messages: string[] = [];
  const model = await collectReport(file, {store, costs: false, onStage: (m) => messages.push(m)});
  t.is(model.runs.length, 1);
  t.deepEqual(messages, [`warning: ${file} changed since \`mslk ablate\` wrote the manifest of suite 'edited': the report shows the runs of the manifest; run \`mslk ablate ${file}\` to bring them up to date`]);
});

test('a suite\'s report shows the test sets it asks for: a run never evaluated on one is missing from it with a reason; another suite\'s sets stay out', async (t) => {
  const {store} = await makeRunStore([
    {runId: id(61), variant: 'full', seed: 0, state: 'done', images: images(0.8), testSets: ['cvc-clinicdb'], extraSets: {'cvc-clinicdb': images(0.5), 'etis': images(0.2)}},
    {runId: id(62), variant: 'w/o MIE', seed: 0, state: 'done', images: images(0.7), testSets: ['cvc-clinicdb']},
  ], {name: 'asked', reference: 'full'});
  const model = await collectReport('asked', {store, costs: false});
  t.deepEqual([...new Set(model.perImage.map((r) => r.testSet))], ['test', 'cvc-clinicdb'], 'etis belongs to another suite');
  t.deepEqual(model.summary.map((s) => [s.variant, s.testSet, s.done]), [['full', 'test', 1], ['full', 'cvc-clinicdb', 1], ['w/o MIE', 'test', 1], ['w/o MIE', 'cvc-clinicdb', 0]]);
  t.deepEqual(model.summary.at(-1)!.missing, ['seed 0: done, but not evaluated on cvc-clinicdb']);
});

test('latency comes from the store\'s calibration cache only: shown where `ablate` measured it, null elsewhere, nothing measured or written', async (t) => {
  await useWasm();
  const measured: FixtureRun = {runId: id(71), variant: 'measured', seed: 0, state: 'done', images: images(0.8)};
  const unmeasured: FixtureRun = {runId: id(72), variant: 'unmeasured', seed: 0, state: 'done', images: images(0.7), model: {baseWidth: 2}};
  const {store} = await makeRunStore([measured, {...measured, runId: id(73), seed: 1}, unmeasured], {name: 'latency', reference: 'measured'});
  const config = fixtureConfig(measured);
  // As `ablate` leaves it: the batch-1 entry of (model, size) holds the latency; the other model has none.
  const cache = JSON.stringify({formatVersion: 1, entries: {[calibrationKey(config.model, config.data.size, 1, activeBackendName())]: {params: 1, flops: 2, latencyMs: 12.3456}}});
  await writeFile(calibrationPath(store), cache);
  const stages: string[] = [];
  const model = await collectReport('latency', {store, onStage: (m) => stages.push(m)});
  t.is(model.latencyBackend, activeBackendName());
  t.deepEqual(model.runs.map((r) => r.latencyMs), [12.3456, 12.3456, null]);
  t.deepEqual(model.summary.map((s) => [s.variant, s.latencyMs]), [['measured', 12.3456], ['unmeasured', null]]);
  t.true(model.runs.every((r) => r.params !== null && r.params > 1), 'params are counted from the model, not from the batch-1 entry of another batch');
  t.deepEqual(stages.filter((m) => /latency/.test(m)), [], 'nothing timed');
  t.is(await readFile(calibrationPath(store), 'utf8'), cache, 'the cache is not written by a report');

  const withoutCosts = await collectReport('latency', {store, costs: false});
  t.is(withoutCosts.latencyBackend, null);
  t.true(withoutCosts.runs.every((r) => r.latencyMs === null));
});
