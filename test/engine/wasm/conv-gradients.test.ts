// Property tests: every registered wasm gradient kernel against the reference `cpu` backend, over random
// shapes, strides, dilations, paddings and kernel sizes, with no tensor or backend buffer left behind.
import test from 'ava';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import {activateBackend} from '../../../src/engine/backends.js';
import {useNativeCpu} from '../../../src/engine/native/dnnl.js';
import {caseArb, check, conv2DBackpropFilterMatchesCpu, conv2DBackpropInputMatchesCpu, conv2DMatchesCpu, depthwiseConv2dNativeBackpropFilterMatchesCpu, depthwiseConv2dNativeBackpropInputMatchesCpu, data, run, type Case} from './kernel-cases.js';

test.before(async () => {
  tf.env().set('PROD', true);
  await activateBackend('cpu');
  await activateBackend('wasm');
  // These are the wasm path's kernels; test/engine/wasm/dnnl-conv.test.ts checks the oneDNN ones.
  useNativeCpu(false);
});

test.serial('Conv2DBackpropFilter matches cpu', async (t) => {
  await fc.assert(fc.asyncProperty(caseArb(false), (c) => conv2DBackpropFilterMatchesCpu(t, c)), {numRuns: 120, seed: 20261125});
  t.pass();
});

test.serial('Conv2DBackpropInput matches cpu', async (t) => {
  await fc.assert(fc.asyncProperty(caseArb(false), (c) => conv2DBackpropInputMatchesCpu(t, c)), {numRuns: 120, seed: 20261126});
  t.pass();
});

test.serial('DepthwiseConv2dNativeBackpropFilter matches cpu, dilations included', async (t) => {
  await fc.assert(fc.asyncProperty(caseArb(true), (c) => depthwiseConv2dNativeBackpropFilterMatchesCpu(t, c)), {numRuns: 120, seed: 20261127});
  t.pass();
});

test.serial('DepthwiseConv2dNativeBackpropInput matches cpu, dilations included', async (t) => {
  await fc.assert(fc.asyncProperty(caseArb(true), (c) => depthwiseConv2dNativeBackpropInputMatchesCpu(t, c)), {numRuns: 120, seed: 20261128});
  t.pass();
});

test.serial('DepthwiseConv2dNative (SIMD module for large kernels, XNNPACK for small) matches cpu', async (t) => {
  await fc.assert(fc.asyncProperty(caseArb(true), async (c) => {
    const x = {shape: [c.n, c.h, c.w, c.ci], values: data(c.n * c.h * c.w * c.ci, c.seed)};
    const filter = {shape: [c.kh, c.kw, c.ci, 1], values: data(c.kh * c.kw * c.ci, c.seed + 2)};
    const attrs = {strides: c.stride, dilations: c.dilation, pad: c.pad};
    const leaks: string[] = [];
    const got = await run('wasm', 'DepthwiseConv2dNative', {x, filter}, attrs, leaks);
    const want = await run('cpu', 'DepthwiseConv2dNative', {x, filter}, attrs, []);
    return check(t, 'DepthwiseConv2dNative', got, want, leaks, c);
  }), {numRuns: 120, seed: 20261129});
  t.pass();
});

test.serial('kernels handle realistic sizes: 21x21 depthwise on 40x40 with 12 channels, 3x3 conv 24 -> 8', async (t) => {
  const c: Case = {n: 2, h: 40, w: 40, ci: 12, co: 8, kh: 21, kw: 21, stride: 1, dilation: 1, pad: 'same', seed: 7};
  const x = {shape: [2, 40, 40, 12], values: data(2 * 40 * 40 * 12, 1)};
  const dy = {shape: [2, 40, 40, 12], values: data(2 * 40 * 40 * 12, 2)};
  const attrs = {strides: 1, dilations: 1, pad: 'same', filterShape: [21, 21, 12, 1]};
  const leaks: string[] = [];
  const got = await run('wasm', 'DepthwiseConv2dNativeBackpropFilter', {x, dy}, attrs, leaks);
  const want = await run('cpu', 'DepthwiseConv2dNativeBackpropFilter', {x, dy}, attrs, []);
  t.true(check(t, 'realistic depthwise filter grad', got, want, leaks, c));
  const x2 = {shape: [2, 40, 40, 24], values: data(2 * 40 * 40 * 24, 3)};
  const dy2 = {shape: [2, 40, 40, 8], values: data(2 * 40 * 40 * 8, 4)};
  const a2 = {strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 24, 8]};
  const got2 = await run('wasm', 'Conv2DBackpropFilter', {x: x2, dy: dy2}, a2, leaks);
  const want2 = await run('cpu', 'Conv2DBackpropFilter', {x: x2, dy: dy2}, a2, []);
  t.true(check(t, 'realistic conv filter grad', got2, want2, leaks, c));
});

test.serial('Conv2D forward (same padding made explicit) matches cpu', async (t) => {
  await fc.assert(fc.asyncProperty(caseArb(false), (c) => conv2DMatchesCpu(t, c)), {numRuns: 120, seed: 20261130});
  t.pass();
});

test.serial('fused conv2d and depthwise (as tfjs-layers calls them) match cpu on the one-pixel stride-2 case', async (t) => {
  const outputs: Record<string, number[]> = {};
  for (const backend of ['wasm', 'cpu']) {
    await tf.setBackend(backend);
    const x = tf.tensor4d([1, 2, 3, 4], [1, 1, 4, 1]);
    const bias = tf.tensor1d([0.5]);
    const conv = tf.fused.conv2d({x, filter: tf.tensor4d([1, 10], [2, 1, 1, 1]), strides: 2, pad: 'same', bias, activation: 'relu'});
    const dw = tf.fused.depthwiseConv2d({x, filter: tf.tensor4d([1, 10], [2, 1, 1, 1]), strides: 2, pad: 'same', bias});
    outputs[backend] = [...conv.dataSync(), ...dw.dataSync()];
    tf.dispose([x, bias, conv, dw]);
  }
  t.deepEqual(outputs['wasm'], outputs['cpu']);
  t.deepEqual(outputs['cpu'], [1.5, 3.5, 1.5, 3.5]);
});

test.serial('a depthwise conv with dilations = null (as tfjs-layers passes it) trains on wasm', async (t) => {
  await tf.setBackend('wasm');
  const x = tf.ones([1, 8, 8, 4]) as tf.Tensor4D;
  const w = tf.ones([21, 21, 4, 1]) as tf.Tensor4D;
  const attrs = {strides: 1, pad: 'same', dilations: null} as unknown as tf.NamedAttrMap;
  const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.engine().runKernel('DepthwiseConv2dNative', {x: a, filter: b}, attrs) as tf.Tensor))([x, w]);
  t.deepEqual(grads.map((g) => g.shape), [[1, 8, 8, 4], [21, 21, 4, 1]]);
  tf.dispose([x, w, ...grads]);
});
