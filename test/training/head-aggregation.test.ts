// The training loss of a model with several heads: MUTATION, deep supervision and one head, against hand
// computations; with one head every rule is the base loss itself; and the single-output path every registered family
// takes is the one it always took (same loss, same update, bit for bit).
import test from 'ava';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import {variableGradsReleasing} from '../../src/engine/gradients.js';
import {SINGLE_OUTPUT, type HeadAggregation} from '../../src/models/heads.js';
import {buildModel, defaultModelConfig, MODEL_NAMES, outputsOf} from '../../src/models/registry.js';
import {defaultTrainConfig, type LossConfig} from '../../src/runs/config.js';
import {aggregateHeadLosses, subsetSums, trainingLoss} from '../../src/training/head-aggregation.js';
import {segmentationLoss} from '../../src/training/losses.js';
import {Optimizer} from '../../src/training/optimizers.js';
import {trainableOf, trainingStep} from '../../src/training/step.js';
import {randomImage, useWasm} from '../models/helpers.js';

test.before(useWasm);

// --- A reference in plain JavaScript (doubles), written from the formulas of losses.ts, one image per batch. ---
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const bceRef = (z: number[], y: number[]) => z.reduce((a, v, i) => a + Math.max(v, 0) - v * y[i]! + Math.log1p(Math.exp(-Math.abs(v))), 0) / z.length;
function diceRef(z: number[], y: number[], smooth: number): number {
  const p = z.map(sigmoid);
  const inter = p.reduce((a, v, i) => a + v * y[i]!, 0);
  return 1 - (2 * inter + smooth) / (p.reduce((a, b) => a + b, 0) + y.reduce((a, b) => a + b, 0) + smooth);
}
function baseRef(config: LossConfig, z: number[], y: number[]): number {
  if (config.name === 'bce') return bceRef(z, y);
  if (config.name === 'dice') return diceRef(z, y, config.smooth);
  return config.bceWeight * bceRef(z, y) + config.diceWeight * diceRef(z, y, config.smooth);
}
const sumOf = (heads: number[][], subset: number[]) => heads[0]!.map((_, i) => subset.reduce((a, h) => a + heads[h]![i]!, 0));
/** Every non-empty subset of 0..k-1, listed by increasing bit mask. */
const subsetsRef = (k: number) => Array.from({length: 2 ** k - 1}, (_, m) => [...Array(k).keys()].filter((h) => ((m + 1) >> h) & 1));

const BCE_DICE: LossConfig = {name: 'bce-dice', bceWeight: 0.5, diceWeight: 1, smooth: 1};
const HEADS = [[2, -1, 0, 3], [-0.5, 1, 0.25, -2], [1, 1, -1, 0.5]];
const MASK = [1, 0, 1, 0];

/** The loss of `rule` over `heads` (each one 2x2 image) against `mask`, by the project's code. */
function lossOf(rule: HeadAggregation, heads: number[][], mask: number[], config: LossConfig = BCE_DICE, side = 2): number {
  return tf.tidy(() => {
    const y = tf.tensor4d(mask, [1, side, side, 1]);
    const maps = heads.map((p) => tf.tensor4d(p, [1, side, side, 1]));
    return trainingLoss(config, y, maps, rule).dataSync()[0]!;
  });
}

const close = (actual: number, expected: number, tolerance = 1e-5) => Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected));

test('MUTATION on 3 heads of a 2x2 mask: the 7 subset sums and the sum of their BCE + Dice losses, by hand', (t) => {
  // The 7 subsets S, their sums and 0.5 BCE + Dice (smooth 1) of each, computed by hand (doubles):
  // {0} [2,-1,0,3] 0.851305; {1} [-0.5,1,0.25,-2] 0.772639; {2} [1,1,-1,0.5] 0.928854; {0,1} [1.5,0,0.25,1] 0.677924;
  // {0,2} [3,0,-1,3.5] 1.093225; {1,2} [0.5,2,-0.75,-1.5] 0.915849; {0,1,2} [2.5,1,-0.75,1.5] 0.926428.
  const sums = tf.tidy(() => subsetSums(HEADS.map((p) => tf.tensor4d(p, [1, 2, 2, 1]))).map((s) => Array.from(s.dataSync())));
  t.deepEqual(sums, [[2, -1, 0, 3], [-0.5, 1, 0.25, -2], [1.5, 0, 0.25, 1], [1, 1, -1, 0.5], [3, 0, -1, 3.5], [0.5, 2, -0.75, -1.5], [2.5, 1, -0.75, 1.5]]);
  const mutation = lossOf({rule: 'mutation'}, HEADS, MASK);
  t.true(close(mutation, 6.166223), `MUTATION ${mutation}`);
  t.true(close(mutation, subsetsRef(3).reduce((a, s) => a + baseRef(BCE_DICE, sumOf(HEADS, s), MASK), 0)));
});

test('deep supervision adds each head\'s loss; `last` is the loss of the head it names alone', (t) => {
  const deep = lossOf({rule: 'deep'}, HEADS, MASK);
  t.true(close(deep, 0.851305 + 0.772639 + 0.928854), `deep ${deep}`);
  t.true(close(lossOf({rule: 'last', head: 2}, HEADS, MASK), 0.928854));
  t.true(close(lossOf({rule: 'last', head: 0}, HEADS, MASK), 0.851305));
  t.throws(() => lossOf({rule: 'last', head: 3}, HEADS, MASK), {message: /names head 3, but the model returns 3/});
  t.throws(() => tf.tidy(() => trainingLoss(BCE_DICE, tf.zeros([1, 2, 2, 1]), HEADS.map((p) => tf.tensor4d(p, [1, 2, 2, 1])))), {message: /no loss aggregation was given/});
});

