// The one way a wasm kernel runs on the native addon: a fresh output on the wasm heap, the addon writing into it
// in place, and on a refusal the output released and null returned, so that the caller runs its wasm kernel.
import type {DataType, TensorInfo} from '@tensorflow/tfjs-core';
import type {WasmBackend} from './backend-ops.js';
import {dnnlAddon, nativeCalls, type DnnlAddon} from '../native/dnnl.js';

/** A float32 view of a tensor on the wasm heap. Take views after makeOutput: allocating may grow the heap. */
export function heapF32(backend: WasmBackend, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/**
 * Runs `write(addon, out)` into a new output of `shape`; null when the native path is off or the addon refused
 * (counted in nativeCalls). Never throws for a refusal.
 */
export function nativeInto(backend: WasmBackend, shape: number[], write: (addon: DnnlAddon, out: TensorInfo) => void,
  dtype: DataType = 'float32'): TensorInfo | null {
  return nativeIntoEach(backend, [shape], (addon, [out]) => write(addon, out!), dtype)?.[0] ?? null;
}

/**
 * nativeInto for a kernel with several outputs: new outputs of `shapes`, all released on a refusal (null).
 */
export function nativeIntoEach(backend: WasmBackend, shapes: number[][], write: (addon: DnnlAddon, outs: TensorInfo[]) => void,
  dtype: DataType = 'float32'): TensorInfo[] | null {
  const addon = dnnlAddon();
  if (addon === null) return null;
  const outs = shapes.map((shape) => backend.makeOutput(shape, dtype));
  try {
    write(addon, outs);
    nativeCalls.ran++;
    return outs;
  } catch (error) {
    for (const out of outs) backend.disposeData(out.dataId);
    nativeCalls.refused++;
    nativeCalls.lastRefusal = error instanceof Error ? error.message : String(error);
    return null;
  }
}
