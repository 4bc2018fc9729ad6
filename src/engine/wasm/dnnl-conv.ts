// Dense convolutions of the wasm backend on oneDNN (src/engine/native/dnnl.ts), in place on the wasm heap: the
// addon reads the inputs and writes the output where the backend keeps them, no copy. Each function returns null
// when the oneDNN path is off or refuses the geometry; the caller then runs its wasm kernel.
import {backend_util, type TensorInfo} from '@tensorflow/tfjs-core';
import type {Pair, WasmBackend} from './backend-ops.js';
import type {PadAttr, Rounding, Shape4} from './conv-gradients.js';
import {dnnlAddon} from '../native/dnnl.js';
import {heapF32 as heap, nativeInto as into} from './native-output.js';

/**
 * The 18 integers the addon takes, from TF.js's geometry: x [n, h, w, c], kernel [kh, kw, c, o], y [n, oh, ow, o],
 * strides, dilations (1 = none), the padding on each side (px) and the groups (1, or c for a depthwise kernel
 * [kh, kw, c, multiplier]).
 */
export function convGeometry(info: backend_util.Conv2DInfo, depthwise = false): number[] {
  const p = info.padInfo;
  return [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth,
    info.outChannels, info.outHeight, info.outWidth, info.strideHeight, info.strideWidth, info.dilationHeight,
    info.dilationWidth, p.top, p.left, p.bottom, p.right, depthwise ? info.inChannels : 1];
}

function conv2dInfo(xShape: Shape4, filterShape: Shape4, strides: Pair, dilations: Pair, pad: PadAttr, rounding: Rounding): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(xShape, filterShape, strides, dilations, pad, rounding, false);
}

/**
 * Conv2D / FusedConv2D (NHWC, float32) on oneDNN: y [n, oh, ow, o] = x [n, h, w, c] * filter [kh, kw, c, o], plus
 * bias [o] and ReLU when given. Null when the path is off or oneDNN refuses.
 */
export function dnnlConv2d(backend: WasmBackend, x: TensorInfo, filter: TensorInfo, strides: Pair, dilations: Pair,
  pad: PadAttr, rounding: Rounding, bias?: TensorInfo, relu = false): TensorInfo | null {
  if (x.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  const info = conv2dInfo(x.shape as Shape4, filter.shape as Shape4, strides, dilations, pad, rounding);
  if (bias !== undefined && (bias.dtype !== 'float32' || bias.shape.reduce((a, b) => a * b, 1) !== info.outChannels)) return null;
  const geometry = convGeometry(info);
  return into(backend, info.outShape, (addon, out) =>
    addon.conv2d(0, heap(backend, x), heap(backend, filter), heap(backend, out), geometry,
      bias === undefined ? null : heap(backend, bias), relu));
}

/** Conv2DBackpropInput on oneDNN: dx [n, h, w, c] from dy [n, oh, ow, o] and filter [kh, kw, c, o]. */
export function dnnlConv2dBackpropInput(backend: WasmBackend, dy: TensorInfo, filter: TensorInfo, inputShape: Shape4,
  strides: Pair, pad: PadAttr, rounding: Rounding): TensorInfo | null {
  const info = conv2dInfo(inputShape, filter.shape as Shape4, strides, [1, 1], pad, rounding);
  const geometry = convGeometry(info);
  return into(backend, inputShape, (addon, out) =>
    addon.conv2d(1, heap(backend, out), heap(backend, filter), heap(backend, dy), geometry));
}

/** Conv2DBackpropFilter on oneDNN: dfilter [kh, kw, c, o] from x [n, h, w, c] and dy [n, oh, ow, o]. */
export function dnnlConv2dBackpropFilter(backend: WasmBackend, x: TensorInfo, dy: TensorInfo, filterShape: Shape4,
  strides: Pair, dilations: Pair, pad: PadAttr, rounding: Rounding): TensorInfo | null {
  const info = conv2dInfo(x.shape as Shape4, filterShape, strides, dilations, pad, rounding);
  const geometry = convGeometry(info);
  return into(backend, filterShape, (addon, out) =>
    addon.conv2d(2, heap(backend, x), heap(backend, out), heap(backend, dy), geometry));
}

/**
 * DepthwiseConv2dNative / FusedDepthwiseConv2D on oneDNN: y [n, oh, ow, c * m] from x [n, h, w, c] and filter
 * [kh, kw, c, m], plus bias and ReLU when given. Measured on [4, 64, 64, 32] with a 21x21 kernel, one thread:
 * 7.0 ms against 33 ms on the project's SIMD module.
 */
export function dnnlDepthwiseConv2d(backend: WasmBackend, x: TensorInfo, filter: TensorInfo, strides: Pair, dilations: Pair,
  pad: PadAttr, rounding: Rounding, bias?: TensorInfo, relu = false): TensorInfo | null {
  if (x.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  const info = backend_util.computeConv2DInfo(x.shape as Shape4, filter.shape as Shape4, strides, dilations, pad, rounding, true);
  if (bias !== undefined && (bias.dtype !== 'float32' || bias.shape.reduce((a, b) => a * b, 1) !== info.outChannels)) return null;
  const geometry = convGeometry(info, true);
  return into(backend, info.outShape, (addon, out) =>
    addon.conv2d(0, heap(backend, x), heap(backend, filter), heap(backend, out), geometry,
      bias === undefined ? null : heap(backend, bias), relu));
}

/** DepthwiseConv2dNativeBackpropInput on oneDNN ([4, 64, 64, 32], 21x21, one thread: 6.9 ms against 35 ms). */
export function dnnlDepthwiseBackpropInput(backend: WasmBackend, dy: TensorInfo, filter: TensorInfo, inputShape: Shape4,
  strides: Pair, dilations: Pair, pad: PadAttr, rounding: Rounding): TensorInfo | null {
  const info = backend_util.computeConv2DInfo(inputShape, filter.shape as Shape4, strides, dilations, pad, rounding, true);
  const geometry = convGeometry(info, true);
  return into(backend, inputShape, (addon, out) =>
    addon.conv2d(1, heap(backend, out), heap(backend, filter), heap(backend, dy), geometry));
}

/**
 * DepthwiseConv2dNativeBackpropFilter on oneDNN, where oneDNN has a depthwise kernel for it. For large kernels
 * (21x21) oneDNN 2.6 falls back to a GEMM formulation that is slower than the SIMD module (161 ms against 35 ms on
 * [4, 64, 64, 32]): then null, and the caller runs the SIMD module.
 */
export function dnnlDepthwiseBackpropFilter(backend: WasmBackend, x: TensorInfo, dy: TensorInfo, filterShape: Shape4,
  strides: Pair, dilations: Pair, pad: PadAttr, rounding: Rounding): TensorInfo | null {
  const addon = dnnlAddon();
  if (addon === null) return null;
  const info = backend_util.computeConv2DInfo(x.shape as Shape4, filterShape, strides, dilations, pad, rounding, true);
  const geometry = convGeometry(info, true);
  let implementation: string;
  try {
    implementation = addon.implementation(2, geometry);
  } catch {
    return null;
  }
  if (implementation.includes('gemm')) return null;
  return into(backend, filterShape, (a, out) =>
    a.conv2d(2, heap(backend, x), heap(backend, out), heap(backend, dy), geometry));
}
