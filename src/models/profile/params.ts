// Parameter counts. "Trainable" matches PyTorch's parameters(); BN running statistics are the non-trainable
// rest (PyTorch buffers).
import type * as tf from '@tensorflow/tfjs';

export interface ParamCounts {
  trainable: number;
  nonTrainable: number;
  total: number;
  /** Trainable parameters by block: 'enc.2', 'skip.0', 'dec.1', 'head', ... */
  byBlock: Record<string, number>;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The block a layer belongs to: the first two dot-separated parts of its name ('enc.2.mis.1.mie' -> 'enc.2'). */
export function blockOf(layerName: string): string {
  const parts = layerName.split('.');
  return /^\d+$/.test(parts[1] ?? '') ? `${parts[0]}.${parts[1]}` : parts[0]!;
}

export function countParams(model: tf.LayersModel): ParamCounts {
  let trainable = 0;
  let nonTrainable = 0;
  const byBlock: Record<string, number> = {};
  for (const layer of model.layers) {
    const t = layer.trainableWeights.reduce((a, w) => a + size(w.shape as number[]), 0);
    trainable += t;
    nonTrainable += layer.nonTrainableWeights.reduce((a, w) => a + size(w.shape as number[]), 0);
    if (t > 0) byBlock[blockOf(layer.name)] = (byBlock[blockOf(layer.name)] ?? 0) + t;
  }
  return {trainable, nonTrainable, total: trainable + nonTrainable, byBlock};
}
