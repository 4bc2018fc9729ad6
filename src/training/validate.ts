// Model inference over prepared images, and the per-epoch validation score: per-image Dice at the prepared
// resolution (cheap; the run's reported metrics are computed at each image's original resolution instead).
import * as tf from '@tensorflow/tfjs';
import type {PreparedDataset} from '../datasets/prepared-dataset.js';
import {confusionCounts} from '../evaluation/confusion.js';
import {overlapMetrics} from '../evaluation/overlap.js';
import {inferenceLogits, type InferenceMap} from '../models/heads.js';

/**
 * Foreground probabilities (sigmoid of the model's logits) of the given samples, in inference mode, batch by batch:
 * one Float32Array of size x size (row-major, the prepared size) per index, in order. A model with several outputs
 * needs `inference`, the map to take (inferenceLogits: one head or their sum); a single-output model (an inference
 * form, inferenceGraph) ignores it. Disposes its tensors. Reads each batch back asynchronously (a synchronous read
 * fails on webgpu in Node).
 */
export async function predictProbabilities(model: tf.LayersModel, dataset: PreparedDataset, indices: readonly number[], batchSize: number, inference?: InferenceMap): Promise<Float32Array[]> {
  const size = dataset.size;
  const out: Float32Array[] = [];
  for (let start = 0; start < indices.length; start += batchSize) {
    const chunk = indices.slice(start, start + batchSize);
    const probs = tf.tidy(() => {
      const x = tf.tensor4d(dataset.imagesFloat32(chunk), [chunk.length, size, size, 3]);
      return tf.sigmoid(inferenceLogits(model.apply(x, {training: false}) as tf.Tensor | tf.Tensor[], inference));
    });
    let values: Float32Array;
    try {
      values = await probs.data() as Float32Array;
    } finally {
      probs.dispose();
    }
    for (let k = 0; k < chunk.length; k++) out.push(values.slice(k * size * size, (k + 1) * size * size));
  }
  return out;
}

/**
 * Mean over `indices` of the per-image Dice at the prepared size, each computed by src/evaluation (probability >=
 * `threshold` is foreground; both masks empty scores 1, exactly one empty 0), in inference mode, of the `inference`
 * map (see predictProbabilities). Throws (RangeError) when the model outputs NaN.
 */
export async function meanDiceAtPreparedSize(model: tf.LayersModel, dataset: PreparedDataset, indices: readonly number[], batchSize: number, threshold: number, inference?: InferenceMap): Promise<number> {
  const probabilities = await predictProbabilities(model, dataset, indices, batchSize, inference);
  const shape = {height: dataset.size, width: dataset.size};
  let sum = 0;
  probabilities.forEach((p, k) => {
    sum += overlapMetrics(confusionCounts(p, dataset.maskBytes(indices[k]!), shape, threshold)).dice;
  });
  return sum / Math.max(1, indices.length);
}
