// The input gradient of dense convolutions for the wasm backend, written as one forward convolution (XNNPACK,
// SIMD) on a flipped kernel and zero-dilated dy. For one spatial axis of a forward convolution
// y[o] = sum_i xpad[o*s + i*d] * w[i] (stride s, dilation d, xpad = x with `top` zeros before it):
//   dx[h] = sum_i dyz[h + top - i*d] * w[i]       (dyz = dy with s-1 zeros between samples)
//         = a stride-1, dilation-d correlation of dyz (padded by (k-1)*d - top) with the flipped kernel.
// The kernel gradient, and every depthwise kernel, run on the project's SIMD module (depthwise-kernels.ts):
// as XNNPACK compositions on transposed operands they were 1.6-7x slower.
import {backend_util, type TensorInfo} from '@tensorflow/tfjs-core';
import {
  conv2d, dilateSpatial, release, slice, zeros,
  type Pair, type WasmBackend,
} from './backend-ops.js';

export type Shape4 = [number, number, number, number];
export type PadAttr = 'valid' | 'same' | number | backend_util.ExplicitPadding;
export type Rounding = 'floor' | 'round' | 'ceil' | undefined;

export function toPair(v: number | [number, number] | null | undefined): Pair {
  if (v == null) return [1, 1];
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

export interface Geometry {
  info: backend_util.Conv2DInfo;
  strides: Pair;
  dilations: Pair;
  /** Effective (dilated) kernel extent per axis. */
  extent: Pair;
}

export function geometry(xShape: Shape4, filterShape: Shape4, strides: Pair, dilations: Pair, pad: PadAttr,
  rounding: Rounding, depthwise: boolean): Geometry {
  const info = backend_util.computeConv2DInfo(xShape, filterShape, strides, dilations, pad, rounding, depthwise);
  const extent: Pair = [(info.filterHeight - 1) * dilations[0] + 1, (info.filterWidth - 1) * dilations[1] + 1];
  return {info, strides, dilations, extent};
}

/**
 * dy, zero-dilated by the stride and padded or cropped so that a valid, stride-1 correlation with the
 * flipped kernel gives exactly the input's spatial size. Padding is left to the convolution (explicit pads)
 * where it is non-negative; rows that only ever met padding are cropped away.
 */
function transposedConvOperand(backend: WasmBackend, dy: TensorInfo, g: Geometry): {operand: TensorInfo; pads: [Pair, Pair]} | undefined {
  const {info, strides, extent} = g;
  const dyz = dilateSpatial(backend, dy, strides);
  const [, zh, zw] = dyz.shape as Shape4;
  const before: Pair = [extent[0] - 1 - info.padInfo.top, extent[1] - 1 - info.padInfo.left];
  const after: Pair = [info.inHeight + extent[0] - 1 - before[0] - zh, info.inWidth + extent[1] - 1 - before[1] - zw];
  if (before[0] >= 0 && before[1] >= 0 && after[0] >= 0 && after[1] >= 0) {
    return {operand: dyz, pads: [before, after]};
  }
  const cropTop = Math.max(0, -before[0]);
  const cropLeft = Math.max(0, -before[1]);
  const keepH = zh - cropTop - Math.max(0, -after[0]);
  const keepW = zw - cropLeft - Math.max(0, -after[1]);
  if (keepH <= 0 || keepW <= 0) {
    // Every input pixel met only padding: its gradient is zero.
    release(backend, dyz);
    return undefined;
  }
  const cropped = slice(backend, dyz, [0, cropTop, cropLeft, 0], [dyz.shape[0]!, keepH, keepW, dyz.shape[3]!]);
  release(backend, dyz);
  return {
    operand: cropped,
    pads: [[Math.max(0, before[0]), Math.max(0, before[1])], [Math.max(0, after[0]), Math.max(0, after[1])]],
  };
}

function explicitPad(pads: [Pair, Pair]): [Pair, Pair, Pair, Pair] {
  const [before, after] = pads;
  return [[0, 0], [before[0], after[0]], [before[1], after[1]], [0, 0]];
}

/**
 * The kernel [kh, kw, Ci, Co] flipped in space with its channels swapped, [kh, kw, Co, Ci], in one pass. The
 * backend's Reverse and Transpose took 60 ms for a 3x3 256 -> 256 kernel, 15 times the convolution itself.
 */
function flippedSwappedFilter(backend: WasmBackend, filter: TensorInfo): TensorInfo {
  const [kh, kw, ci, co] = filter.shape as Shape4;
  const out = backend.makeOutput([kh, kw, co, ci], 'float32');
  // Views after makeOutput: allocating may grow the heap and detach earlier views.
  const src = backend.typedArrayFromHeap(filter);
  const dst = backend.typedArrayFromHeap(out);
  const plane = ci * co;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const from = (i * kw + j) * plane;
      const to = ((kh - 1 - i) * kw + (kw - 1 - j)) * plane;
      for (let c = 0; c < ci; c++) {
        for (let o = 0; o < co; o++) dst[to + o * ci + c] = src[from + c * co + o]!;
      }
    }
  }
  return out;
}

/** Conv2DBackpropInput: dx = conv2d(zero-dilated dy, kernel flipped in space with in/out channels swapped). */
export function conv2dBackpropInput(backend: WasmBackend, dy: TensorInfo, filter: TensorInfo,
  inputShape: Shape4, strides: Pair, pad: PadAttr, rounding: Rounding): TensorInfo {
  const g = geometry(inputShape, filter.shape as Shape4, strides, [1, 1], pad, rounding, false);
  const swapped = flippedSwappedFilter(backend, filter);
  const prepared = transposedConvOperand(backend, dy, g);
  if (prepared === undefined) {
    release(backend, swapped);
    return zeros(backend, inputShape);
  }
  const {operand, pads} = prepared;
  const dx = conv2d(backend, operand, swapped, {strides: [1, 1], dilations: [1, 1], pad: explicitPad(pads)});
  release(backend, operand, swapped);
  return dx;
}
