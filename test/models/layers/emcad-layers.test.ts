// EMCAD's layers on the wasm backend against the reference `cpu` backend (fast-check over shapes and settings):
// value and every gradient (inputs and weights) in training mode, so that each op they use trains on wasm;
// the composed ops (grouped convolution, shuffle folded into a kernel, GELU, LayerNorm) against plain
// compositions; no tensor left behind.
import test from 'ava';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import {activateBackend} from '../../../src/engine/backends.js';
import {ChannelAttention} from '../../../src/models/layers/channel-attention.js';
import {shuffledPointwiseKernel} from '../../../src/models/layers/channel-shuffle.js';
import {EUCB} from '../../../src/models/layers/eucb.js';
import {gelu} from '../../../src/models/layers/gelu.js';
import {groupedConv2d} from '../../../src/models/layers/grouped-conv.js';
import {LayerNorm, layerNorm} from '../../../src/models/layers/layer-norm.js';
import {LGAG} from '../../../src/models/layers/lgag.js';
import {MixMLP} from '../../../src/models/layers/mix-mlp.js';
import {MSCB} from '../../../src/models/layers/mscb.js';
import {OverlapPatchEmbed} from '../../../src/models/layers/patch-embed.js';
import {SpatialAttention} from '../../../src/models/layers/spatial-attention.js';
import {SRAttention} from '../../../src/models/layers/sr-attention.js';
import {randomTensor} from '../helpers.js';

test.before(async () => {
  await activateBackend('cpu');
  await activateBackend('wasm');
});

const maxAbs = (v: Float32Array) => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);

/**
 * Largest |a - b| of each array over its scale, worst over the arrays. The scale is the array's largest |b|, but
 * at least 1e-3 of the largest over all arrays: some gradients are zero or nearly so (a bias before BN; a 1x1
 * depthwise kernel before BN, whose scale BN removes but for its epsilon), and rounding differs between backends.
 */
function relativeError(a: Float32Array[], b: Float32Array[]): number {
  const floor = Math.max(1e-6, 1e-3 * Math.max(...b.map(maxAbs)));
  let worst = 0;
  a.forEach((x, i) => {
    const y = b[i]!;
    let diff = x.length === y.length ? 0 : Infinity;
    for (let j = 0; j < y.length; j++) diff = Math.max(diff, Math.abs(x[j]! - y[j]!));
    worst = Math.max(worst, diff / Math.max(floor, maxAbs(y)));
  });
  return worst;
}

/** Output and the gradients of sum(output * dy) for inputs and then every trainable weight, in training mode. */
export function layerValueAndGrads(make: () => tf.layers.Layer, shapes: number[][], seed: number): Float32Array[] {
  const layer = make();
  const xs = shapes.map((s, i) => tf.tidy(() => tf.variable(randomTensor(s, seed + i))));
  const input = () => (xs.length === 1 ? xs[0]! : xs);
  (layer.apply(input(), {training: true}) as tf.Tensor).dispose();
  const variables = [...xs, ...layer.trainableWeights.map((w) => w.read() as tf.Variable)];
  const out = tf.tidy(() => layer.apply(input(), {training: true}) as tf.Tensor);
  const dy = randomTensor(out.shape, seed + 99);
  const {value, grads} = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(input(), {training: true}) as tf.Tensor, dy)), variables);
  const result = [out, ...variables.map((v) => grads[v.name]!)].map((t) => t.dataSync() as Float32Array);
  tf.dispose([value, out, dy, ...xs, ...Object.values(grads)]);
  layer.dispose();
  return result;
}

/** The same layer (same seed, so the same weights) on wasm and on cpu; true when they agree within `tolerance`. */
async function agreesWithCpu(t: import('ava').ExecutionContext, label: string, make: () => tf.layers.Layer, shapes: number[][], seed: number, tolerance = 1e-3): Promise<boolean> {
  await tf.setBackend('cpu');
  const want = layerValueAndGrads(make, shapes, seed);
  await tf.setBackend('wasm');
  const before = tf.memory().numTensors;
  const got = layerValueAndGrads(make, shapes, seed);
  const leaked = tf.memory().numTensors - before;
  const err = relativeError(got, want);
  if (!(err < tolerance) || leaked !== 0) t.log(label, JSON.stringify(shapes), {err, leaked});
  return err < tolerance && leaked === 0;
}

const batch = fc.integer({min: 1, max: 2});
const side = fc.constantFrom(4, 8);

test.serial('SRAttention: value and gradients on wasm equal cpu (heads, reductions)', async (t) => {
  await fc.assert(fc.asyncProperty(batch, side, fc.constantFrom(1, 2, 4), fc.constantFrom(1, 2), fc.constantFrom(4, 8), fc.nat(1000),
    async (b, s, reduction, heads, c, seed) => agreesWithCpu(t, `SRAttention r${reduction} h${heads}`,
      () => new SRAttention({heads, reduction, seed}), [[b, s, s, c]], seed)), {numRuns: 12, seed: 1501});
  t.pass();
});

