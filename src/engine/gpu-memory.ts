// GPU memory held by the webgpu backend, as TF.js's buffer manager counts it (tf.memory() on webgpu carries
// numBytesInGPU and numBytesAllocatedInGPU). The manager keeps released buffers in a pool for reuse (keyed by size
// and usage) and destroys only upload staging buffers, so after a training step `allocatedBytes` is the pool's
// high-water mark: the GPU memory the step made TF.js hold, the counterpart of the wasm heap on the CPU path.
import * as tf from '@tensorflow/tfjs-core';

export interface GpuMemory {
  /** Bytes of GPU buffers TF.js holds, in use or pooled for reuse (numBytesAllocatedInGPU): its high-water mark. */
  allocatedBytes: number;
  /** Bytes of GPU buffers in use by live tensors and pending work now (numBytesInGPU). */
  inUseBytes: number;
}

/** The webgpu backend's GPU memory (see GpuMemory); null on every other backend. */
export function gpuMemory(): GpuMemory | null {
  if (tf.getBackend() !== 'webgpu') return null;
  const info = tf.memory() as tf.MemoryInfo & {numBytesInGPU?: number; numBytesAllocatedInGPU?: number};
  if (typeof info.numBytesAllocatedInGPU !== 'number' || typeof info.numBytesInGPU !== 'number') return null;
  return {allocatedBytes: info.numBytesAllocatedInGPU, inUseBytes: info.numBytesInGPU};
}
