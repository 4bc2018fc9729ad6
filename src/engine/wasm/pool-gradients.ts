// AvgPoolGrad and MaxPoolGrad for the wasm backend, on the native addon (src/engine/native/dnnl.ts) where it is
// active. The built-in kernels took 41 ms for MIDM's 7x7 / stride-7 average pooling of [4, 128, 128, 16] and 27 ms
// for a 2x2 max pooling of the same map. The addon scatters each output's gradient into its window, adding into
// float64 accumulators in the order the cpu backend's gather adds (output rows, then columns), so the values equal
// the cpu backend's. Semantics are TF.js's: the average's gradient is dy / (filter height * filter width) for every
// window, padded or not; the maximum's goes to the first largest input of its window, in row-major order.
import {backend_util, type TensorInfo} from '@tensorflow/tfjs-core';
import type {WasmBackend} from './backend-ops.js';
import {heapF32, nativeInto} from './native-output.js';

type Shape4 = [number, number, number, number];

/** The attributes both pool gradients receive. */
export interface PoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * AvgPoolGrad (kind 'avg') or MaxPoolGrad ('max'): dx [n, h, w, c] from dy [n, oh, ow, c] and the pooling's input
 * (NHWC, float32). Null when the addon is not active or the dtypes are not float32 (the caller runs the built-in).
 */
export function nativePoolGrad(backend: WasmBackend, kind: 'avg' | 'max', dy: TensorInfo, input: TensorInfo, a: PoolGradAttrs): TensorInfo | null {
  if (dy.dtype !== 'float32' || input.dtype !== 'float32') return null;
  const info = backend_util.computePool2DInfo(input.shape as Shape4, a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  const geometry = [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left];
  return nativeInto(backend, input.shape, (addon, out) => addon.poolGrad(kind === 'avg' ? 0 : 1, heapF32(backend, dy),
    heapF32(backend, input), heapF32(backend, out), geometry));
}
