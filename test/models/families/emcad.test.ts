// EMCAD (src/models/families/emcad.ts): parameter counts equal the PyTorch twin's, four heads [p1..p4] at the input
// size, every weight trains on wasm (but LGAG's biases, which the BN after them makes shift-invariant, as
// in the twin), seeded stochastic depth, knob validation, size checks and MAC counts.
import test from 'ava';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import {ConfigError} from '../../../src/config/parse.js';
import {dropPathRates, setDropPathStep} from '../../../src/models/families/emcad.js';
import {DropPath} from '../../../src/models/layers/drop-path.js';
import {countMacs} from '../../../src/models/profile/macs.js';
import {countParams} from '../../../src/models/profile/params.js';
import {buildModel, checkModelForData, defaultModelConfig, familyOf, outputsOf, parseModelConfig} from '../../../src/models/registry.js';
import {defaultTrainConfig} from '../../../src/runs/config.js';
import {stepRunner, trainableOf} from '../../../src/training/step.js';
import {randomImage, useWasm} from '../helpers.js';

test.before(useWasm);

const encoderParams = (model: tf.LayersModel) => Object.entries(countParams(model).byBlock)
  .filter(([block]) => block.startsWith('enc.')).reduce((a, [, n]) => a + n, 0);

test.serial('parameters equal the twin\'s (1 output channel): b0 3,916,783, b1 15,410,543, b2 26,764,399; encoders as emcad.md', (t) => {
  const want = {b0: [3_916_783, 3_409_760], b1: [15_410_543, 13_496_000], b2: [26_764_399, 24_849_856]} as const;
  for (const [encoder, [total, enc]] of Object.entries(want)) {
    // Counting needs the built graph only, no forward pass (b2 builds in about a second).
    const {model} = buildModel({model: 'emcad', encoder});
    t.is(countParams(model).trainable, total, encoder);
    t.is(encoderParams(model), enc, `${encoder} encoder`);
    model.dispose();
  }
});

test.serial('four outputs, shallowest first [p1, p2, p3, p4], each [B, H, W, 1] finite logits whose sigmoid is in (0, 1)', async (t) => {
  const {model} = buildModel({model: 'emcad', encoder: 'b0'}, {seed: 1});
  t.deepEqual(model.outputs.map((o) => o.sourceLayer.name), ['head.p1.up', 'head.p2.up', 'head.p3.up', 'head.p4.up']);
  for (const [size, batch] of [[64, 2], [96, 1]] as const) {
    const x = randomImage(batch, size, size);
    const outs = model.predict(x) as tf.Tensor[];
    t.is(outs.length, 4);
    for (const out of outs) {
      t.deepEqual(out.shape, [batch, size, size, 1]);
      const probs = await tf.sigmoid(out).data();
      t.true((await out.data()).every(Number.isFinite));
      t.true(probs.every((p) => p > 0 && p < 1));
    }
    tf.dispose([x, ...outs]);
  }
  model.dispose();
  // Head i sees decoder stage i at stride 2^(i+1): at 64 px its 1x1 conv runs on 16, 8, 4, 2 px.
  const {model: fixed} = buildModel({model: 'emcad', encoder: 'b0'}, {inputSize: 64});
  t.deepEqual([1, 2, 3, 4].map((i) => (fixed.getLayer(`head.p${i}`).input as tf.SymbolicTensor).shape[1]), [16, 8, 4, 2]);
  fixed.dispose();
});

test.serial('over the knob space (b0): four [B, H, W, 1] outputs of finite logits at any multiple of 32', async (t) => {
  const knobs = fc.record({
    mscbKernels: fc.constantFrom([1], [1, 3], [1, 3, 5], [3, 5, 7]), expansion: fc.constantFrom(1, 2, 4),
    dwParallel: fc.boolean(), mscbCombine: fc.constantFrom('add', 'concat'), activation: fc.constantFrom('relu', 'relu6'),
    cab: fc.boolean(), sab: fc.boolean(), lgag: fc.boolean(), lgagKernel: fc.constantFrom(1, 3), dropPath: fc.constantFrom(0, 0.1),
    inChannels: fc.constantFrom(1, 3), outChannels: fc.constantFrom(1, 2),
  });
  await fc.assert(fc.asyncProperty(knobs, fc.constantFrom(32, 64, 96), fc.constantFrom(1, 2), async (knob, size, batch) => {
    const {model} = buildModel({model: 'emcad', encoder: 'b0', ...knob}, {seed: size + batch});
    const x = randomImage(batch, size, size + batch, knob.inChannels);
    const outs = model.predict(x) as tf.Tensor[];
    let ok = outs.length === 4;
    for (const out of outs) {
      const values = await out.data();
      ok &&= out.shape.join() === [batch, size, size, knob.outChannels].join() && values.every(Number.isFinite);
    }
    tf.dispose([x, ...outs]);
    model.dispose();
    return ok;
  }), {numRuns: 10, seed: 15});
  t.pass();
});

