// Shared by the model tests: the wasm backend, seeded random tensors, and random BN statistics.
import * as tf from '@tensorflow/tfjs';
import {activateBackend} from '../../src/engine/backends.js';
import {SeededRandom} from '../../src/io/random.js';

let ready: Promise<void> | undefined;
export function useWasm(): Promise<void> {
  ready ??= activateBackend('wasm');
  return ready;
}

export function randomTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  const rng = SeededRandom.stream('test-tensor', seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.fillNormal(new Float32Array(n), 0, scale), shape);
}

export function randomImage(batch: number, size: number, seed: number, channels = 3): tf.Tensor4D {
  const rng = SeededRandom.stream('test-image', seed);
  const x = new Float32Array(batch * size * size * channels);
  for (let i = 0; i < x.length; i++) x[i] = rng.float();
  return tf.tensor4d(x, [batch, size, size, channels]);
}

/**
 * Random values for every normalisation weight (gamma, beta, running mean, running variance > 0), so that
 * BN folding is tested on statistics other than the 0/1 defaults.
 */
export function randomiseNormalisation(layers: tf.layers.Layer[], seed: number): void {
  const rng = SeededRandom.stream('bn-stats', seed);
  for (const layer of layers) {
    const weights = layer.weights;
    if (weights.length === 0) continue;
    const values = weights.map((w) => {
      const n = w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
      const data = new Float32Array(n);
      const name = w.originalName;
      for (let i = 0; i < n; i++) {
        if (/moving_variance$/.test(name)) data[i] = 0.5 + rng.float();
        else if (/moving_mean$/.test(name)) data[i] = rng.normal(0, 0.5);
        else if (/gamma$/.test(name)) data[i] = 0.5 + rng.float();
        else if (/beta$/.test(name)) data[i] = rng.normal(0, 0.3);
        else return w.read();
      }
      return tf.tensor(data, w.shape as number[]);
    });
    layer.setWeights(values);
  }
}

export async function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = (await d.data())[0]!;
  d.dispose();
  return v;
}

/** Applies a single layer to a concrete tensor (builds it on first use). */
export function applyLayer(layer: tf.layers.Layer, x: tf.Tensor | tf.Tensor[], training = false): tf.Tensor {
  return layer.apply(x, {training}) as tf.Tensor;
}

export function paramCount(layer: tf.layers.Layer, trainableOnly = true): number {
  return (trainableOnly ? layer.trainableWeights : layer.weights).reduce((a, w) => a + (w.shape as number[]).reduce((p, d) => p * d, 1), 0);
}
