// Suite expansion and planning on the synthetic dataset (generated in a temporary data root): deterministic order
// and ids, automatic names, runs shared between suites, the manifest and prepared run directories, run states.
import test from 'ava';
import fc from 'fast-check';
import {mkdtemp, readFile, readdir, stat, writeFile} from 'node:fs/promises';
import {hostname, tmpdir} from 'node:os';
import {basename, join} from 'node:path';
import {gridPoints} from '../../src/ablations/load-suite.js';
import {planSuite, prepareRunDirs, suiteManifestPath, type SuiteManifest} from '../../src/ablations/plan.js';
import {formatState, plannedRunState} from '../../src/ablations/plan-status.js';
import {runDirName} from '../../src/runs/locate-run.js';
import {acquireRunLock} from '../../src/runs/lock.js';
import {locateRunForConfig} from '../../src/runs/run-for-config.js';

const dataRoot = await mkdtemp(join(tmpdir(), 'mslk-plan-data-'));

async function suiteFile(suite: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-plan-'));
  const file = join(dir, 'suite.yaml');
  await writeFile(file, JSON.stringify({extends: 'training/default.yaml', model: 'models/ms-lkseg.yaml', datasets: ['synthetic'],
    set: {'data.size': 32, 'train.epochs': 1, 'train.batchSize': 4}, ...suite}));
  return file;
}

const TINY = {
  name: 'tiny', seeds: [0, 1],
  variants: {'full': {baseWidth: 8}, 'w/o MIE': {baseWidth: 8, 'mie.enabled': false}},
  zip: {'baseWidth': [8, 8], 'ld.largeKernel': [7, 13], 'ld.smallKernel': [3, 5]},
  baselines: ['unet'],
};

