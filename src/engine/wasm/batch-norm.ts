// FusedBatchNorm for the wasm backend on the native addon. The built-in kernel took 4.6 ms on [1, 128, 128, 16]
// (most of U-Net's batch-1 latency went to its normalisations). The addon computes TF.js's formula in double,
// as the cpu backend does: y = offset + (x - mean) * scale / sqrt(variance + epsilon), bit for bit the cpu's.
import {util, type TensorInfo} from '@tensorflow/tfjs-core';
import type {WasmBackend} from './backend-ops.js';
import {heapF32, nativeInto} from './native-output.js';

/** The inputs of FusedBatchNorm; offset and scale are optional. */
export interface BatchNormInputs {
  x: TensorInfo;
  mean: TensorInfo;
  variance: TensorInfo;
  offset?: TensorInfo;
  scale?: TensorInfo;
}

/**
 * FusedBatchNorm of float32 x [..., C] with vectors of length 1 or C (read modulo their length, as TF.js does);
 * null for other shapes or dtypes, or when the native path is off (the caller runs the built-in kernel).
 */
export function nativeBatchNorm(backend: WasmBackend, inputs: BatchNormInputs, epsilon: number): TensorInfo | null {
  const {x, mean, variance, offset, scale} = inputs;
  const channels = x.shape[x.shape.length - 1] ?? 1;
  const vectors = [mean, variance, offset, scale].filter((v): v is TensorInfo => v !== undefined);
  if (x.dtype !== 'float32' || vectors.some((v) => v.dtype !== 'float32')) return null;
  if (vectors.some((v) => {
    const size = util.sizeFromShape(v.shape);
    return size !== 1 && size !== channels;
  })) return null;
  return nativeInto(backend, x.shape, (addon, out) => addon.batchNorm(heapF32(backend, x), heapF32(backend, mean),
    heapF32(backend, variance), offset ? heapF32(backend, offset) : null, scale ? heapF32(backend, scale) : null, heapF32(backend, out), epsilon));
}
