// MIE and MIDM: parameter formulas, gate ranges, attention rows, the window guard, and MIE's merged
// depthwise conv against R separate convs.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import {MIE} from '../../../src/models/layers/mie.js';
import {MIDM, midmWindow} from '../../../src/models/layers/midm.js';
import {GroupNorm, groupNorm} from '../../../src/models/layers/group-norm.js';
import {applyLayer, maxAbsDiff, paramCount, randomTensor, useWasm} from '../helpers.js';

test.before(useWasm);

test('MIE parameters: 11C with the default 4 kernels [3, 5, 7, 9]; R groups in general', (t) => {
  for (const c of [8, 16, 64]) {
    const layer = new MIE({kernels: [3, 5, 7, 9]});
    layer.build([null, 8, 8, c]);
    t.is(paramCount(layer), 11 * c);
  }
  for (const [kernels, c] of [[[3, 3, 3, 3], 16], [[1, 3, 5, 7], 8], [[5, 7, 9, 11], 32], [[3, 5], 8]] as const) {
    const shared = new MIE({kernels: [...kernels]});
    shared.build([null, 8, 8, c]);
    const sum = kernels.reduce((a, b) => a + b, 0);
    const g = c / kernels.length;
    t.is(paramCount(shared), g * sum + c + 4 * c);
    const separate = new MIE({kernels: [...kernels], shareHW: false});
    separate.build([null, 8, 8, c]);
    t.is(paramCount(separate), 2 * (g * sum + c) + 4 * c);
  }
});

test('MIDM parameters: 5C, for any number of heads', (t) => {
  for (const [c, heads] of [[8, 1], [16, 4], [64, 8]] as const) {
    const layer = new MIDM({heads});
    layer.build([null, 8, 8, c]);
    t.is(paramCount(layer), 5 * c);
  }
});

test('MIDM window guard: min(window, H, W); null = global', (t) => {
  t.deepEqual(midmWindow(7, 32, 32), [7, 7]);
  t.deepEqual(midmWindow(7, 4, 6), [4, 4]);
  t.deepEqual(midmWindow(null, 4, 6), [4, 6]);
});

test.serial('MIE gates lie in (0, 1) and its merged conv equals R separate depthwise convs', async (t) => {
  const layer = new MIE({kernels: [1, 3, 5, 7], seed: 2});
  const x = randomTensor([2, 6, 10, 8], 3) as tf.Tensor4D;
  const y = applyLayer(layer, x);
  t.deepEqual(y.shape, x.shape);
  const {ah, aw} = layer.gates(x);
  for (const g of [ah, aw]) {
    const [lo, hi] = [(await g.min().data())[0]!, (await g.max().data())[0]!];
    t.true(lo > 0 && hi < 1);
  }
  // Reference: each group separately with its own kernel size, then GN and sigmoid, on the H profile.
  const reference = tf.tidy(() => {
    const w = layer.getWeights();
    const profile = tf.reshape(tf.mean(x, 2), [2, 6, 1, 8]) as tf.Tensor4D;
    const groups = tf.split(profile, 4, 3).map((p, i) => tf.add(tf.depthwiseConv2d(p as tf.Tensor4D, w[2 * i] as tf.Tensor4D, 1, 'same'), w[2 * i + 1]!));
    const conv = tf.concat(groups, 3);
    const gn = groupNorm(conv, w[8] as tf.Tensor1D, w[9] as tf.Tensor1D, 4);
    return tf.sigmoid(gn);
  });
  t.true((await maxAbsDiff(tf.reshape(ah, [2, 6, 1, 8]), reference)) < 1e-5);
  tf.dispose([x, y, ah, aw, reference]);
});

test.serial('MIDM: attention rows sum to 1, gates in (0, 1), heads and windows up to global', async (t) => {
  for (const [heads, window, pool] of [[1, 7, 'avg'], [2, 4, 'max'], [4, null, 'avg'], [8, 14, 'avg']] as const) {
    const layer = new MIDM({heads, window, pool, seed: 1});
    const x = randomTensor([2, 12, 9, 16], heads) as tf.Tensor4D;
    const y = applyLayer(layer, x);
    t.deepEqual(y.shape, x.shape);
    const {attention, gate} = layer.attentionAndGate(x);
    t.deepEqual(attention.shape, [2, heads, 16 / heads, 16 / heads]);
    const rowSums = await tf.sum(attention, 3).data();
    for (const s of rowSums) t.true(Math.abs(s - 1) < 1e-5);
    const g = await gate.data();
    t.true(g.every((v) => v > 0 && v < 1));
    tf.dispose([x, y, attention, gate]);
  }
});

test.serial('MIDM on [source, target] applies the gate of source to target', async (t) => {
  const layer = new MIDM({seed: 4});
  const a = randomTensor([1, 8, 8, 8], 1) as tf.Tensor4D;
  const b = randomTensor([1, 8, 8, 8], 2) as tf.Tensor4D;
  const y = applyLayer(layer, [a, b]);
  const {gate, attention} = layer.attentionAndGate(a);
  const expected = tf.mul(b, gate);
  t.true((await maxAbsDiff(y, expected)) < 1e-6);
  tf.dispose([a, b, y, gate, attention, expected]);
});

test.serial('GroupNorm: zero mean and unit variance per sample and group; 2C parameters', async (t) => {
  const layer = new GroupNorm({groups: 4});
  const x = randomTensor([2, 5, 5, 8], 9, 3);
  const y = applyLayer(layer, x);
  t.is(paramCount(layer), 16);
  const grouped = tf.reshape(y, [2, 25, 4, 2]);
  const {mean, variance} = tf.moments(grouped, [1, 3]);
  t.true((await tf.abs(mean).max().data())[0]! < 1e-5);
  t.true((await tf.abs(tf.sub(variance, 1)).max().data())[0]! < 1e-3);
  tf.dispose([x, y, grouped, mean, variance]);
});
