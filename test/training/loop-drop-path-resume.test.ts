// A family's per-step state (ModelFamily.beforeTrainingStep) survives a resume: EMCAD's DropPath layers draw
// their seeded masks for the step the training loop is at, so a tiny EMCAD b0 interrupted after epoch 1 and resumed
// in a fresh model ends with the weights, bit for bit, and the log.jsonl (but wall-clock seconds) of an
// uninterrupted run. Without the hook the resumed model would draw step 0's masks again: the last test shows that
// this changes the result, so the comparison can fail.
import test from 'ava';
import {cp, mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {activateBackend} from '../../src/engine/backends.js';
import {MODEL_REGISTRY, type ModelFamily} from '../../src/models/registry.js';
import type {EmcadConfig} from '../../src/models/families/emcad.js';
import {parseRunConfig} from '../../src/runs/config.js';
import {RunDir} from '../../src/runs/run-dir.js';
import {trainLoop, TrainingInterruptedError} from '../../src/training/loop.js';
import {tinyDataset} from '../helpers/tiny-dataset.js';

const EPOCHS = 2;
// A high rate (0.5 at the deepest block, rising from 0) so that every step drops some samples' branches.
const config = parseRunConfig({
  model: {model: 'emcad', encoder: 'b0', dropPath: 0.5},
  data: {size: 64},
  train: {epochs: EPOCHS, batchSize: 2, optimizer: {lr: 0.001}},
  seed: 5,
});
const dataset = tinyDataset(6, 64, {learnable: true});
// 4 training images in batches of 2: 2 steps per epoch.
const trainIndices = [0, 1, 2, 3];
const validationIndices = [4, 5];

interface Trained {
  /** Every weight of the final model (BN statistics too), as bytes. */
  weights: Buffer[];
  /** log.jsonl's lines without their wall-clock `seconds`. */
  log: string[];
}

let scratch = '';
let reference: Trained;
test.before(async () => {
  await activateBackend('wasm');
  scratch = await mkdtemp(join(tmpdir(), 'mslk-drop-path-resume-'));
  reference = await train(join(scratch, 'uninterrupted'), {resume: false});
  // Interrupted at the end of epoch 1 (aborted during its validation): `last` holds epoch 1.
  await train(join(scratch, 'after-epoch-1'), {resume: false, stopAfterEpoch: 1}).then(
    () => Promise.reject(new Error('the run was not interrupted')),
    (error: unknown) => (error instanceof TrainingInterruptedError ? undefined : Promise.reject(error)),
  );
});
test.after.always(async () => {
  if (scratch) await rm(scratch, {recursive: true, force: true});
});

/** Trains in `dir` to the end, or until it is aborted once epoch `stopAfterEpoch` ends (TrainingInterruptedError). */
async function train(dir: string, o: {resume: boolean; stopAfterEpoch?: number}): Promise<Trained> {
  const controller = new AbortController();
  const run = new RunDir(dir);
  const result = await trainLoop({
    config, dataset, trainIndices, validationIndices, run, resume: o.resume, signal: controller.signal,
    onEpoch: (e) => {
      if (e.epoch === o.stopAfterEpoch) controller.abort();
    },
  });
  const weights = result.model.weights.map((w) => Buffer.from(new Uint8Array((w.read().dataSync() as Float32Array).slice().buffer)));
  result.model.dispose();
  const log = (await run.logLines()).map((line) => {
    const {seconds, ...rest} = JSON.parse(line) as {seconds: number};
    return typeof seconds === 'number' ? JSON.stringify(rest) : 'seconds missing';
  });
  return {weights, log};
}

const sameWeights = (a: readonly Buffer[], b: readonly Buffer[]): boolean => a.length === b.length && a.every((w, i) => w.equals(b[i]!));

test.serial('an EMCAD b0 run interrupted after epoch 1 and resumed ends with the uninterrupted weights, bit for bit, and log', async (t) => {
  const dir = join(scratch, 'resumed');
  await cp(join(scratch, 'after-epoch-1'), dir, {recursive: true});
  t.is((await new RunDir(dir).logLines()).length, 1, 'the interrupted run holds epoch 1 only');
  const tensorsBefore = tf.memory().numTensors;
  const resumed = await train(dir, {resume: true});
  t.is(tf.memory().numTensors, tensorsBefore, 'the resumed loop disposed every tensor but the model it returned');
  t.is(resumed.log.length, EPOCHS);
  t.deepEqual(resumed.log, reference.log);
  t.true(sameWeights(resumed.weights, reference.weights), 'final weights differ from the uninterrupted run');
});

test.serial('what the comparison rests on: resumed without the hook, the model draws step 0\'s masks again and ends elsewhere', async (t) => {
  // Patched for this test only (each test file runs in its own process; this one is serial and last).
  const family = MODEL_REGISTRY.emcad as ModelFamily<EmcadConfig>;
  const hook = family.beforeTrainingStep;
  t.is(typeof hook, 'function', 'emcad declares the hook');
  delete family.beforeTrainingStep;
  try {
    const dir = join(scratch, 'resumed-without-hook');
    await cp(join(scratch, 'after-epoch-1'), dir, {recursive: true});
    const resumed = await train(dir, {resume: true});
    t.deepEqual(resumed.log[0], reference.log[0], 'epoch 1 comes from the checkpoint');
    t.false(sameWeights(resumed.weights, reference.weights), 'the drop-path masks made no difference: the test above proves nothing');
  } finally {
    family.beforeTrainingStep = hook!;
  }
});
