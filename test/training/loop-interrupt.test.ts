// An interrupt (SIGINT, SIGTERM: LoopOptions.signal) inside an epoch writes `last` at the step reached, leaves
// `best` alone, and a resume from there ends with bit-identical weights and the same log.jsonl (but wall-clock
// seconds) as an uninterrupted run, wherever it stopped: first step of the run, middle or last step of an epoch,
// last step of the run, twice in one epoch, or at an epoch boundary. A small MS-LKSeg with DyConv annealing and a
// warm-up + cosine learning rate makes every step's temperature and learning rate part of what must match. Also:
// such a checkpoint opens for eval/export at its last step's temperature, and a divergence after it names it.
import test from 'ava';
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {activateBackend} from '../../src/engine/backends.js';
import {DyConv} from '../../src/models/layers/dyconv.js';
import {familyOf} from '../../src/models/registry.js';
import {parseRunConfig} from '../../src/runs/config.js';
import {exportRun} from '../../src/runs/export-run.js';
import {openRun} from '../../src/runs/open-run.js';
import {RunDir} from '../../src/runs/run-dir.js';
import {progressAtCheckpoint, readCheckpoint} from '../../src/training/checkpoint.js';
import {trainLoop, TrainingDivergedError, TrainingInterruptedError, type BatchProgress} from '../../src/training/loop.js';
import {tinyDataset} from '../helpers/tiny-dataset.js';

const EPOCHS = 3;
const STEPS_PER_EPOCH = 5;
const config = parseRunConfig({
  model: {model: 'ms-lkseg', baseWidth: 4, dyconv: {temperature: {epochs: EPOCHS}}},
  data: {size: 32, augment: {scaledCrop: 0.5, brightness: 0.1, contrast: 0.1}},
  train: {epochs: EPOCHS, batchSize: 2, optimizer: {lr: 0.05}, schedule: {name: 'cosine', warmupEpochs: 1}},
  seed: 3,
});
const dataset = tinyDataset(11, 32, {learnable: true});
// 9 training images in batches of 2: 5 steps per epoch, the last one of a single image.
const trainIndices = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const validationIndices = [9, 10];

let scratch = '';
let reference: Trained;
test.before(async () => {
  await activateBackend('wasm');
  scratch = await mkdtemp(join(tmpdir(), 'mslk-loop-interrupt-'));
  reference = await train(join(scratch, 'uninterrupted'), {resume: false});
});
test.after.always(async () => {
  if (scratch) await rm(scratch, {recursive: true, force: true});
});

interface Trained {
  /** Every weight of the final model (BN statistics too), as bytes. */
  weights: Buffer[];
  /** log.jsonl's lines without their wall-clock `seconds`. */
  log: string[];
  batches: BatchProgress[];
}

/** Where to abort: after step `step` (1-based) of epoch `epoch`, or once epoch `epoch` has ended (`step` 'end'). */
interface StopPoint {
  epoch: number;
  step: number | 'end';
}

async function logWithoutSeconds(run: RunDir): Promise<string[]> {
  return (await run.logLines()).map((line) => {
    const {seconds, ...rest} = JSON.parse(line) as {seconds: number};
    return typeof seconds === 'number' ? JSON.stringify(rest) : 'seconds missing';
  });
}

/**
 * Trains in `dir` to the end, or until `stopAt` aborts it (then throws TrainingInterruptedError), calling `onAbort`
 * as it aborts. Appends each step's progress to `batches`.
 */
async function train(dir: string, o: {resume: boolean; stopAt?: StopPoint; onAbort?: () => void}, batches: BatchProgress[] = []): Promise<Trained> {
  const controller = new AbortController();
  const abort = (): void => {
    o.onAbort?.();
    controller.abort();
  };
  const run = new RunDir(dir);
  const result = await trainLoop({
    config, dataset, trainIndices, validationIndices, run, resume: o.resume, signal: controller.signal,
    onBatch: (p) => {
      batches.push(p);
      if (o.stopAt?.epoch === p.epoch && o.stopAt.step === p.batch) abort();
    },
    onEpoch: (e) => {
      if (o.stopAt?.epoch === e.epoch && o.stopAt.step === 'end') abort();
    },
  });
  const weights = result.model.weights.map((w) => Buffer.from(new Uint8Array((w.read().dataSync() as Float32Array).slice().buffer)));
  result.model.dispose();
  return {weights, log: await logWithoutSeconds(run), batches};
}

function sameWeights(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  return a.length === b.length && a.every((w, i) => w.equals(b[i]!));
}

