// The one training step: it leaks no tensor, a non-finite loss leaves the weights alone, and the step the profiler
// and the engine benchmark time is the step the training loop runs (same loss, bit-identical weights).
import test from 'ava';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {activateBackend} from '../../src/engine/backends.js';
import {buildReferenceNet, referenceBatch} from '../../src/engine/reference-net.js';
import {epochBatches} from '../../src/datasets/batches.js';
import {buildModel} from '../../src/models/registry.js';
import {defaultTrainConfig, parseRunConfig} from '../../src/runs/config.js';
import {RunDir} from '../../src/runs/run-dir.js';
import {referenceNetWorkload} from '../../src/training/engine-bench.js';
import {augmentOptions, trainLoop, type EpochLog} from '../../src/training/loop.js';
import {Optimizer} from '../../src/training/optimizers.js';
import {stepRunner, trainableOf, trainingStep} from '../../src/training/step.js';
import {multiHeadModel, multiHeadOutputs} from '../helpers/multi-head-model.js';
import {tinyDataset} from '../helpers/tiny-dataset.js';

let scratch = '';
test.before(async () => {
  await activateBackend('wasm');
  scratch = await mkdtemp(join(tmpdir(), 'mslk-step-'));
});
test.after.always(async () => {
  if (scratch) await rm(scratch, {recursive: true, force: true});
});

const weightsOf = (variables: readonly tf.Variable[]) => variables.map((v) => Array.from(v.dataSync()));

test.serial('a training step leaks no tensor once the optimiser has made its slots, and returns a finite loss', async (t) => {
  const {model} = buildModel({model: 'ms-lkseg', baseWidth: 4}, {seed: 2});
  const {x, y} = referenceBatch(2, 32, 3);
  const runner = stepRunner(trainableOf(model), defaultTrainConfig());
  await runner.step(x, y);
  const before = tf.memory().numTensors;
  const loss = await runner.step(x, y);
  t.true(Number.isFinite(loss) && loss > 0, `loss ${loss}`);
  t.is(tf.memory().numTensors, before);
  runner.dispose();
  tf.dispose([x, y]);
  model.dispose();
});

test.serial('a training step of a model with several heads (MUTATION over 3) leaks no tensor either, and trains every head', async (t) => {
  const model = multiHeadModel(3, 2);
  const {x, y} = referenceBatch(2, 16, 3);
  const trainable = trainableOf(model, multiHeadOutputs(3));
  const headKernels = () => [0, 1, 2].map((h) => Array.from(model.getLayer(`head.${h}.conv`).getWeights()[0]!.dataSync()));
  const initial = headKernels();
  const runner = stepRunner(trainable, defaultTrainConfig());
  await runner.step(x, y);
  const before = tf.memory().numTensors;
  const loss = await runner.step(x, y);
  t.true(Number.isFinite(loss) && loss > 0, `loss ${loss}`);
  t.is(tf.memory().numTensors, before);
  headKernels().forEach((kernel, h) => t.notDeepEqual(kernel, initial[h], `head ${h} did not move`));
  runner.dispose();
  tf.dispose([x, y]);
  t.throws(() => trainableOf(model), {message: /has 3 outputs, its family declares 1/});
  model.dispose();
});

test.serial('with the `last` rule, only the named head and what feeds it learn: the other heads get no gradient and are left as they were (no decay)', async (t) => {
  const model = multiHeadModel(3, 4);
  const {x, y} = referenceBatch(2, 16, 5);
  const weights = (layer: string) => Array.from(model.getLayer(layer).getWeights()[0]!.dataSync());
  const initial = ['head.0.conv', 'head.1.conv', 'head.2.conv', 'level.2.conv', 'stem.conv'].map(weights);
  const settings = {...defaultTrainConfig(), optimizer: {...defaultTrainConfig().optimizer, name: 'adamw' as const, weightDecay: 0.1}};
  const runner = stepRunner(trainableOf(model, multiHeadOutputs(3, {rule: 'last', head: 1})), settings);
  await runner.step(x, y);
  const before = tf.memory().numTensors;
  await runner.step(x, y);
  t.is(tf.memory().numTensors, before);
  const after = ['head.0.conv', 'head.1.conv', 'head.2.conv', 'level.2.conv', 'stem.conv'].map(weights);
  t.deepEqual(after[0], initial[0], 'head 0 is not in the loss');
  t.notDeepEqual(after[1], initial[1], 'head 1 is the loss');
  t.deepEqual(after[2], initial[2], 'head 2 is not in the loss');
  t.deepEqual(after[3], initial[3], 'level 2 feeds only head 2');
  t.notDeepEqual(after[4], initial[4], 'the stem feeds head 1');
  runner.dispose();
  tf.dispose([x, y]);
  model.dispose();
});