const lossConfig: fc.Arbitrary<LossConfig> = fc.record({
  name: fc.constantFrom('bce-dice', 'bce', 'dice') as fc.Arbitrary<LossConfig['name']>,
  bceWeight: fc.double({min: 0, max: 2, noNaN: true}), diceWeight: fc.double({min: 0, max: 2, noNaN: true}),
  smooth: fc.double({min: 0.1, max: 2, noNaN: true}),
});
const logitsArb = (n: number) => fc.array(fc.double({min: -6, max: 6, noNaN: true}).map(Math.fround), {minLength: n, maxLength: n});
const maskArb = (n: number) => fc.array(fc.constantFrom(0, 1), {minLength: n, maxLength: n});

test('with one head, MUTATION, deep supervision and `last` all equal the base loss, bit for bit', (t) => {
  fc.assert(fc.property(lossConfig, logitsArb(9), maskArb(9), fc.constantFrom<HeadAggregation>({rule: 'mutation'}, {rule: 'deep'}, {rule: 'last', head: 0}),
    (config, logits, mask, rule) => tf.tidy(() => {
      const y = tf.tensor4d(mask, [1, 3, 3, 1]);
      const p = tf.tensor4d(logits, [1, 3, 3, 1]);
      const base = segmentationLoss(config, y, p).dataSync()[0]!;
      const aggregated = aggregateHeadLosses(rule, (z) => segmentationLoss(config, y, z), [p]).dataSync()[0]!;
      return Object.is(trainingLoss(config, y, [p], rule).dataSync()[0]!, base) && Object.is(aggregated, base);
    })), {numRuns: 60});
  t.pass('property held');
});

test('for 1-4 heads, every rule equals its definition computed in doubles, and nothing is left behind', (t) => {
  fc.assert(fc.property(lossConfig, fc.integer({min: 1, max: 4}).chain((k) => fc.tuple(fc.array(logitsArb(4), {minLength: k, maxLength: k}), maskArb(4), fc.nat(k - 1))),
    (config, [heads, mask, named]) => {
      const before = tf.memory().numTensors;
      const mutation = lossOf({rule: 'mutation'}, heads, mask, config);
      const deep = lossOf({rule: 'deep'}, heads, mask, config);
      const last = lossOf({rule: 'last', head: named}, heads, mask, config);
      const mutationRef = subsetsRef(heads.length).reduce((a, s) => a + baseRef(config, sumOf(heads, s), mask), 0);
      const deepRef = heads.reduce((a, p) => a + baseRef(config, p, mask), 0);
      return tf.memory().numTensors === before && close(mutation, mutationRef, 1e-4) && close(deep, deepRef, 1e-4)
        && close(last, baseRef(config, heads[named]!, mask), 1e-4);
    }), {numRuns: 80});
  t.pass('property held');
});

const weightsOf = (variables: readonly tf.Variable[]) => variables.map((v) => Array.from(v.dataSync()));

/** The families that existed before models could have several outputs: each must keep exactly its one output. */
const SINGLE_OUTPUT_FAMILIES = ['ms-lkseg', 'unet', 'attention-unet', 'unetpp', 'lk-unet'] as const;

test('the single-output families declare one output; every registered family with one output is among the families checked below', (t) => {
  for (const name of SINGLE_OUTPUT_FAMILIES) t.is(outputsOf(defaultModelConfig(name)), SINGLE_OUTPUT, name);
  const single = MODEL_NAMES.filter((name) => outputsOf(defaultModelConfig(name)).heads === 1);
  t.deepEqual([...single].sort(), [...SINGLE_OUTPUT_FAMILIES].sort());
});

test.serial('every single-output family\'s training step is the step it always was: same loss, same weights, bit for bit', async (t) => {
  const settings = defaultTrainConfig();
  for (const name of SINGLE_OUTPUT_FAMILIES) await fc.assert(fc.asyncProperty(fc.integer({min: 0, max: 1000}), async (seed) => {
    const config = {...defaultModelConfig(name), baseWidth: 4};
    const x = randomImage(2, 16, seed);
    const y = tf.tidy(() => tf.cast(tf.greater(randomImage(2, 16, seed + 1, 1), 0.6), 'float32') as tf.Tensor4D);
    const {model} = buildModel(config, {seed});
    const {model: reference} = buildModel(config, {seed});
    try {
      if (model.outputs.length !== 1) return false;
      const optimizer = new Optimizer(settings.optimizer);
      const step = await trainingStep({trainable: trainableOf(model, outputsOf(config)), optimizer, loss: settings.loss, x, y, lr: 1e-3});
      // The step as it was written before models could have several outputs: segmentationLoss of model.apply.
      const referenceOptimizer = new Optimizer(settings.optimizer);
      const variables = reference.trainableWeights.map((w) => w.read() as tf.Variable);
      const {value, grads} = variableGradsReleasing(() => segmentationLoss(settings.loss, y, reference.apply(x, {training: true}) as tf.Tensor4D), variables);
      const loss = value.dataSync()[0]!;
      referenceOptimizer.apply(variables, variables.map((v) => grads[v.name]!), 1e-3);
      tf.dispose([value, ...Object.values(grads)]);
      const same = Object.is(step.loss, loss) && JSON.stringify(weightsOf(trainableOf(model).variables)) === JSON.stringify(weightsOf(variables));
      optimizer.dispose();
      referenceOptimizer.dispose();
      return same;
    } finally {
      tf.dispose([x, y]);
      model.dispose();
      reference.dispose();
    }
  }), {numRuns: 2});
  t.pass('the property held for every single-output family');
});