test.serial('MixMLP, OverlapPatchEmbed, LayerNorm: value and gradients on wasm equal cpu', async (t) => {
  await fc.assert(fc.asyncProperty(batch, side, fc.constantFrom(1, 2, 4), fc.constantFrom(3, 4), fc.nat(1000), async (b, s, ratio, c, seed) =>
    await agreesWithCpu(t, `MixMLP r${ratio}`, () => new MixMLP({ratio, seed}), [[b, s, s, c]], seed)
    && await agreesWithCpu(t, 'OverlapPatchEmbed 7/4', () => new OverlapPatchEmbed({filters: 4, kernelSize: 7, strides: 4, seed}), [[b, 4 * s, 4 * s, c]], seed)
    && await agreesWithCpu(t, 'OverlapPatchEmbed 3/2', () => new OverlapPatchEmbed({filters: 5, kernelSize: 3, strides: 2, seed}), [[b, s, s, c]], seed)
    && await agreesWithCpu(t, 'LayerNorm', () => new LayerNorm({epsilon: 1e-6}), [[b, s, s, c]], seed)), {numRuns: 8, seed: 1502});
  t.pass();
});

test.serial('MSCB: value and gradients on wasm equal cpu over kernels, expansion, order, combination, activation', async (t) => {
  const settings = fc.record({
    kernels: fc.constantFrom([1, 3, 5], [3], [1], [3, 5, 7]), expansion: fc.constantFrom(1, 2), parallel: fc.boolean(),
    combine: fc.constantFrom('add' as const, 'concat' as const), activation: fc.constantFrom('relu' as const, 'relu6' as const),
    filters: fc.constantFrom(4, 6),
  });
  await fc.assert(fc.asyncProperty(settings, batch, side, fc.constantFrom(4, 6), fc.nat(1000), async (o, b, s, c, seed) =>
    agreesWithCpu(t, `MSCB ${JSON.stringify(o)}`, () => new MSCB({...o, seed}), [[b, s, s, c]], seed)), {numRuns: 16, seed: 1503});
  t.pass();
});

test.serial('CAB, SAB, LGAG (kernels 1 and 3): value and gradients on wasm equal cpu', async (t) => {
  await fc.assert(fc.asyncProperty(batch, side, fc.constantFrom(4, 8, 32), fc.constantFrom(1, 3), fc.nat(1000), async (b, s, c, k, seed) =>
    await agreesWithCpu(t, 'CAB', () => new ChannelAttention({seed}), [[b, s, s, c]], seed)
    && await agreesWithCpu(t, 'SAB', () => new SpatialAttention({seed}), [[b, s, s, c]], seed)
    && await agreesWithCpu(t, `LGAG k${k}`, () => new LGAG({kernelSize: k, seed}), [[b, s, s, c], [b, s, s, c]], seed)), {numRuns: 10, seed: 1504});
  t.pass();
});

test.serial('EUCB: value and gradients on wasm equal cpu (batch 1: cpu\'s nearest-neighbour gradient is wrong beyond)', async (t) => {
  await fc.assert(fc.asyncProperty(side, fc.constantFrom(4, 6), fc.constantFrom(2, 5), fc.nat(1000), async (s, c, filters, seed) =>
    agreesWithCpu(t, 'EUCB', () => new EUCB({filters, seed}), [[1, s, s, c]], seed)), {numRuns: 6, seed: 1505});
  t.pass();
});

test.serial('wasm\'s nearest-neighbour 2x up-sampling gradient sums each 2x2 block, at any batch (EUCB)', (t) => {
  fc.assert(fc.property(fc.integer({min: 1, max: 3}), fc.integer({min: 1, max: 5}), fc.integer({min: 1, max: 5}), fc.integer({min: 1, max: 4}), fc.nat(1000), (b, h, w, c, seed) => {
    const [got, want] = tf.tidy(() => {
      const dy = randomTensor([b, 2 * h, 2 * w, c], seed) as tf.Tensor4D;
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [2 * h, 2 * w]), dy)))(tf.zeros([b, h, w, c]));
      return [g.dataSync() as Float32Array, tf.mul(tf.avgPool(dy, 2, 2, 'valid'), 4).dataSync() as Float32Array];
    });
    return relativeError([got], [want]) < 1e-6;
  }), {numRuns: 30, seed: 1506});
  t.pass();
});

/** Grouped convolution as G separate convolutions on channel slices (the definition), concatenated. */
function groupedReference(x: tf.Tensor4D, kernel: tf.Tensor4D, groups: number, pad: 'same' | 'valid', strides: number): tf.Tensor4D {
  const cg = kernel.shape[2];
  const m = kernel.shape[3] / groups;
  const parts = Array.from({length: groups}, (_, g) => tf.conv2d(
    tf.slice(x, [0, 0, 0, g * cg], [-1, -1, -1, cg]), tf.slice(kernel, [0, 0, 0, g * m], [-1, -1, -1, m]), strides, pad));
  return tf.concat(parts, 3);
}

