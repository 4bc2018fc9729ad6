// Sum and Mean over a contiguous run of axes, for the wasm backend, on the native addon where it is active. The
// built-in kernels reduce the innermost axes only, so reducing NHWC over [0, 1, 2] (every batch normalisation's
// moments and its gradient) first transposed the whole tensor. The addon reads the input as [outer, reduced, inner]
// and sums in place, in float64 (each output rounds once, as the cpu backend's float64 accumulator does).
import {backend_util, util, type TensorInfo} from '@tensorflow/tfjs-core';
import type {WasmBackend} from './backend-ops.js';
import {heapF32, nativeInto} from './native-output.js';

/**
 * Sum (or Mean when `mean`) of float32 `x` over `axis` when those axes are one contiguous run not ending at the
 * last axis; null otherwise, or when the addon is not active (the caller runs the built-in kernel, which is fast
 * for innermost reductions). Output shape as TF.js defines it (kept axes, or 1s in place with keepDims).
 */
export function nativeReduce(backend: WasmBackend, x: TensorInfo, axis: number | number[], keepDims: boolean, mean: boolean): TensorInfo | null {
  if (x.dtype !== 'float32') return null;
  const axes = [...util.parseAxisParam(axis, x.shape)].sort((a, b) => a - b);
  if (axes.length === 0) return null;
  for (let i = 1; i < axes.length; i++) if (axes[i] !== axes[i - 1]! + 1) return null;
  const first = axes[0]!;
  const last = axes[axes.length - 1]!;
  if (last === x.shape.length - 1) return null;
  const outer = util.sizeFromShape(x.shape.slice(0, first));
  const reduced = util.sizeFromShape(x.shape.slice(first, last + 1));
  const inner = util.sizeFromShape(x.shape.slice(last + 1));
  const [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
  const shape = keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
  return nativeInto(backend, shape, (addon, out) => addon.reduceSum(heapF32(backend, x), heapF32(backend, out), outer, reduced, inner, mean));
}
