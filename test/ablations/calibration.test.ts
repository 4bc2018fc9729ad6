// The store's calibration cache (src/ablations/plan-status.ts, openCalibration): the batch-1 inference latency is
// measured once per (model, size), kept in the batch-1 entry across processes, added to entries written before it
// existed without losing their counts, kept when a training step is timed later, and never measured by a read.
import test from 'ava';
import {mkdtemp, readFile, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {calibrationKey, calibrationPath, openCalibration, type Calibration} from '../../src/ablations/plan-status.js';
import {activeBackendName} from '../../src/engine/backends.js';
import {parseModelConfig} from '../../src/models/registry.js';
import {defaultTrainConfig} from '../../src/runs/config.js';
import {useWasm} from '../models/helpers.js';

test.before(useWasm);

const model = parseModelConfig({model: 'unet', baseWidth: 2}, 'model');
const SIZE = 16;

async function entries(store: string): Promise<Record<string, Calibration>> {
  return (JSON.parse(await readFile(calibrationPath(store), 'utf8')) as {entries: Record<string, Calibration>}).entries;
}

test.serial('latency is measured once per (model, size), saved in the batch-1 entry, and read back without measuring', async (t) => {
  const store = await mkdtemp(join(tmpdir(), 'mslk-calibration-'));
  const stages: string[] = [];
  const first = await openCalibration(store, (m) => stages.push(m));
  t.is(first.cachedLatency(model, SIZE), undefined, 'nothing measured yet');
  const measured = await first.latency(model, SIZE);
  t.true(Number.isFinite(measured) && measured > 0, `${measured} ms`);
  t.is(await first.latency(model, SIZE), measured, 'the second call reuses the measurement');
  t.is(stages.filter((s) => /inference latency/.test(s)).length, 1);
  await first.save();
  const key = calibrationKey(model, SIZE, 1, activeBackendName());
  const saved = await entries(store);
  t.deepEqual(Object.keys(saved), [key]);
  t.is(saved[key]!.latencyMs, measured);
  t.true(saved[key]!.params > 0 && saved[key]!.flops > 0, 'the new batch-1 entry carries the counts too');

  const again = await openCalibration(store, (m) => stages.push(m));
  t.is(again.cachedLatency(model, SIZE), measured);
  t.is(await again.latency(model, SIZE), measured);
  t.is(again.cachedLatency(model, SIZE + 16), undefined, 'another size is another measurement');
  t.is(stages.filter((s) => /inference latency/.test(s)).length, 1, 'a reopened cache measures nothing again');
});

test.serial('an entry written before latency existed is measured once and updated, keeping its counts; timing a step later keeps the latency', async (t) => {
  const store = await mkdtemp(join(tmpdir(), 'mslk-calibration-'));
  const key = calibrationKey(model, SIZE, 1, activeBackendName());
  // Counts that differ from the real ones show that the old entry is updated, not replaced.
  await writeFile(calibrationPath(store), JSON.stringify({formatVersion: 1, entries: {[key]: {params: 123, flops: 456}}}));
  const calibration = await openCalibration(store);
  t.is(calibration.cachedLatency(model, SIZE), undefined);
  const measured = await calibration.latency(model, SIZE);
  t.deepEqual((await calibration.calibrate(model, SIZE, 1, defaultTrainConfig(), false)), {params: 123, flops: 456, latencyMs: measured});
  const timed = await calibration.calibrate(model, SIZE, 1, defaultTrainConfig(), true);
  t.true(timed.stepMs !== undefined && timed.stepMs > 0);
  t.is(timed.latencyMs, measured, 'timing the training step keeps the latency');
  await calibration.save();
  t.like((await entries(store))[key], {latencyMs: measured, stepMs: timed.stepMs});
});

test.serial('reading a latency never measures or writes: an absent cache stays absent', async (t) => {
  const store = await mkdtemp(join(tmpdir(), 'mslk-calibration-'));
  const stages: string[] = [];
  const calibration = await openCalibration(store, (m) => stages.push(m));
  t.is(calibration.cachedLatency(model, SIZE), undefined);
  await calibration.save();
  t.deepEqual(stages, []);
  await t.throwsAsync(readFile(calibrationPath(store)), {code: 'ENOENT'});
});

test.serial('a suite that has trained epochs is estimated from them: the median epoch of runs of the same model, size and batch', async (t) => {
  const {tinySuite} = await import('./suite-fixture.js');
  const {planReport} = await import('../../src/ablations/plan-status.js');
  const {formatPlanTable} = await import('../../src/ablations/plan-table.js');
  const store = await mkdtemp(join(tmpdir(), 'mslk-epoch-estimate-'));
  const plan = await tinySuite(store, join(store, 'data'), [
    {variant: 'trained', set: ['seed=0', 'train.epochs=4']}, {variant: 'same model', set: ['seed=1', 'train.epochs=4']},
    {variant: 'other model', set: ['seed=0', 'train.epochs=4', 'model.baseWidth=6']},
  ]);
  const images = {train: 16, validation: 8, test: 8};
  for (const run of plan.runs) run.images = images;
  // The first run has finished 3 of its 4 epochs, 10, 14 and 12 s each.
  await writeFile(join(plan.runs[0]!.dir, 'log.jsonl'), [10, 14, 12].map((seconds, i) => JSON.stringify({epoch: i + 1, trainLoss: 1, valDice: 0.5, lr: 0.005, tau: null, seconds, best: true})).join('\n') + '\n');
  const report = await planReport(plan, {jobs: 1, estimate: true, latency: false, writeCache: false});
  const [trained, same, other] = report.rows;
  // batch 8: 2 training steps and 1 validation step per epoch, an epoch = 2 + 1/3 step-equivalents; evaluation (1 + 1)/3.
  const stepSeconds = 12 / (2 + 1 / 3);
  t.like(trained, {estimateFrom: 'epochs'});
  t.true(Math.abs(trained!.estimatedSeconds! - stepSeconds * (1 * (2 + 1 / 3) + 2 / 3)) < 1e-9, 'one epoch left, then evaluation');
  t.like(same, {estimateFrom: 'epochs'});
  t.true(Math.abs(same!.estimatedSeconds! - stepSeconds * (4 * (2 + 1 / 3) + 2 / 3)) < 1e-9, 'four epochs at the trained run\'s median');
  t.like(other, {estimateFrom: 'calibration'}, 'another model has no epochs of its own yet');
  t.is(report.timedEpochs, 3);
  t.regex(formatPlanTable(report, {progress: true}), /\(\w+; timed from 3 finished epochs of its runs where a model has some, else a calibration\)/);
});
