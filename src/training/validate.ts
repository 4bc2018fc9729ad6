// Model inference over prepared images, and the per-epoch validation score: per-image Dice at the prepared
// resolution (cheap; the run's reported metrics are computed at each image's original resolution instead).
import * as tf from '@tensorflow/tfjs';
import type {PreparedDataset} from '../datasets/prepared-dataset.js';

/**
 * Foreground probabilities (sigmoid of the model's logits) of the given samples, in inference mode, batch by batch:
 * one Float32Array of size x size (row-major, the prepared size) per index, in order. Disposes its tensors.
 */
export function predictProbabilities(model: tf.LayersModel, dataset: PreparedDataset, indices: readonly number[], batchSize: number): Float32Array[] {
  const size = dataset.size;
  const out: Float32Array[] = [];
  for (let start = 0; start < indices.length; start += batchSize) {
    const chunk = indices.slice(start, start + batchSize);
    const probs = tf.tidy(() => {
      const x = tf.tensor4d(dataset.imagesFloat32(chunk), [chunk.length, size, size, 3]);
      return tf.sigmoid(model.apply(x, {training: false}) as tf.Tensor4D);
    });
    const values = probs.dataSync() as Float32Array;
    probs.dispose();
    for (let k = 0; k < chunk.length; k++) out.push(values.slice(k * size * size, (k + 1) * size * size));
  }
  return out;
}

/** Dice of a probability map thresholded as src/evaluation does (p >= threshold) against a binary mask; both empty counts as 1. */
export function diceOf(probabilities: Float32Array, mask: Uint8Array, threshold: number): number {
  let tp = 0;
  let predicted = 0;
  let actual = 0;
  for (let i = 0; i < mask.length; i++) {
    const p = probabilities[i]! >= threshold ? 1 : 0;
    predicted += p;
    actual += mask[i]!;
    tp += p & mask[i]!;
  }
  return predicted + actual === 0 ? 1 : (2 * tp) / (predicted + actual);
}

/**
 * Mean per-image Dice at the prepared size (not the original resolution: cheap, for choosing `best` each epoch),
 * foreground where p >= threshold; 0 when `indices` is empty.
 */
export function meanDiceAtPreparedSize(model: tf.LayersModel, dataset: PreparedDataset, indices: readonly number[], batchSize: number, threshold: number): number {
  const probabilities = predictProbabilities(model, dataset, indices, batchSize);
  let sum = 0;
  probabilities.forEach((p, k) => {
    sum += diceOf(p, dataset.maskBytes(indices[k]!), threshold);
  });
  return sum / Math.max(1, indices.length);
}
