// Batch norms folded into the convolutions before them: the inference form computes the same function with one
// (fused) convolution per conv-BN-ReLU block, only where the fold is exact, and leaves the trained model untouched.
import test from 'ava';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import {foldableChains, foldBatchNorms} from '../../src/models/fold-batch-norm.js';
import {inferenceForm} from '../../src/models/inference-graph.js';
import {BatchNorm} from '../../src/models/layers/batch-norm.js';
import {ReLU} from '../../src/models/layers/relu.js';
import {buildModel, outputsOf, parseModelConfig} from '../../src/models/registry.js';
import {maxAbsDiff, randomImage, randomiseNormalisation, useWasm} from './helpers.js';

test.before(useWasm);

const classes = (m: tf.LayersModel) => m.layers.map((l) => l.getClassName());
const largest = (x: tf.Tensor) => tf.tidy(() => x.abs().max().dataSync()[0]!);

test.serial('U-Net: every conv-BN-ReLU block folds into one Conv2D with bias and ReLU, and predicts the same', async (t) => {
  const {model} = buildModel(parseModelConfig({model: 'unet', baseWidth: 4}), {seed: 3});
  randomiseNormalisation(model.layers, 4);
  const batchNorms = classes(model).filter((c) => c === 'BatchNorm').length;
  t.is(batchNorms, 18, '5 encoder levels and 4 decoder stages, 2 blocks each');
  const chains = foldableChains(model);
  t.is(chains.length, batchNorms);
  t.true(chains.every((c) => c.relu !== undefined));
  const before = tf.memory().numTensors;
  const folded = foldBatchNorms(model);
  t.false(classes(folded).includes('BatchNorm'));
  t.false(classes(folded).includes('ReLUKeepingOutput'));
  const conv = folded.getLayer('enc.0.block.0.conv').getConfig();
  t.like(conv, {useBias: true, activation: 'relu'});
  t.like(folded.getUserDefinedMetadata(), {batchNormsFolded: 18});
  const x = randomImage(2, 32, 5);
  const a = model.predict(x) as tf.Tensor;
  const b = folded.predict(x) as tf.Tensor;
  const scale = largest(a);
  t.true(await maxAbsDiff(a, b) < 1e-5 * Math.max(1, scale), `max abs diff ${await maxAbsDiff(a, b)}`);
  folded.dispose();
  const again = model.predict(x) as tf.Tensor;
  t.is(await maxAbsDiff(a, again), 0, 'the trained model is unchanged and still predicts after the folded copy is freed');
  tf.dispose([x, a, b, again]);
  t.is(tf.memory().numTensors, before, 'the folded copy owns its weights and frees them');
  model.dispose();
});

// Every family whose inference form fuses: the inference form (fused, folded) equals the trained graph in inference
// mode, for any weights and BN statistics.
const FOLDING_FAMILIES = ['unet', 'attention-unet', 'unetpp', 'lk-unet', 'ms-lkseg'] as const;

for (const name of FOLDING_FAMILIES) test.serial(`${name}: for any weights and BN statistics, the inference form predicts what the trained graph does`, async (t) => {
  await fc.assert(fc.asyncProperty(fc.integer({min: 0, max: 1000}), async (seed) => {
    const config = parseModelConfig({model: name, baseWidth: 4});
    const {model} = buildModel(config, {seed});
    randomiseNormalisation(model.layers, seed + 1);
    const form = inferenceForm(model, {fuse: true, outputs: outputsOf(config)});
    const x = randomImage(1, 32, seed + 2);
    const a = model.predict(x) as tf.Tensor;
    const b = form.predict(x) as tf.Tensor;
    const scale = largest(a);
    const diff = await maxAbsDiff(a, b);
    const folded = (form.getUserDefinedMetadata() as {batchNormsFolded?: number} | undefined)?.batchNormsFolded ?? 0;
    tf.dispose([x, a, b]);
    if (form !== model) form.dispose();
    model.dispose();
    t.true(folded > 0, `${name}: nothing folded`);
    return diff <= 1e-4 * Math.max(1, scale);
  }), {numRuns: 3, seed: 14});
});

/** x -> conv -> BN -> relu, with the layers' outputs also read where `extra` says. */
function chainModel(extra: {convReadTwice?: boolean; bnReadTwice?: boolean; bnIsOutput?: boolean; convBias?: boolean}): tf.LayersModel {
  const input = tf.input({shape: [8, 8, 2]});
  const conv = tf.layers.conv2d({name: 'c', filters: 3, kernelSize: 3, padding: 'same', useBias: extra.convBias ?? false,
    kernelInitializer: tf.initializers.glorotUniform({seed: 1}), biasInitializer: tf.initializers.randomNormal({seed: 2})});
  const c = conv.apply(input) as tf.SymbolicTensor;
  const n = new BatchNorm({name: 'bn'}).apply(c) as tf.SymbolicTensor;
  const r = new ReLU({name: 'relu'}).apply(n) as tf.SymbolicTensor;
  const outputs = [r];
  if (extra.convReadTwice) outputs.push(tf.layers.activation({name: 'other', activation: 'sigmoid'}).apply(c) as tf.SymbolicTensor);
  if (extra.bnReadTwice) outputs.push(tf.layers.activation({name: 'other', activation: 'sigmoid'}).apply(n) as tf.SymbolicTensor);
  if (extra.bnIsOutput) outputs.push(n);
  const model = tf.model({inputs: input, outputs});
  randomiseNormalisation(model.layers, 7);
  return model;
}

test.serial('a chain folds only where the fold is exact: a conv read elsewhere stays, a BN read elsewhere keeps its ReLU', async (t) => {
  const convShared = chainModel({convReadTwice: true});
  t.deepEqual(foldableChains(convShared), []);
  t.is(foldBatchNorms(convShared), convShared, 'nothing to fold: the model itself');
  convShared.dispose();

  for (const extra of [{bnReadTwice: true}, {bnIsOutput: true}]) {
    const model = chainModel(extra);
    t.deepEqual(foldableChains(model), [{conv: 'c', batchNorm: 'bn'}], JSON.stringify(extra));
    const folded = foldBatchNorms(model);
    t.deepEqual(classes(folded).filter((c) => c !== 'InputLayer'), ['Conv2D', 'ReLUKeepingOutput', ...(extra.bnReadTwice ? ['Activation'] : [])]);
    t.like(folded.getLayer('c').getConfig(), {activation: 'linear', useBias: true});
    const x = randomImage(2, 8, 9, 2);
    const a = model.predict(x) as tf.Tensor[];
    const b = folded.predict(x) as tf.Tensor[];
    t.is(b.length, a.length, 'the outputs stay the same in number and order');
    for (let i = 0; i < a.length; i++) t.true(await maxAbsDiff(a[i]!, b[i]!) < 1e-5);
    tf.dispose([x, ...a, ...b]);
    folded.dispose();
    model.dispose();
  }
});

test.serial('a convolution with a bias of its own: the fold scales it and adds the shift', async (t) => {
  const model = chainModel({convBias: true});
  const folded = foldBatchNorms(model);
  const x = randomImage(1, 8, 11, 2);
  const a = model.predict(x) as tf.Tensor;
  const b = folded.predict(x) as tf.Tensor;
  t.true(await maxAbsDiff(a, b) < 1e-5);
  t.is(folded.getLayer('c').weights.length, 2);
  tf.dispose([x, a, b]);
  folded.dispose();
  model.dispose();
});
