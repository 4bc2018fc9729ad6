// Shared by the wasm and native kernel property tests: random convolution cases, seeded data, running one kernel on
// a backend with a leak check, the comparison with the reference `cpu` backend, and the gate of native-only tests.
import test, {type ExecutionContext} from 'ava';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import {nativeCpu} from '../../../src/engine/native/dnnl.js';

/**
 * ava's test.serial where the native addon is active; where it is not built (no libdnnl-dev) the tests skip,
 * saying why, except in CI (CI=true), where that fails: .ci/run installs libdnnl-dev.
 */
export function nativeTestOrSkip(what: string): typeof test.serial {
  const status = nativeCpu();
  if (status.active) return test.serial;
  if (process.env['CI'] === 'true') throw new Error(`the native path must run in CI: ${status.detail}`);
  console.log(`${what} skipped: ${status.detail}`);
  return test.serial.skip as unknown as typeof test.serial;
}

export type Shape4 = [number, number, number, number];
export type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
export interface Case {
  n: number; h: number; w: number; ci: number; co: number; kh: number; kw: number;
  stride: number; dilation: number; pad: Pad; seed: number;
}

export function data(size: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({length: size}, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

export function info(c: Case, depthwise: boolean): tf.backend_util.Conv2DInfo {
  const filter: Shape4 = [c.kh, c.kw, c.ci, depthwise ? 1 : c.co];
  return tf.backend_util.computeConv2DInfo([c.n, c.h, c.w, c.ci], filter, c.stride, c.dilation, c.pad, undefined, depthwise);
}

/** Runs one kernel on `backend` and returns its output; asserts that nothing leaked on that backend. */
export async function run(backend: string, kernel: string, inputs: Record<string, {shape: number[]; values: Float32Array}>,
  attrs: object, leaks: string[]): Promise<{shape: number[]; values: Float32Array}> {
  await tf.setBackend(backend);
  const engineBackend = tf.backend() as unknown as {numDataIds(): number};
  const tensorsBefore = tf.memory().numTensors;
  const tensors = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]));
  const dataBefore = engineBackend.numDataIds();
  const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const values = (await out.data()) as Float32Array;
  const shape = out.shape;
  out.dispose();
  if (engineBackend.numDataIds() !== dataBefore) leaks.push(`${kernel}: ${engineBackend.numDataIds() - dataBefore} backend buffers leaked`);
  tf.dispose(Object.values(tensors));
  if (tf.memory().numTensors !== tensorsBefore) leaks.push(`${kernel}: tensor count changed`);
  return {shape, values};
}

/** max |a - b| / max |b| (the scale at least 1e-6): the worst error relative to the reference's largest value. */
export function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

/** Zero-inserts a depthwise kernel [kh, kw, c, 1] to its dilated extent (the cpu kernels ignore dilations). */
export function dilateKernel(values: Float32Array, kh: number, kw: number, c: number, d: number): {shape: Shape4; values: Float32Array} {
  const eh = (kh - 1) * d + 1;
  const ew = (kw - 1) * d + 1;
  const out = new Float32Array(eh * ew * c);
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let k = 0; k < c; k++) {
    out[((i * d) * ew + j * d) * c + k] = values[(i * kw + j) * c + k]!;
  }
  return {shape: [eh, ew, c, 1], values: out};
}

export function pickDilated(values: Float32Array, kh: number, kw: number, c: number, d: number): Float32Array {
  const ew = (kw - 1) * d + 1;
  const out = new Float32Array(kh * kw * c);
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let k = 0; k < c; k++) {
    out[(i * kw + j) * c + k] = values[((i * d) * ew + j * d) * c + k]!;
  }
  return out;
}

export const padArb: fc.Arbitrary<Pad> = fc.oneof(
  fc.constant<Pad>('same'), fc.constant<Pad>('valid'),
  fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)).map(([t, b, l, r]): Pad => [[0, 0], [t, b], [l, r], [0, 0]]),
);

export function caseArb(depthwise: boolean): fc.Arbitrary<Case> {
  const kernel = depthwise ? fc.oneof(fc.integer({min: 1, max: 7}), fc.constantFrom(9, 13, 21, 31)) : fc.integer({min: 1, max: 5});
  return fc.record({
    n: fc.integer({min: 1, max: 3}), h: fc.integer({min: 1, max: 14}), w: fc.integer({min: 1, max: 14}),
    ci: fc.integer({min: 1, max: 5}), co: fc.integer({min: 1, max: 5}),
    kh: kernel, kw: fc.oneof(kernel, fc.constant(1)),
    stride: fc.constantFrom(1, 2), dilation: depthwise ? fc.constantFrom(1, 1, 2) : fc.constant(1),
    pad: padArb, seed: fc.nat(),
  }).filter((c) => {
    if (c.stride > 1 && c.dilation > 1) return false;
    try {
      const i = info(c, depthwise);
      return i.outHeight > 0 && i.outWidth > 0;
    } catch {
      return false;
    }
  });
}

export function check(t: ExecutionContext, name: string, got: {values: Float32Array; shape: number[]},
  want: {values: Float32Array; shape: number[]}, leaks: string[], c: Case): boolean {
  const err = relativeError(got.values, want.values);
  const ok = leaks.length === 0 && got.shape.join() === want.shape.join() && err < 1e-4;
  if (!ok) t.log(name, JSON.stringify(c), {err, got: got.shape, want: want.shape, leaks});
  return ok;
}

