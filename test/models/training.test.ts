// Training-mode checks: every trainable weight gets a non-zero gradient for each toggle setting (no dead
// branch), and a training step leaks no tensors.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import {buildModel} from '../../src/models/registry.js';
import {defaultTrainConfig} from '../../src/runs/config.js';
import {stepRunner, trainableOf} from '../../src/training/step.js';
import {randomImage, useWasm} from './helpers.js';

test.before(useWasm);

const variants: Record<string, unknown> = {
  'full': {},
  'all off (U-Net)': {dyconv: {enabled: false}, mie: {enabled: false}, midm: {enabled: false}, ld: {enabled: false}},
  '+DyConv only': {mie: {enabled: false}, midm: {enabled: false}, ld: {enabled: false}},
  '+MIE only, separate H/W': {dyconv: {enabled: false}, midm: {enabled: false}, ld: {enabled: false}, mie: {shareHW: false, kernels: [1, 3, 5, 7]}},
  '+MIDM only, 2 heads, max pool, global': {dyconv: {enabled: false}, mie: {enabled: false}, ld: {enabled: false}, midm: {heads: 2, pool: 'max', window: null}},
  '+LD only, per-level kernels, no small branch': {dyconv: {enabled: false}, mie: {enabled: false}, midm: {enabled: false}, ld: {largeKernel: [13, 11, 9, 7], smallKernel: null}},
  'midm-mie order, K 2': {attentionOrder: 'midm-mie', dyconv: {K: 2}},
  'parallel order, LD on levels 3-4': {attentionOrder: 'parallel', ld: {levels: [3, 4], smallKernel: 5, largeKernel: 9}},
};
const baselines = ['unet', 'attention-unet', 'unetpp', 'lk-unet'];

async function zeroGradientWeights(config: unknown, seed: number): Promise<string[]> {
  const {model} = buildModel(config, {seed});
  const x = randomImage(2, 32, 7 + seed);
  const y = tf.tidy(() => tf.cast(tf.greater(randomImage(2, 32, 8, 1), 0.5), 'float32'));
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const {value, grads} = tf.variableGrads(() => tf.losses.sigmoidCrossEntropy(y, model.apply(x, {training: true}) as tf.Tensor) as tf.Scalar, vars);
  const dead: string[] = [];
  for (const w of model.trainableWeights) {
    const g = grads[(w.read() as tf.Variable).name]!;
    const m = (await tf.max(tf.abs(g)).data())[0]!;
    if (!(m > 0) || !Number.isFinite(m)) dead.push(w.originalName);
  }
  tf.dispose([x, y, value, ...Object.values(grads)]);
  model.dispose();
  return dead;
}

/**
 * Weights with a zero gradient under two different initialisations. One draw is not enough: DyConv's
 * attention MLP has only floor(C_in / 4) hidden ReLUs (2 at width 8), which can all be inactive at init by
 * chance; a structurally dead branch stays dead under every seed.
 */
async function deadWeights(config: unknown): Promise<string[]> {
  const first = await zeroGradientWeights(config, 1);
  if (first.length === 0) return first;
  const second = new Set(await zeroGradientWeights(config, 2));
  return first.filter((name) => second.has(name));
}

for (const [name, overrides] of Object.entries(variants)) {
  test.serial(`ms-lkseg ${name}: every trainable weight gets a non-zero gradient`, async (t) => {
    t.deepEqual(await deadWeights({model: 'ms-lkseg', baseWidth: 8, ...(overrides as object)}), []);
  });
}

for (const name of baselines) {
  test.serial(`${name}: every trainable weight gets a non-zero gradient`, async (t) => {
    t.deepEqual(await deadWeights({model: name, baseWidth: 4}), []);
  });
}

test.serial('a training step leaks no tensors (after the optimizer has made its slots)', async (t) => {
  const {model} = buildModel({model: 'ms-lkseg', baseWidth: 4}, {seed: 2});
  const x = randomImage(2, 32, 3);
  const y = tf.tidy(() => tf.cast(tf.greater(randomImage(2, 32, 4, 1), 0.5), 'float32')) as tf.Tensor4D;
  const runner = stepRunner(trainableOf(model), defaultTrainConfig());
  await runner.step(x, y);
  const before = tf.memory().numTensors;
  const loss = await runner.step(x, y);
  t.true(Number.isFinite(loss));
  t.is(tf.memory().numTensors, before);
  const predictBefore = tf.memory().numTensors;
  (model.predict(x) as tf.Tensor).dispose();
  t.is(tf.memory().numTensors, predictBefore);
  runner.dispose();
  tf.dispose([x, y]);
  model.dispose();
});

test.serial('training updates BN running statistics inside LD (momentum 0.9)', async (t) => {
  const {model} = buildModel({model: 'ms-lkseg', baseWidth: 4}, {seed: 3});
  const ld = model.getLayer('skip.0.ld');
  const mean = () => ld.weights.find((w) => w.originalName.endsWith('pre_bn.moving_mean'))!.read().data();
  const before = await mean();
  const x = randomImage(2, 16, 5);
  (model.apply(x, {training: true}) as tf.Tensor).dispose();
  const after = await mean();
  t.true(before.every((v) => v === 0));
  t.true(after.some((v) => v !== 0));
  x.dispose();
  model.dispose();
});