test.serial('a non-finite loss skips the update: weights and optimiser untouched, nothing leaked', async (t) => {
  const net = buildReferenceNet(0);
  const {x, y} = referenceBatch(1, 16, 0);
  const poisoned = tf.mul(x, NaN) as tf.Tensor4D;
  const optimizer = new Optimizer(defaultTrainConfig().optimizer);
  const weights = weightsOf(net.params);
  const before = tf.memory().numTensors;
  const result = await trainingStep({trainable: {forward: (v) => net.forward(v), variables: net.params}, optimizer, loss: defaultTrainConfig().loss, x: poisoned, y, lr: 1e-3});
  t.false(result.updated);
  t.true(Number.isNaN(result.loss));
  t.is(optimizer.steps, 0);
  t.is(tf.memory().numTensors, before);
  t.deepEqual(weightsOf(net.params), weights);
  optimizer.dispose();
  net.dispose();
  tf.dispose([x, y, poisoned]);
});

test.serial('the profiler\'s step is the training loop\'s step: same loss and bit-identical weights after one step from the same seed', async (t) => {
  const config = parseRunConfig({model: {model: 'unet', baseWidth: 4}, data: {size: 32}, train: {epochs: 1, batchSize: 2, optimizer: {lr: 0.01}}, seed: 5});
  const dataset = tinyDataset(2, 32);
  const epochs: EpochLog[] = [];
  const loop = await trainLoop({
    config, dataset, trainIndices: [0, 1], validationIndices: [], run: new RunDir(join(scratch, 'run')), resume: false,
    onEpoch: (e) => epochs.push(e),
  });
  t.is(loop.position.step, 1);

  const {model} = buildModel(config.model, {seed: config.seed});
  const batch = [...epochBatches(dataset, [0, 1], {seed: config.seed, epoch: 0, batchSize: 2, shuffle: true, augment: augmentOptions(config)})][0]!;
  const x = tf.tensor4d(batch.images, batch.shape);
  const y = tf.tensor4d(batch.masks, [2, 32, 32, 1]);
  const runner = stepRunner(trainableOf(model), config.train);
  const loss = await runner.step(x, y);
  t.is(loss, epochs[0]!.trainLoss);
  const expected = weightsOf(trainableOf(loop.model).variables);
  const actual = weightsOf(trainableOf(model).variables);
  t.is(actual.length, expected.length);
  t.true(actual.every((w, i) => w.every((v, j) => Object.is(v, expected[i]![j]))), 'weights differ after one step');
  // One step changed the weights at all (the comparison above is not between two untouched models).
  const {model: untouched} = buildModel(config.model, {seed: config.seed});
  t.notDeepEqual(weightsOf(trainableOf(untouched).variables), actual);
  runner.dispose();
  tf.dispose([x, y]);
  for (const m of [model, untouched, loop.model]) m.dispose();
});

test.serial('the engine benchmark\'s step is the project\'s training step: the same losses as trainingStep, step after step, and training lowers them', async (t) => {
  const settings = {...defaultTrainConfig(), optimizer: {...defaultTrainConfig().optimizer, lr: 1e-2}};
  const workload = referenceNetWorkload(settings, 4)(24, 2);
  const net = buildReferenceNet(4);
  const {x, y} = referenceBatch(2, 24, 4);
  const optimizer = new Optimizer(settings.optimizer);
  const trainable = {forward: (v: tf.Tensor4D) => net.forward(v), variables: net.params};
  const benchLosses: number[] = [];
  const directLosses: number[] = [];
  for (let i = 0; i < 10; i++) {
    const before = tf.memory().numTensors;
    benchLosses.push(await workload.step());
    directLosses.push((await trainingStep({trainable, optimizer, loss: settings.loss, x, y, lr: settings.optimizer.lr})).loss);
    if (i > 0) t.is(tf.memory().numTensors, before, `step ${i} leaked`);
  }
  // Each loss is computed from the weights the previous steps left, so equal sequences mean equal updates.
  t.deepEqual(benchLosses, directLosses);
  t.true(benchLosses.at(-1)! < benchLosses[0]! * 0.9, `loss ${benchLosses[0]} -> ${benchLosses.at(-1)}`);
  workload.dispose();
  optimizer.dispose();
  net.dispose();
  tf.dispose([x, y]);
});
