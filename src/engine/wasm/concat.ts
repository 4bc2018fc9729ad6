// Concat for the wasm backend on the native addon: each input read as [outer, inner] and copied row by row. The
// built-in kernel took 2.9 ms to join [1, 128, 128, 32] and [1, 128, 128, 16] on the channel axis (U-Net's skips).
import {backend_util, util, type TensorInfo} from '@tensorflow/tfjs-core';
import type {WasmBackend} from './backend-ops.js';
import {heapF32, nativeInto} from './native-output.js';

/**
 * Concatenation of float32 tensors along `axis` (negative counts from the end); null for other dtypes or ranks, or
 * when the native path is off (the caller runs the built-in kernel).
 */
export function nativeConcat(backend: WasmBackend, inputs: TensorInfo[], axis: number): TensorInfo | null {
  if (inputs.length === 0 || inputs.some((t) => t.dtype !== 'float32' || t.shape.length !== inputs[0]!.shape.length)) return null;
  const rank = inputs[0]!.shape.length;
  if (rank === 0) return null;
  const $axis = util.parseAxisParam(axis, inputs[0]!.shape)[0]!;
  backend_util.assertParamsConsistent(inputs.map((t) => t.shape), $axis);
  const shape = backend_util.computeOutShape(inputs.map((t) => t.shape), $axis);
  const outer = util.sizeFromShape(shape.slice(0, $axis));
  const inners = inputs.map((t) => util.sizeFromShape(t.shape.slice($axis)));
  return nativeInto(backend, shape, (addon, out) => addon.concat(inputs.map((t) => heapF32(backend, t)), inners, heapF32(backend, out), outer));
}