// The property bodies the wasm kernel tests (conv-gradients) and the oneDNN ones (dnnl-conv) share.

/** One case of Conv2D on wasm (whatever path is active) against the cpu backend; logs a mismatch. */
export async function conv2DMatchesCpu(t: ExecutionContext, c: Case): Promise<boolean> {
  const x = {shape: [c.n, c.h, c.w, c.ci], values: data(c.n * c.h * c.w * c.ci, c.seed)};
  const filter = {shape: [c.kh, c.kw, c.ci, c.co], values: data(c.kh * c.kw * c.ci * c.co, c.seed + 2)};
  const attrs = {strides: c.stride, dilations: c.dilation, pad: c.pad, dataFormat: 'NHWC'};
  const leaks: string[] = [];
  const got = await run('wasm', 'Conv2D', {x, filter}, attrs, leaks);
  const want = await run('cpu', 'Conv2D', {x, filter}, attrs, []);
  return check(t, 'Conv2D', got, want, leaks, c);
}

/** One case of Conv2DBackpropFilter on wasm (whatever path is active) against the cpu backend; logs a mismatch. */
export async function conv2DBackpropFilterMatchesCpu(t: ExecutionContext, c: Case): Promise<boolean> {
  const conv = info(c, false);
  const x = {shape: [c.n, c.h, c.w, c.ci], values: data(c.n * c.h * c.w * c.ci, c.seed)};
  const dy = {shape: conv.outShape, values: data(conv.outShape.reduce((a, b) => a * b), c.seed + 1)};
  const attrs = {strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: [c.kh, c.kw, c.ci, c.co]};
  const leaks: string[] = [];
  const got = await run('wasm', 'Conv2DBackpropFilter', {x, dy}, attrs, leaks);
  const want = await run('cpu', 'Conv2DBackpropFilter', {x, dy}, attrs, []);
  return check(t, 'Conv2DBackpropFilter', got, want, leaks, c);
}

/** One case of Conv2DBackpropInput on wasm (whatever path is active) against the cpu backend; logs a mismatch. */
export async function conv2DBackpropInputMatchesCpu(t: ExecutionContext, c: Case): Promise<boolean> {
  const conv = info(c, false);
  const dy = {shape: conv.outShape, values: data(conv.outShape.reduce((a, b) => a * b), c.seed)};
  const filter = {shape: [c.kh, c.kw, c.ci, c.co], values: data(c.kh * c.kw * c.ci * c.co, c.seed + 2)};
  const attrs = {strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: [c.n, c.h, c.w, c.ci]};
  const leaks: string[] = [];
  const got = await run('wasm', 'Conv2DBackpropInput', {dy, filter}, attrs, leaks);
  const want = await run('cpu', 'Conv2DBackpropInput', {dy, filter}, attrs, []);
  return check(t, 'Conv2DBackpropInput', got, want, leaks, c);
}

/** One case of DepthwiseConv2dNativeBackpropFilter on wasm (whatever path is active) against the cpu backend; logs a mismatch. */
export async function depthwiseConv2dNativeBackpropFilterMatchesCpu(t: ExecutionContext, c: Case): Promise<boolean> {
  const conv = info(c, true);
  const x = {shape: [c.n, c.h, c.w, c.ci], values: data(c.n * c.h * c.w * c.ci, c.seed)};
  const dy = {shape: conv.outShape, values: data(conv.outShape.reduce((a, b) => a * b), c.seed + 1)};
  const attrs = {strides: c.stride, dilations: c.dilation, pad: c.pad, filterShape: [c.kh, c.kw, c.ci, 1]};
  const leaks: string[] = [];
  const got = await run('wasm', 'DepthwiseConv2dNativeBackpropFilter', {x, dy}, attrs, leaks);
  const d = c.dilation;
  const refAttrs = {...attrs, dilations: 1, filterShape: [(c.kh - 1) * d + 1, (c.kw - 1) * d + 1, c.ci, 1]};
  const full = await run('cpu', 'DepthwiseConv2dNativeBackpropFilter', {x, dy}, refAttrs, []);
  const want = {shape: [c.kh, c.kw, c.ci, 1], values: pickDilated(full.values, c.kh, c.kw, c.ci, d)};
  return check(t, 'DepthwiseConv2dNativeBackpropFilter', got, want, leaks, c);
}

/** One case of DepthwiseConv2dNativeBackpropInput on wasm (whatever path is active) against the cpu backend; logs a mismatch. */
export async function depthwiseConv2dNativeBackpropInputMatchesCpu(t: ExecutionContext, c: Case): Promise<boolean> {
  const conv = info(c, true);
  const dy = {shape: conv.outShape, values: data(conv.outShape.reduce((a, b) => a * b), c.seed)};
  const filter = {shape: [c.kh, c.kw, c.ci, 1], values: data(c.kh * c.kw * c.ci, c.seed + 2)};
  const attrs = {strides: c.stride, dilations: c.dilation, pad: c.pad, inputShape: [c.n, c.h, c.w, c.ci]};
  const leaks: string[] = [];
  const got = await run('wasm', 'DepthwiseConv2dNativeBackpropInput', {dy, filter}, attrs, leaks);
  const want = await run('cpu', 'DepthwiseConv2dNativeBackpropInput',
    {dy, filter: dilateKernel(filter.values, c.kh, c.kw, c.ci, c.dilation)}, {...attrs, dilations: 1}, []);
  return check(t, 'DepthwiseConv2dNativeBackpropInput', got, want, leaks, c);
}
