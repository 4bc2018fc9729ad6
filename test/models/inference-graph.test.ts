// The inference form of a model with several heads: one output, the head its outputs name (the unused heads pruned)
// or their sum, with the trained weights, fused on request, disposable without touching the trained model; a
// single-output model is its own inference form.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import {checkModelOutputs, inferenceLogits, SINGLE_OUTPUT} from '../../src/models/heads.js';
import {HEAD_SUM_LAYER, inferenceForm, inferenceGraph} from '../../src/models/inference-graph.js';
import {buildModel} from '../../src/models/registry.js';
import {multiHeadModel, multiHeadOutputs} from '../helpers/multi-head-model.js';
import {maxAbsDiff, randomImage, randomiseNormalisation, useWasm} from './helpers.js';

test.before(useWasm);

const values = (x: tf.Tensor) => Array.from(x.dataSync());

test.serial('one head: the inference graph returns exactly that head of the trained model, pruned of what only the other heads need', (t) => {
  const model = multiHeadModel(3, 4);
  randomiseNormalisation(model.layers, 1);
  const x = randomImage(2, 16, 3);
  const heads = model.predict(x) as tf.Tensor[];
  const before = tf.memory().numTensors;
  const single = inferenceGraph(model, {kind: 'head', head: 1});
  t.is(single.outputs.length, 1);
  const names = single.layers.map((l) => l.name);
  t.true(names.includes('head.1.conv') && names.includes('level.1.conv'));
  t.false(names.some((n) => n.startsWith('head.0') || n.startsWith('head.2') || n.startsWith('level.2')), names.join(' '));
  t.is((single.getUserDefinedMetadata() as {inference?: string} | undefined)?.inference, 'head 2 of 3');
  const out = single.predict(x) as tf.Tensor;
  t.deepEqual(values(out), values(heads[1]!));
  out.dispose();
  single.dispose();
  t.is(tf.memory().numTensors, before, 'the inference graph\'s weights are its own copy, freed with it');
  const again = model.predict(x) as tf.Tensor[];
  t.deepEqual(values(again[1]!), values(heads[1]!), 'the trained model still predicts after its inference graph was disposed');
  tf.dispose([x, ...heads, ...again]);
  t.throws(() => inferenceGraph(model, {kind: 'head', head: 3}), {message: /names head 3, but the model has 3 outputs/});
  model.dispose();
});

test.serial('the sum of the heads: an Add layer over every head, the same numbers as inferenceLogits adds', (t) => {
  const model = multiHeadModel(3, 5);
  const x = randomImage(1, 16, 7);
  const summed = inferenceGraph(model, {kind: 'sum'});
  t.is(summed.outputs.length, 1);
  t.is(summed.layers.at(-1)!.name, HEAD_SUM_LAYER);
  const out = summed.predict(x) as tf.Tensor;
  const expected = tf.tidy(() => inferenceLogits(model.predict(x) as tf.Tensor[], {kind: 'sum'}));
  t.deepEqual(values(out), values(expected));
  const byHand = tf.tidy(() => {
    const [a, b, c] = model.predict(x) as tf.Tensor[];
    return tf.add(tf.add(a!, b!), c!);
  });
  t.deepEqual(values(out), values(byHand));
  tf.dispose([x, out, expected, byHand]);
  summed.dispose();
  model.dispose();
});

test.serial('inferenceForm fuses the re-parameterisable blocks and picks the head in one go; the fused intermediate is freed', async (t) => {
  const model = multiHeadModel(2, 6);
  randomiseNormalisation(model.layers, 2);
  const x = randomImage(1, 16, 8);
  const reference = (model.predict(x) as tf.Tensor[])[0]!;
  const before = tf.memory().numTensors;
  const form = inferenceForm(model, {fuse: true, outputs: multiHeadOutputs(2)});
  t.is(form.outputs.length, 1);
  t.true((form.getLayer('stem.redw') as unknown as {fused: boolean}).fused);
  const out = form.predict(x) as tf.Tensor;
  t.true(await maxAbsDiff(out, reference) < 1e-4);
  out.dispose();
  form.dispose();
  t.is(tf.memory().numTensors, before);
  const unfused = inferenceForm(model, {fuse: false, outputs: multiHeadOutputs(2)});
  t.false((unfused.getLayer('stem.redw') as unknown as {fused: boolean}).fused);
  unfused.dispose();
  tf.dispose([x, reference]);
  model.dispose();
});

test.serial('a single-output model is its own inference form unless it fuses or folds; inferenceLogits passes a single map through', (t) => {
  // t.true(a === b), not t.is: a failing t.is would render two whole models in its diff.
  const {model} = buildModel({model: 'unet', baseWidth: 4});
  t.true(inferenceGraph(model, {kind: 'head', head: 0}) === model);
  t.true(inferenceForm(model, {fuse: false, outputs: SINGLE_OUTPUT}) === model);
  const folded = inferenceForm(model, {fuse: true, outputs: SINGLE_OUTPUT});
  t.true(folded !== model, 'U-Net\'s inference form folds its batch norms into its convolutions');
  folded.dispose();
  const input = tf.input({shape: [8, 8, 3]});
  const plain = tf.model({inputs: input, outputs: tf.layers.conv2d({filters: 1, kernelSize: 1}).apply(input) as tf.SymbolicTensor});
  t.true(inferenceForm(plain, {fuse: true, outputs: SINGLE_OUTPUT}) === plain, 'nothing to fuse or fold: the model itself');
  plain.dispose();
  model.dispose();
  const one = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
  t.is(inferenceLogits(one), one);
  t.is(inferenceLogits([one], {kind: 'sum'}), one);
  t.throws(() => inferenceLogits([one, one]), {message: /returns 2 maps but no inference map was given/});
  one.dispose();
});

test('a family\'s outputs hook that names a head it does not have is refused with one line naming the family', (t) => {
  t.throws(() => checkModelOutputs({heads: 4, trainingLoss: {rule: 'last', head: 4}, inference: {kind: 'head', head: 0}}, 'emcad'),
    {message: /^model family 'emcad': its outputs hook names head 4 for the loss, of 4 heads \(0-based\); fix the hook$/});
  t.throws(() => checkModelOutputs({heads: 4, trainingLoss: {rule: 'mutation'}, inference: {kind: 'head', head: -1}}, 'emcad'), {message: /head -1 for inference/});
  t.throws(() => checkModelOutputs({heads: 0, trainingLoss: {rule: 'deep'}, inference: {kind: 'sum'}}, 'x'), {message: /declares 0 heads/});
  const fine = multiHeadOutputs(4, {rule: 'last', head: 0}, {kind: 'sum'});
  t.is(checkModelOutputs(fine, 'emcad'), fine);
});
