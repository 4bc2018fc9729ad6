// Seeded initialisers for the weights of the custom layers. TF.js initialisers without a seed draw from
// the unseeded global generator; every one here takes a seed derived from the layer's own seed, so a model built twice from the
// same config and seed has the same weights.
import * as tf from '@tensorflow/tfjs';

export type Initializer = ReturnType<typeof tf.initializers.zeros>;

/** He (Kaiming) normal with an explicit fan-in: TF.js computes the fan-in of depthwise kernels as if dense. */
export function heNormal(fanIn: number, seed: number): Initializer {
  return tf.initializers.randomNormal({mean: 0, stddev: Math.sqrt(2 / Math.max(1, fanIn)), seed});
}

export function uniform(limit: number, seed: number): Initializer {
  return tf.initializers.randomUniform({minval: -limit, maxval: limit, seed});
}

export const zeros = (): Initializer => tf.initializers.zeros();
export const ones = (): Initializer => tf.initializers.ones();

/** A distinct, deterministic seed for the i-th weight of a layer seeded with `seed`. */
export function subSeed(seed: number, i: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 31) + i * 7919) >>> 0;
}