test.serial('groupedConv2d on wasm equals per-group convolutions on cpu: value and both gradients', async (t) => {
  const cases = fc.record({
    b: batch, h: fc.integer({min: 3, max: 9}), w: fc.integer({min: 3, max: 9}), groups: fc.integer({min: 1, max: 4}),
    cg: fc.integer({min: 1, max: 3}), m: fc.integer({min: 1, max: 3}), k: fc.constantFrom(1, 3, 5),
    pad: fc.constantFrom('same' as const, 'valid' as const), strides: fc.constantFrom(1, 2), seed: fc.nat(1000),
  }).filter((c) => c.pad === 'same' || (c.k <= c.h && c.k <= c.w));
  await fc.assert(fc.asyncProperty(cases, async (c) => {
    const run = (f: typeof groupedConv2d) => tf.tidy(() => {
      const x = randomTensor([c.b, c.h, c.w, c.groups * c.cg], c.seed) as tf.Tensor4D;
      const kernel = randomTensor([c.k, c.k, c.cg, c.groups * c.m], c.seed + 1) as tf.Tensor4D;
      const y = f(x, kernel, c.groups, c.pad, c.strides);
      const dy = randomTensor(y.shape, c.seed + 2);
      const [dx, dk] = tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a as tf.Tensor4D, b as tf.Tensor4D, c.groups, c.pad, c.strides))([x, kernel], dy);
      return [y, dx!, dk!].map((v) => v.dataSync() as Float32Array);
    });
    await tf.setBackend('cpu');
    const want = run((x, k, g, p, s) => groupedReference(x, k, g, p as 'same' | 'valid', s ?? 1));
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const got = run(groupedConv2d);
    return relativeError(got, want) < 1e-4 && tf.memory().numTensors === before;
  }), {numRuns: 40, seed: 1507});
  t.pass();
});

test.serial('a channel shuffle folded into the next 1x1 kernel equals shuffling the map (PyTorch\'s order)', (t) => {
  fc.assert(fc.property(fc.integer({min: 1, max: 4}), fc.integer({min: 1, max: 4}), fc.integer({min: 1, max: 3}), fc.nat(1000), (groups, perGroup, f, seed) => {
    const c = groups * perGroup;
    const diff = tf.tidy(() => {
      const y = randomTensor([2, 3, 3, c], seed) as tf.Tensor4D;
      const kernel = randomTensor([1, 1, c, f], seed + 1) as tf.Tensor4D;
      // PyTorch: y.reshape(B, groups, C / groups, H, W).transpose(1, 2), here per position.
      const shuffled = tf.reshape(tf.transpose(tf.reshape(y, [18, groups, perGroup]), [0, 2, 1]), [2, 3, 3, c]) as tf.Tensor4D;
      return tf.max(tf.abs(tf.sub(tf.conv2d(y, shuffledPointwiseKernel(kernel, groups), 1, 'same'), tf.conv2d(shuffled, kernel, 1, 'same')))).dataSync()[0]!;
    });
    return diff < 1e-5;
  }), {numRuns: 40, seed: 1508});
  t.pass();
});

test.serial('gelu and layerNorm (custom gradients) equal their plain compositions on cpu, on wasm', async (t) => {
  // From 3 channels: over 1 or 2 the normalised value is constant or a sign, and its input gradient only rounding.
  await fc.assert(fc.asyncProperty(batch, fc.integer({min: 1, max: 6}), fc.integer({min: 3, max: 9}), fc.nat(1000), async (b, n, c, seed) => {
    const run = (ln: (x: tf.Tensor, g: tf.Tensor1D, be: tf.Tensor1D) => tf.Tensor, act: (x: tf.Tensor) => tf.Tensor) => tf.tidy(() => {
      const x = randomTensor([b, n, c], seed, 2);
      const gamma = randomTensor([c], seed + 1) as tf.Tensor1D;
      const beta = randomTensor([c], seed + 2) as tf.Tensor1D;
      const f = (a: tf.Tensor, g: tf.Tensor, be: tf.Tensor) => act(ln(a, g as tf.Tensor1D, be as tf.Tensor1D));
      const y = f(x, gamma, beta);
      const dy = randomTensor(y.shape, seed + 3);
      return [y, ...tf.grads(f)([x, gamma, beta], dy)].map((v) => v.dataSync() as Float32Array);
    });
    await tf.setBackend('cpu');
    const want = run((x, g, be) => {
      const {mean, variance} = tf.moments(x, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-6))), g), be);
    }, (x) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.div(x, Math.SQRT2)), 1)));
    await tf.setBackend('wasm');
    const got = run((x, g, be) => layerNorm(x, g, be, 1e-6), gelu);
    const err = relativeError(got, want);
    if (!(err < 1e-4)) t.log({b, n, c, seed, err});
    return err < 1e-4;
  }), {numRuns: 30, seed: 1509});
  t.pass();
});