test.serial('expansion is deterministic: models x seeds in file order, points named key=value, ids from src/runs', async (t) => {
  const file = await suiteFile(TINY);
  const store = join(tmpdir(), `mslk-plan-store-${process.pid}-a`);
  const first = await planSuite(file, {store, dataRoot});
  const again = await planSuite(file, {store, dataRoot});
  t.deepEqual(again.runs.map((r) => r.runId), first.runs.map((r) => r.runId));
  t.deepEqual([...new Set(first.runs.map((r) => r.variant))],
    ['full', 'w/o MIE', 'baseWidth=8,ld.largeKernel=7,ld.smallKernel=3', 'baseWidth=8,ld.largeKernel=13,ld.smallKernel=5', 'unet']);
  t.deepEqual(first.runs.map((r) => r.seed), [0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
  t.is(new Set(first.runs.map((r) => r.runId)).size, 10);
  t.is(first.reference, 'full');
  t.like(first.runs[4], {kind: 'variant', fold: null, dataset: 'synthetic', missingData: null, config: {model: {ld: {largeKernel: 7, smallKernel: 3}}}});
  t.like(first.runs[8], {kind: 'baseline', variant: 'unet', config: {model: {model: 'unet'}, data: {size: 32}}});
  // The same id and directory as a run trained on its own would get.
  const located = await locateRunForConfig(first.runs[0]!.config, {out: store, dataRoot});
  t.is(located.runId, first.runs[0]!.runId);
  t.is(first.runs[0]!.dir, join(store, runDirName(first.runs[0]!.config, located.runId)));
  t.is(await stat(store).catch(() => undefined), undefined, 'planning wrote into the store');
});

test.serial('runs of two suites that resolve to the same config are one run (same id, same directory)', async (t) => {
  const store = join(tmpdir(), `mslk-plan-store-${process.pid}-b`);
  const a = await planSuite(await suiteFile(TINY), {store, dataRoot});
  const b = await planSuite(await suiteFile({name: 'other', seeds: [1], variants: {'mine': {baseWidth: 8}}}), {store, dataRoot});
  t.is(b.runs.length, 1);
  const shared = a.runs.find((r) => r.variant === 'full' && r.seed === 1)!;
  t.is(b.runs[0]!.runId, shared.runId);
  t.is(b.runs[0]!.dir, shared.dir);
});

test.serial('prepareRunDirs writes the manifest and config.json of each run; states come from the store', async (t) => {
  const file = await suiteFile(TINY);
  const store = join(tmpdir(), `mslk-plan-store-${process.pid}-c`);
  const plan = await planSuite(file, {store, dataRoot});
  await prepareRunDirs(plan);
  const manifest = JSON.parse(await readFile(suiteManifestPath(store, 'tiny'), 'utf8')) as SuiteManifest;
  t.is(manifest.file, file);
  t.regex(manifest.sha256, /^[0-9a-f]{64}$/);
  t.deepEqual(manifest.runs.map((r) => r.runId), plan.runs.map((r) => r.runId));
  t.deepEqual(manifest.runs[2], {runId: plan.runs[2]!.runId, variant: 'w/o MIE', kind: 'variant', dataset: 'synthetic', fold: null, seed: 0, dir: plan.runs[2]!.dir});
  for (const run of plan.runs) {
    t.is(basename(run.dir), runDirName(run.config, run.runId));
    t.deepEqual(JSON.parse(await readFile(join(run.dir, 'config.json'), 'utf8')), run.config);
  }
  t.is((await readdir(store)).filter((n) => n !== 'suites').length, 10);
  // States: pending, partial, failed, done, and partial inside its first epoch (stopped by SIGTERM there).
  const [pending, partial, failed, done, stoppedInFirstEpoch] = plan.runs;
  await writeFile(join(stoppedInFirstEpoch!.dir, 'status'), 'partial\n');
  t.is(formatState(await plannedRunState(stoppedInFirstEpoch!)), 'partial at epoch 0');
  await writeFile(join(partial!.dir, 'log.jsonl'), '{"epoch":1}\n{"epoch":2}\n');
  await writeFile(join(partial!.dir, 'status'), 'running\n');
  await writeFile(join(failed!.dir, 'status'), 'failed: loss is NaN\n');
  await writeFile(join(done!.dir, 'status'), 'done\n');
  t.is(formatState(await plannedRunState(pending!)), 'pending');
  t.is(formatState(await plannedRunState(partial!)), 'partial at epoch 2');
  t.is(formatState(await plannedRunState(failed!)), 'failed: loss is NaN');
  t.is(formatState(await plannedRunState(done!)), 'done');
  const lock = await acquireRunLock(pending!.dir, {command: 'test'});
  try {
    t.is(formatState(await plannedRunState(pending!)), `running (pid ${process.pid} on ${hostname()}, epoch 0)`);
  } finally {
    await lock.release();
  }
  // Planning again finds the same directories (by id), and a done run is not prepared again.
  const again = await planSuite(file, {store, dataRoot});
  t.deepEqual(again.runs.map((r) => r.dir), plan.runs.map((r) => r.dir));
});

test.serial('folds: one run per fold, the fold in the split (and so in the run id); an absent dataset is "no data"', async (t) => {
  const plan = await planSuite(await suiteFile({name: 'folds', folds: 2, datasets: ['synthetic', 'busi'], variants: {full: {baseWidth: 8}}}),
    {store: join(tmpdir(), `mslk-plan-store-${process.pid}-d`), dataRoot});
  t.deepEqual(plan.runs.map((r) => [r.dataset, r.fold]), [['synthetic', 0], ['synthetic', 1], ['busi', 0], ['busi', 1]]);
  t.like(plan.runs[1]!.config.data.split, {method: 'kfold', folds: 2, fold: 1});
  t.not(plan.runs[0]!.runId, plan.runs[1]!.runId);
  t.like(plan.runs[2], {runId: '', dir: '', missingData: 'mslk datasets fetch busi'});
  t.is(formatState(await plannedRunState(plan.runs[2]!)), 'no data: mslk datasets fetch busi');
  await t.throwsAsync(prepareRunDirs(plan), {message: /busi \(mslk datasets fetch busi\); nothing was started/});
});

test('grid points: the product of the axes, every point distinct, in a fixed order', (t) => {
  fc.assert(fc.property(fc.dictionary(fc.string({minLength: 1, maxLength: 4}), fc.uniqueArray(fc.integer(), {minLength: 1, maxLength: 4}), {maxKeys: 3}), (axes) => {
    const points = gridPoints(axes);
    const expected = Object.values(axes).reduce((n, v) => n * v.length, 1);
    t.is(points.length, expected);
    t.is(new Set(points.map((p) => JSON.stringify(p))).size, expected);
    t.deepEqual(gridPoints(axes), points);
    for (const p of points) t.deepEqual(p.map(([k]) => k), Object.keys(axes));
  }));
});
