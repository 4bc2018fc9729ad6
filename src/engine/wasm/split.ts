// SplitV for the wasm backend on the native addon: x read as [outer, inner] and copied row by row into each part
// (Concat's inverse, and its gradient). The built-in kernel, one strided slice per part, took 12-19 ms per U-Net
// step to split [4, 128, 128, 48] into its up-sampled and skip channels.
import {backend_util, util, type TensorInfo} from '@tensorflow/tfjs-core';
import type {WasmBackend} from './backend-ops.js';
import {heapF32, nativeIntoEach} from './native-output.js';

/**
 * x split along `axis` (negative counts from the end) into parts of `numOrSizeSplits` (a count of equal parts, or
 * their sizes, one of them -1 for the rest: TF.js's SplitV attributes); null for other dtypes, a rank-0 x, or when
 * the native path is off (the caller runs the built-in kernel). Throws TF.js's own error for sizes that do not add up.
 */
export function nativeSplitV(backend: WasmBackend, x: TensorInfo, numOrSizeSplits: number | number[], axis: number): TensorInfo[] | null {
  if (x.dtype !== 'float32' || x.shape.length === 0) return null;
  const $axis = util.parseAxisParam(axis, x.shape)[0]!;
  const sizes = backend_util.prepareSplitSize(x, numOrSizeSplits, $axis);
  const shapes = sizes.map((size) => x.shape.map((d, i) => (i === $axis ? size : d)));
  const outer = util.sizeFromShape(x.shape.slice(0, $axis));
  const inners = shapes.map((shape) => util.sizeFromShape(shape.slice($axis)));
  return nativeIntoEach(backend, shapes, (addon, outs) => addon.split(heapF32(backend, x), inners, outs.map((o) => heapF32(backend, o)), outer));
}