/** Trainable weights whose gradient of the summed loss over the four heads is zero or not finite (b0, 64 px). */
async function zeroGradientWeights(config: object, seed: number): Promise<{dead: string[]; grads: Map<string, number>}> {
  const {model} = buildModel({model: 'emcad', encoder: 'b0', dropPath: 0.1, ...config}, {seed});
  const channels = (config as {inChannels?: number}).inChannels ?? 3;
  const x = randomImage(2, 64, 7 + seed, channels);
  const y = tf.tidy(() => tf.cast(tf.greater(randomImage(2, 64, 8, 1), 0.5), 'float32'));
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const {value, grads} = tf.variableGrads(() => tf.addN((model.apply(x, {training: true}) as tf.Tensor[])
    .map((logits) => tf.losses.sigmoidCrossEntropy(y, logits))) as tf.Scalar, vars);
  const dead: string[] = [];
  const largest = new Map<string, number>();
  for (const w of model.trainableWeights) {
    const m = (await tf.max(tf.abs(grads[(w.read() as tf.Variable).name]!)).data())[0]!;
    largest.set(w.originalName, m);
    if (!(m > 0) || !Number.isFinite(m)) dead.push(w.originalName);
  }
  tf.dispose([x, y, value, ...Object.values(grads)]);
  model.dispose();
  return {dead, grads: largest};
}

/**
 * Weights that the BN following them (training mode) makes shift-invariant, as in the twin: LGAG's conv biases.
 * BN(x + b) = BN(x), so their gradients are zero but for rounding.
 */
const invariant = (name: string) => /lgag\/(wg|wx|psi)\.bias$/.test(name);

const variants: Record<string, object> = {
  'the paper\'s network': {},
  'LGAG kernel 1, ReLU6, concatenated sequential branches, kernels 3 5 7, expansion 3': {lgagKernel: 1, activation: 'relu6', mscbCombine: 'concat', dwParallel: false, mscbKernels: [3, 5, 7], expansion: 3},
  'no LGAG, CAB or SAB; grey input through the stem': {lgag: false, cab: false, sab: false, inChannels: 1},
};

for (const [name, config] of Object.entries(variants)) {
  test.serial(`${name}: every trainable weight gets a non-zero gradient on wasm`, async (t) => {
    const {dead, grads} = await zeroGradientWeights(config, 1);
    t.deepEqual(dead, []);
    const largest = Math.max(...grads.values());
    // The invariant ones are rounding only, far below the rest; every other one is a real gradient.
    for (const [weight, g] of grads) if (invariant(weight)) t.true(g < 1e-6 * largest, `${weight} ${g} (largest ${largest})`);
  });
}

test.serial('stochastic depth: off at inference; in training seeded by (layer seed, step), replayed by setDropPathStep', async (t) => {
  const {model} = buildModel({model: 'emcad', encoder: 'b0', dropPath: 0.5}, {seed: 2});
  const x = randomImage(4, 64, 3);
  const run = (training: boolean) => tf.tidy(() => (model.apply(x, {training}) as tf.Tensor[])[3]!.dataSync() as Float32Array);
  t.deepEqual(run(false), run(false));
  setDropPathStep(model, 10);
  const first = run(true);
  const second = run(true);
  t.notDeepEqual(first, second, 'the next step draws other masks');
  setDropPathStep(model, 10);
  t.deepEqual(run(true), first, 'step 10 again: the same masks');
  tf.dispose(x);
  model.dispose();
  t.deepEqual(dropPathRates([2, 2, 2, 2], 0.1).map((r) => +r.toFixed(6)), [0, 0.014286, 0.028571, 0.042857, 0.057143, 0.071429, 0.085714, 0.1]);
});

