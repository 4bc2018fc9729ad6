// Batch normalisation for every model: the BatchNorm layer and the composite custom layers (ReDWConv, LD,
// AttentionGate), which own their weights instead of nesting TF.js layers. Same arithmetic as
// tf.layers.batchNormalization with the project's conventions: epsilon 1e-5, momentum 0.9 (running = 0.9 *
// running + 0.1 * batch, biased batch variance).
//
// In training the normalisation is one custom-gradient op that keeps only its input (and two per-channel
// vectors) for the backward pass. Composed from TF.js ops (moments, then batchNorm) it kept the input, the
// centred input and its square: three feature maps per BN, the largest item of a training step's memory.
import * as tf from '@tensorflow/tfjs';
import type {LayerVariable} from '@tensorflow/tfjs';
import {batchNormTrainingGradOnNative, batchNormTrainingOnNative} from '../../engine/wasm/batch-norm-training.js';
import {ones, zeros, type Initializer} from './weight-init.js';

export const BN_EPSILON = 1e-5;
export const BN_MOMENTUM = 0.9;

/** Adds one weight to the layer that owns it (Layer.addWeight is protected, so the layer passes this in). */
export type AddWeight = (name: string, shape: number[], init: Initializer, trainable?: boolean) => LayerVariable;

export class BatchNormParams {
  readonly gamma: LayerVariable;
  readonly beta: LayerVariable;
  readonly movingMean: LayerVariable;
  readonly movingVariance: LayerVariable;

  /** Weights `${prefix}.gamma`, ...; with an empty prefix just `gamma`, ... (a layer of its own). */
  constructor(add: AddWeight, prefix: string, channels: number) {
    const name = (w: string) => (prefix ? `${prefix}.${w}` : w);
    this.gamma = add(name('gamma'), [channels], ones());
    this.beta = add(name('beta'), [channels], zeros());
    this.movingMean = add(name('moving_mean'), [channels], zeros(), false);
    this.movingVariance = add(name('moving_variance'), [channels], ones(), false);
  }

  /** Normalises over every axis but the last (channels). In training, also updates the running statistics. */
  apply(x: tf.Tensor, training: boolean): tf.Tensor {
    const gamma = this.gamma.read() as tf.Tensor1D;
    const beta = this.beta.read() as tf.Tensor1D;
    if (!training) {
      return tf.batchNorm(x, this.movingMean.read() as tf.Tensor1D, this.movingVariance.read() as tf.Tensor1D, beta, gamma, BN_EPSILON);
    }
    return batchNormTraining(x, gamma, beta, BN_EPSILON, (mean, variance) => {
      this.movingMean.write(tf.add(tf.mul(this.movingMean.read(), BN_MOMENTUM), tf.mul(mean, 1 - BN_MOMENTUM)));
      this.movingVariance.write(tf.add(tf.mul(this.movingVariance.read(), BN_MOMENTUM), tf.mul(variance, 1 - BN_MOMENTUM)));
    });
  }

  /** The inference-mode BN as y = x * scale + shift: scale = gamma / sqrt(var + eps), shift = beta - mean * scale. */
  scaleShift(): {scale: tf.Tensor1D; shift: tf.Tensor1D} {
    return tf.tidy(() => {
      const scale = tf.div(this.gamma.read(), tf.sqrt(tf.add(this.movingVariance.read(), BN_EPSILON))) as tf.Tensor1D;
      const shift = tf.sub(this.beta.read(), tf.mul(this.movingMean.read(), scale)) as tf.Tensor1D;
      return {scale, shift};
    });
  }
}

/**
 * Training-mode batch norm over every axis but the last, with batch statistics: gamma (x - mean) / sqrt(var +
 * eps) + beta. `onStatistics` receives the batch mean and (biased) variance, to update running statistics.
 * Gradient (N values per channel, xhat the normalised input): dbeta = sum dy, dgamma = sum dy xhat,
 * dx = gamma / sqrt(var + eps) (dy - dbeta / N - xhat dgamma / N).
 */
export function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number,
  onStatistics: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void): tf.Tensor {
  const axes = Array.from({length: x.rank - 1}, (_, i) => i);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, g, b] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    // On the wasm backend with the oneDNN addon: one kernel for the statistics and the map (batch-norm-training.ts).
    const native = batchNormTrainingOnNative(input, g, b, epsilon);
    const mean = native?.mean ?? tf.mean(input, axes) as tf.Tensor1D;
    const centred = native ? undefined : tf.sub(input, mean);
    const variance = native?.variance ?? tf.mean(tf.square(centred!), axes) as tf.Tensor1D;
    const invStd = tf.rsqrt(tf.add(variance, epsilon)) as tf.Tensor1D;
    onStatistics(mean, variance);
    save([input, mean, invStd, g]);
    return {
      value: native?.y ?? tf.add(tf.mul(centred!, tf.mul(invStd, g)), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const [xs, m, s, gs] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const onNative = batchNormTrainingGradOnNative(dy, xs, m, s, gs);
        if (onNative) return [onNative.dx, onNative.dgamma, onNative.dbeta];
        const n = dy.size / dy.shape[dy.rank - 1]!;
        const xhat = tf.mul(tf.sub(xs, m), s);
        const dbeta = tf.sum(dy, axes);
        const dgamma = tf.sum(tf.mul(dy, xhat), axes);
        const dx = tf.mul(tf.sub(tf.sub(dy, tf.div(dbeta, n)), tf.mul(xhat, tf.div(dgamma, n))), tf.mul(gs, s));
        return [dx, dgamma, dbeta];
      }),
    };
  });
  return op(x, gamma, beta);
}
