// Where a checkpoint stands: at an epoch boundary (no `unfinishedEpoch`, as in every checkpoint written before it
// existed) or inside an epoch, and the training progress (DyConv temperature) it is evaluated at.
import test from 'ava';
import fc from 'fast-check';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {activateBackend} from '../../src/engine/backends.js';
import {buildModel} from '../../src/models/registry.js';
import {progressAtCheckpoint, readCheckpoint, saveCheckpoint, type TrainingPosition, type UnfinishedEpoch} from '../../src/training/checkpoint.js';
import {Optimizer} from '../../src/training/optimizers.js';

let dir = '';
test.before(async () => {
  await activateBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'mslk-ckpt-position-'));
});
test.after.always(async () => {
  if (dir) await rm(dir, {recursive: true, force: true});
});

async function roundTrip(name: string, position: TrainingPosition): Promise<TrainingPosition> {
  const {model} = buildModel({model: 'unet', baseWidth: 4}, {seed: 1});
  const optimizer = new Optimizer({name: 'adam', lr: 0.01, momentum: 0.9, beta1: 0.9, beta2: 0.999, weightDecay: 0});
  try {
    await saveCheckpoint(join(dir, name), model, optimizer, position);
  } finally {
    optimizer.dispose();
    model.dispose();
  }
  return (await readCheckpoint(join(dir, name))).header;
}

test.serial('a checkpoint at an epoch boundary has no unfinishedEpoch in its header; one inside an epoch keeps it exactly', async (t) => {
  const boundary = await roundTrip('boundary.ckpt', {epoch: 2, step: 10, bestScore: 0.4, bestEpoch: 1});
  t.is(boundary.unfinishedEpoch, undefined);
  t.false((await readFile(join(dir, 'boundary.ckpt'))).includes('unfinishedEpoch'), 'the header of a boundary checkpoint is as before');
  const unfinishedEpoch: UnfinishedEpoch = {steps: 3, stepsPerEpoch: 5, lossSum: 0.1 + 0.2 + 1 / 3, images: 6, seconds: 1.25};
  const inside = await roundTrip('inside.ckpt', {epoch: 2, step: 13, bestScore: 0.4, bestEpoch: 1, unfinishedEpoch});
  t.deepEqual(inside.unfinishedEpoch, unfinishedEpoch);
  t.is(inside.unfinishedEpoch!.lossSum, unfinishedEpoch.lossSum, 'the running loss sum is exact (float64 through JSON)');
});

test.serial('a header whose unfinishedEpoch lacks a number is a damaged checkpoint, named with its fix', async (t) => {
  const broken = {steps: 3, stepsPerEpoch: 5, lossSum: 'x'} as unknown as UnfinishedEpoch;
  await t.throwsAsync(roundTrip('broken.ckpt', {epoch: 0, step: 3, bestScore: null, bestEpoch: null, unfinishedEpoch: broken}),
    {message: /broken\.ckpt: damaged checkpoint \(its header does not parse: unfinishedEpoch lacks a number; .*\): put back a whole copy/});
});

test('progressAtCheckpoint: steps per epoch of the run at a boundary and inside any epoch, the first one included', (t) => {
  fc.assert(fc.property(fc.integer({min: 0, max: 50}), fc.integer({min: 1, max: 500}), fc.integer({min: 1, max: 500}), (epoch, stepsPerEpoch, k) => {
    const steps = ((k - 1) % stepsPerEpoch) + 1;
    const unfinishedEpoch = {steps, stepsPerEpoch, lossSum: 1, images: steps, seconds: 0};
    const step = epoch * stepsPerEpoch + steps;
    t.deepEqual(progressAtCheckpoint({epoch, step, unfinishedEpoch}, 60), {stepsDone: step, stepsPerEpoch, epochs: 60});
    if (epoch > 0) t.deepEqual(progressAtCheckpoint({epoch, step: epoch * stepsPerEpoch}, 60), {stepsDone: epoch * stepsPerEpoch, stepsPerEpoch, epochs: 60});
  }));
  t.deepEqual(progressAtCheckpoint({epoch: 0, step: 0}, 60), {stepsDone: 0, stepsPerEpoch: 1, epochs: 60});
});