/** Stops at each point in turn (each time resuming the previous stop), then resumes to the end. */
async function trainWithStops(dir: string, stops: readonly StopPoint[], t: import('ava').ExecutionContext): Promise<Trained> {
  const run = new RunDir(dir);
  const batches: BatchProgress[] = [];
  for (const [k, stopAt] of stops.entries()) {
    const bestNow = (): Buffer | null => (existsSync(run.checkpoint('best')) ? readFileSync(run.checkpoint('best')) : null);
    // The `best` file as it was when the abort came.
    let bestAtAbort: Buffer | null = null;
    const tensorsBefore = tf.memory().numTensors;
    const error = await t.throwsAsync(
      train(dir, {resume: k > 0, stopAt, onAbort: () => (bestAtAbort = bestNow())}, batches),
      {instanceOf: TrainingInterruptedError},
    );
    t.is(tf.memory().numTensors, tensorsBefore, `stop ${k + 1}: the interrupted loop disposed its model and optimiser`);
    const header = (await readCheckpoint(run.checkpoint('last'))).header;
    if (stopAt.step === 'end') {
      t.regex(error!.message, new RegExp(`its checkpoint is at the end of epoch ${stopAt.epoch}$`));
      t.is(header.unfinishedEpoch, undefined);
      t.deepEqual([header.epoch, header.step], [stopAt.epoch, stopAt.epoch * STEPS_PER_EPOCH]);
      continue;
    }
    t.regex(error!.message, new RegExp(`its checkpoint is at epoch ${stopAt.epoch}, step ${stopAt.step} of ${STEPS_PER_EPOCH}, and a resume goes on from there$`));
    t.like(error!.unfinished, {steps: stopAt.step, stepsPerEpoch: STEPS_PER_EPOCH});
    t.deepEqual([header.epoch, header.step, header.unfinishedEpoch?.steps, header.unfinishedEpoch?.stepsPerEpoch],
      [stopAt.epoch - 1, (stopAt.epoch - 1) * STEPS_PER_EPOCH + stopAt.step, stopAt.step, STEPS_PER_EPOCH]);
    // The DyConv temperature a mid-epoch checkpoint is evaluated at is that of its last step.
    t.deepEqual(progressAtCheckpoint(header, EPOCHS), {stepsDone: header.step, stepsPerEpoch: STEPS_PER_EPOCH, epochs: EPOCHS});
    const bestAfter = bestNow();
    t.true(bestAtAbort === null ? bestAfter === null : bestAfter !== null && bestAfter.equals(bestAtAbort), `stop ${k + 1}: best.ckpt untouched`);
    t.is((await run.logLines()).length, stopAt.epoch - 1, 'log.jsonl holds the finished epochs only');
  }
  return train(dir, {resume: true}, batches);
}

const cases: {title: string; stops: StopPoint[]}[] = [
  {title: 'after the 3rd of 5 steps of epoch 2', stops: [{epoch: 2, step: 3}]},
  {title: 'after the first step of the run', stops: [{epoch: 1, step: 1}]},
  {title: 'after the last step of an epoch, before its validation', stops: [{epoch: 2, step: 5}]},
  {title: 'after the last step of the run', stops: [{epoch: 3, step: 5}]},
  {title: 'twice in one epoch (2 then 4), then in the next', stops: [{epoch: 1, step: 2}, {epoch: 1, step: 4}, {epoch: 2, step: 1}]},
  {title: 'at an epoch boundary (aborted during epoch 1\'s validation)', stops: [{epoch: 1, step: 'end'}]},
];

for (const {title, stops} of cases) {
  test.serial(`interrupted ${title}: resuming gives the uninterrupted weights, bit for bit, and log`, async (t) => {
    const stopped = await trainWithStops(join(scratch, title.replace(/[^a-z0-9]+/gi, '-')), stops, t);
    t.true(sameWeights(stopped.weights, reference.weights), 'final weights differ from the uninterrupted run');
    t.deepEqual(stopped.log, reference.log);
    t.is(stopped.log.length, EPOCHS);
    // Every step ran once (none redone, none skipped), with the same running loss as in the uninterrupted run.
    t.deepEqual(stopped.batches, reference.batches);
    t.is(reference.batches.length, EPOCHS * STEPS_PER_EPOCH);
  });
}