test('a DropPath mask holds only 0 and 1 / (1 - rate), the same for the same seed and step', (t) => {
  fc.assert(fc.property(fc.double({min: 0, max: 0.9, noNaN: true}), fc.nat(), fc.nat(1000), fc.integer({min: 1, max: 64}), (rate, seed, step, batch) => {
    const a = new DropPath({rate, seed});
    const b = new DropPath({rate, seed});
    a.setTrainingStep(step);
    b.setTrainingStep(step);
    const mask = a.nextMask(batch);
    return mask.every((v) => v === 0 || v === Math.fround(1 / (1 - rate))) && mask.join() === b.nextMask(batch).join();
  }));
  const drop = new DropPath({rate: 0.3, seed: 5});
  const kept = Array.from({length: 200}, () => drop.nextMask(10)).flatMap((m) => [...m]).filter((v) => v > 0).length;
  t.true(Math.abs(kept / 2000 - 0.7) < 0.05, `${kept} of 2000 kept at rate 0.3`);
});

test('defaults are the paper\'s network; every knob is validated with a one-line message', (t) => {
  t.like(defaultModelConfig('emcad'), {
    model: 'emcad', inChannels: 3, outChannels: 1, encoder: 'b2', pretrained: null, mscbKernels: [1, 3, 5], expansion: 2,
    dwParallel: true, mscbCombine: 'add', activation: 'relu', cab: true, sab: true, lgag: true, lgagKernel: 3,
    dropPath: 0.1, supervision: 'mutation', inferenceHead: 'p1',
  });
  const rejects = (raw: object, message: RegExp) => {
    const error = t.throws(() => parseModelConfig({model: 'emcad', ...raw}), {instanceOf: ConfigError, message});
    t.false(error?.message.includes('\n') ?? true);
  };
  rejects({encoder: 'b3'}, /^encoder: Invalid enum value. Expected 'b0' \| 'b1' \| 'b2', received 'b3'$/);
  rejects({mscbKernels: [1, 4]}, /^mscbKernels\[1\]: kernel sizes must be odd$/);
  rejects({mscbKernels: []}, /^mscbKernels: /);
  rejects({lgagKernel: 5}, /^lgagKernel: lgagKernel is 1 \(dense 1x1 convs\) or 3/);
  rejects({dropPath: 1}, /^dropPath: /);
  rejects({expansion: 0}, /^expansion: /);
  rejects({pretrained: 'weights.txt'}, /^pretrained: the weights file must be \.safetensors \(PVTv2 release or timm pvt_v2_b\*; convert a \.pth/);
  rejects({pretrained: 'pvt_v2_b2.pth'}, /^pretrained: the weights file must be \.safetensors .*convert a \.pth with the README's one line of Python/);
  rejects({pretrained: ''}, /^pretrained: give a path to the ImageNet weights file/);
  rejects({supervision: 'all'}, /^supervision: /);
  rejects({inferenceHead: 'p4'}, /^inferenceHead: /);
  rejects({baseWidth: 16}, /^unknown key 'baseWidth'/);
  rejects({mscbKernel: [3]}, /^unknown key 'mscbKernel': did you mean 'mscbKernels'\?$/);
  const pretrained = parseModelConfig({model: 'emcad', pretrained: 'pvt_v2_b2.safetensors', encoder: 'b0'});
  t.like(pretrained, {pretrained: 'pvt_v2_b2.safetensors'});
  // Built with initial weights: the file is read by a new training (loadPretrained), never by build.
  const built = buildModel(pretrained);
  t.is(built.model.outputs.length, 4);
  built.model.dispose();
});

test('input sizes: a multiple of 32, and MSCB kernels that fit the feature maps', (t) => {
  const c = defaultModelConfig('emcad');
  const family = familyOf(c);
  t.deepEqual(family.inputSizeProblems(c, 352), {refused: [], warnings: []});
  t.regex(family.inputSizeProblems(c, 48).refused[0]!, /^data\.size 48 is not a multiple of 32, .*use data\.size=64$/);
  const wide = parseModelConfig({model: 'emcad', mscbKernels: [3, 9]});
  t.deepEqual(familyOf(wide).inputSizeProblems(wide, 64).refused, []);
  t.regex(familyOf(wide).inputSizeProblems(wide, 64).warnings[0]!, /model\.mscbKernels 9 is larger than the feature map allows at decoder stage 3 and decoder stage 4 \(data\.size 64/);
  const huge = parseModelConfig({model: 'emcad', mscbKernels: [33]});
  t.regex(familyOf(huge).inputSizeProblems(huge, 64).refused[0]!, /^model\.mscbKernels 33 runs at decoder stage 1 on a 16x16 feature map/);
  t.throws(() => checkModelForData(c, {size: 80, imageChannels: 3, maskChannels: 1}), {instanceOf: ConfigError, message: /not a multiple of 32/});
  t.throws(() => buildModel(c, {inputSize: 48}), {message: /multiple of 32 for EMCAD/});
});

test.serial('MACs: every application of the shared SAB counts; the LGAG grouped convs as their formula says; encoders as PVTv2 reports', (t) => {
  const {model} = buildModel({model: 'emcad', encoder: 'b0'}, {inputSize: 64});
  const macs = countMacs(model);
  // SAB: 7x7 conv on 2 channels at the four stages (16, 8, 4, 2 px).
  t.is(macs.byLayer['dec.sab'], [16, 8, 4, 2].reduce((a, s) => a + s * s * 2 * 49, 0));
  // LGAG at stage 1 (32 channels, 16 px): two grouped 3x3 convs C -> C/2 with 2 inputs per group, and the psi 1x1.
  t.is(macs.byLayer['dec.1.lgag'], 2 * 16 * 16 * 16 * 2 * 9 + 16 * 16 * 16);
  t.is(macs.total, Object.values(macs.byLayer).reduce((a, b) => a + b, 0));
  // 1.788 GMACs at 352 px scale with the pixels (attention's reduced maps too): about 0.054 G at 64.
  t.true(macs.total > 4e7 && macs.total < 7e7, `${macs.total}`);
  model.dispose();
  // The encoders at 224 px against PVTv2's published costs (Wang et al. 2022, Table 1: 0.6 and 4.0 "GFLOPs", MACs).
  for (const [encoder, gmacs] of [['b0', 0.57], ['b2', 4.03]] as const) {
    const {model: m} = buildModel({model: 'emcad', encoder}, {inputSize: 224});
    const enc = Object.entries(countMacs(m).byLayer).filter(([layer]) => layer.startsWith('enc.')).reduce((a, [, v]) => a + v, 0);
    t.is(+(enc / 1e9).toFixed(2), gmacs, encoder);
    m.dispose();
  }
});

test.serial('the model survives a config round trip (fromConfig) with the same outputs', async (t) => {
  const {model} = buildModel({model: 'emcad', encoder: 'b0', lgagKernel: 1}, {seed: 3});
  const copy = tf.LayersModel.fromConfig(tf.LayersModel, model.getConfig() as unknown as tf.serialization.ConfigDict) as tf.LayersModel;
  copy.setWeights(model.getWeights());
  const x = randomImage(1, 64, 4);
  const a = model.predict(x) as tf.Tensor[];
  const b = copy.predict(x) as tf.Tensor[];
  for (let i = 0; i < 4; i++) t.deepEqual(await a[i]!.data(), await b[i]!.data());
  tf.dispose([x, ...a, ...b]);
  model.dispose();
  copy.dispose();
});

test.serial('it learns on wasm: 12 training steps on one batch with its MUTATION loss over the four heads halve the loss, leaking nothing', async (t) => {
  const {model, config} = buildModel({model: 'emcad', encoder: 'b0', dropPath: 0}, {seed: 6});
  const trainable = trainableOf(model, outputsOf(config));
  // A learnable target at the encoder's resolution: a bright disc (radius 16 px) on noise.
  const disc = tf.tidy(() => {
    const r = tf.range(0, 64).sub(31.5);
    const d2 = tf.add(tf.reshape(tf.square(r), [64, 1]), tf.reshape(tf.square(r), [1, 64]));
    return tf.tile(tf.reshape(tf.cast(tf.less(d2, 256), 'float32'), [1, 64, 64, 1]), [2, 1, 1, 1]);
  }) as tf.Tensor4D;
  const x = tf.tidy(() => tf.add(tf.mul(randomImage(2, 64, 9), 0.4), tf.mul(disc, 0.5))) as tf.Tensor4D;
  const y = disc;
  const settings = defaultTrainConfig();
  const runner = stepRunner(trainable, {...settings, optimizer: {...settings.optimizer, lr: 1e-3}});
  const losses = [await runner.step(x, y)];
  const before = tf.memory().numTensors;
  for (let i = 1; i < 12; i++) losses.push(await runner.step(x, y));
  t.is(tf.memory().numTensors, before, 'no tensor left behind by a step');
  t.true(losses.every(Number.isFinite));
  t.true(losses.at(-1)! < losses[0]! / 2, losses.map((l) => l.toFixed(3)).join(' '));
  runner.dispose();
  tf.dispose([x, y]);
  model.dispose();
});
