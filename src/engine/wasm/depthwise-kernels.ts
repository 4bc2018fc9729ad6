// Convolution kernels for the wasm backend on the project's SIMD module (simd-depthwise.ts). Depthwise
// (channel multiplier 1): the forward pass for kernels larger than 3x3 and both gradients; measured on
// [4, 64, 64, 32] with a 21x21 kernel: forward 33 ms vs 320 ms for tfjs-backend-wasm's own kernel; input
// gradient 35 ms and kernel gradient 35 ms vs 337 ms and 422 ms as XNNPACK compositions. Dense: the kernel
// gradient, 3x3: [1,48,48,32]->32 4.8 ms vs 15.7 ms, [1,6,6,256]->256 6.4 vs 22.1, [8,96,96,48]->16 87 vs 132
// as an XNNPACK convolution of transposed operands.
import type {backend_util, TensorInfo} from '@tensorflow/tfjs-core';
import type {Pair, WasmBackend} from './backend-ops.js';
import {geometry, type PadAttr, type Rounding, type Shape4} from './conv-gradients.js';
import {simdConvFilterGrad, simdDepthwiseConv, simdDepthwiseFilterGrad, type Placement} from './simd-depthwise.js';

function assertMultiplierOne(filterShape: Shape4, kernel: string): void {
  if (filterShape[3] !== 1) {
    throw new Error(`${kernel} on wasm supports channel multiplier 1 only (got ${filterShape[3]})`);
  }
}

/** Where the input of a forward correlation (or of its kernel gradient) sits: padded to exactly what it reads. */
function forwardPlacement(info: backend_util.Conv2DInfo, strides: Pair, extent: Pair): Placement {
  return {
    rows: (info.outHeight - 1) * strides[0] + extent[0], cols: (info.outWidth - 1) * strides[1] + extent[1],
    top: info.padInfo.top, left: info.padInfo.left, stepH: 1, stepW: 1,
  };
}

function heap(backend: WasmBackend, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

function output(backend: WasmBackend, shape: number[], values: Float32Array): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  heap(backend, out).set(values);
  return out;
}

/** DepthwiseConv2dNative (multiplier 1) on the SIMD module. */
export function simdDepthwiseForward(backend: WasmBackend, x: TensorInfo, filter: TensorInfo, strides: Pair,
  dilations: Pair, pad: PadAttr, rounding: Rounding): TensorInfo {
  assertMultiplierOne(filter.shape as Shape4, 'DepthwiseConv2dNative');
  const {info, extent} = geometry(x.shape as Shape4, filter.shape as Shape4, strides, dilations, pad, rounding, true);
  const placement = forwardPlacement(info, strides, extent);
  const y = simdDepthwiseConv(heap(backend, x), x.shape, placement, heap(backend, filter),
    {kh: info.filterHeight, kw: info.filterWidth, outH: info.outHeight, outW: info.outWidth, strides, dilations}, false);
  return output(backend, info.outShape, y);
}

/** DepthwiseConv2dNativeBackpropInput on the SIMD module: zero insertion and padding happen while packing dy. */
export function simdDepthwiseBackpropInput(backend: WasmBackend, dy: TensorInfo, filter: TensorInfo,
  inputShape: Shape4, strides: Pair, dilations: Pair, pad: PadAttr, rounding: Rounding): TensorInfo {
  assertMultiplierOne(filter.shape as Shape4, 'DepthwiseConv2dNativeBackpropInput');
  const {info, extent} = geometry(inputShape, filter.shape as Shape4, strides, dilations, pad, rounding, true);
  const placement = {
    rows: info.inHeight + extent[0] - 1, cols: info.inWidth + extent[1] - 1,
    top: extent[0] - 1 - info.padInfo.top, left: extent[1] - 1 - info.padInfo.left, stepH: strides[0], stepW: strides[1],
  };
  const dx = simdDepthwiseConv(heap(backend, dy), dy.shape, placement, heap(backend, filter),
    {kh: info.filterHeight, kw: info.filterWidth, outH: info.inHeight, outW: info.inWidth, strides: [1, 1], dilations}, true);
  return output(backend, inputShape, dx);
}

/** DepthwiseConv2dNativeBackpropFilter on the SIMD module. */
export function simdDepthwiseBackpropFilter(backend: WasmBackend, x: TensorInfo, dy: TensorInfo,
  filterShape: Shape4, strides: Pair, dilations: Pair, pad: PadAttr, rounding: Rounding): TensorInfo {
  assertMultiplierOne(filterShape, 'DepthwiseConv2dNativeBackpropFilter');
  const {info, extent} = geometry(x.shape as Shape4, filterShape, strides, dilations, pad, rounding, true);
  const placement = forwardPlacement(info, strides, extent);
  const dw = simdDepthwiseFilterGrad(heap(backend, x), x.shape, placement, heap(backend, dy),
    {kh: info.filterHeight, kw: info.filterWidth, outH: info.outHeight, outW: info.outWidth, strides, dilations});
  return output(backend, filterShape, dw);
}

/** Conv2DBackpropFilter on the SIMD module (dense kernels, any stride and dilation). */
export function simdConv2dBackpropFilter(backend: WasmBackend, x: TensorInfo, dy: TensorInfo,
  filterShape: Shape4, strides: Pair, dilations: Pair, pad: PadAttr, rounding: Rounding): TensorInfo {
  const {info, extent} = geometry(x.shape as Shape4, filterShape, strides, dilations, pad, rounding, false);
  const placement = forwardPlacement(info, strides, extent);
  const dw = simdConvFilterGrad(heap(backend, x), x.shape, placement, heap(backend, dy), filterShape[3],
    {kh: info.filterHeight, kw: info.filterWidth, outH: info.outHeight, outW: info.outWidth, strides, dilations});
  return output(backend, filterShape, dw);
}