test.serial('what the comparisons rest on: tau, lr and validation Dice change between epochs; a mid-epoch checkpoint holds the running loss', async (t) => {
  const entries = reference.log.map((l) => JSON.parse(l) as {tau: number; lr: number; valDice: number});
  t.is(new Set(entries.map((e) => e.tau)).size, EPOCHS, 'DyConv temperature anneals across epochs');
  t.is(new Set(entries.map((e) => e.lr)).size, EPOCHS, 'learning rate changes across epochs');
  // Validation depends on the model's state (a resume must restore the last step's temperature before it).
  t.is(new Set(entries.map((e) => e.valDice)).size, EPOCHS, 'validation Dice changes across epochs');
  const dir = join(scratch, 'one-step');
  await t.throwsAsync(train(dir, {resume: false, stopAt: {epoch: 1, step: 1}}), {instanceOf: TrainingInterruptedError});
  const header = (await readCheckpoint(new RunDir(dir).checkpoint('last'))).header;
  t.is(header.unfinishedEpoch?.images, 2);
  t.is(header.unfinishedEpoch!.lossSum / 2, reference.batches[0]!.loss);
  t.false(existsSync(new RunDir(dir).checkpoint('best')), 'no best before an epoch was validated');
  // Resumed with another number of steps per epoch (the split or batch size changed): refused in one line.
  const tensorsBefore = tf.memory().numTensors;
  const error = await t.throwsAsync(trainLoop({config, dataset, trainIndices: trainIndices.slice(0, 7), validationIndices, run: new RunDir(dir), resume: true}));
  t.regex(error!.message, /last\.ckpt: written inside epoch 1 of a run with 5 steps per epoch, this run has 4: the split or train\.batchSize changed since/);
  t.false(error!.message.includes('\n'));
  t.is(tf.memory().numTensors, tensorsBefore, 'the refused resume disposed its model and optimiser');
});

test.serial('a run interrupted inside an epoch opens (eval, predict, export) at its last step\'s DyConv temperature, and its export says where it stopped', async (t) => {
  const dir = join(scratch, 'opened');
  await t.throwsAsync(train(dir, {resume: false, stopAt: {epoch: 2, step: 3}}), {instanceOf: TrainingInterruptedError});
  await new RunDir(dir).writeJson('config', config);
  const opened = await openRun(dir, 'last');
  const stepsDone = STEPS_PER_EPOCH + 3;
  const expected = familyOf(config.model).temperatureAt(config.model, {stepsDone, stepsPerEpoch: STEPS_PER_EPOCH, epochs: EPOCHS});
  const temperatures = opened.model.layers.filter((l): l is DyConv => l instanceof DyConv).map((l) => l.temperature);
  t.true(temperatures.length > 0);
  t.true(temperatures.every((tau) => tau === expected), `${temperatures.join(', ')} instead of ${expected}`);
  t.deepEqual([opened.epoch, opened.unfinishedEpochSteps], [1, 3]);
  opened.model.dispose();
  const exported = await exportRun({run: dir, checkpoint: 'last', format: 'safetensors', out: join(scratch, 'opened.safetensors')});
  t.regex(exported.description, /, last checkpoint, epoch 1 and 3 steps of epoch 2 \(interrupted\)$/);
});

test.serial('a run resumed inside an epoch that then diverges names the mid-epoch checkpoint it keeps', async (t) => {
  const dir = join(scratch, 'diverged');
  await t.throwsAsync(train(dir, {resume: false, stopAt: {epoch: 1, step: 2}}), {instanceOf: TrainingInterruptedError});
  // A loss weight beyond float32's range makes the next loss infinite (the same trick as test/runs/run.test.ts).
  const diverging = {...config, train: {...config.train, loss: {...config.train.loss, bceWeight: 1e39}}};
  const error = await t.throwsAsync(trainLoop({config: diverging, dataset, trainIndices, validationIndices, run: new RunDir(dir), resume: true}), {instanceOf: TrainingDivergedError});
  t.regex(error!.message, /at epoch 1, step 3: .*its last checkpoint \(epoch 1, step 2, written when it was interrupted\) is kept$/);
  t.is((await readCheckpoint(new RunDir(dir).checkpoint('last'))).header.unfinishedEpoch?.steps, 2);
});

test.serial('killed after an epoch\'s log line was written but before its `last` checkpoint: the resume redoes the epoch and logs it once', async (t) => {
  // The loop writes best, then log.jsonl, then last; a kill between the last two leaves a log one epoch ahead of
  // `last`. (Written the other way round, such a kill lost the epoch's line: CI saw a 2-line log after 3 epochs.)
  const dir = join(scratch, 'log-ahead');
  const run = new RunDir(dir);
  await t.throwsAsync(train(dir, {resume: false, stopAt: {epoch: 1, step: 'end'}}), {instanceOf: TrainingInterruptedError});
  const lastAfterEpoch1 = readFileSync(run.checkpoint('last'));
  await t.throwsAsync(train(dir, {resume: true, stopAt: {epoch: 2, step: 'end'}}), {instanceOf: TrainingInterruptedError});
  t.is((await run.logLines()).length, 2);
  writeFileSync(run.checkpoint('last'), lastAfterEpoch1);
  const resumed = await train(dir, {resume: true});
  t.true(sameWeights(resumed.weights, reference.weights), 'final weights differ from the uninterrupted run');
  t.deepEqual(resumed.log, reference.log);
});
