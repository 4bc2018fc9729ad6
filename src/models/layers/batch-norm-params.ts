// Batch normalisation inside the composite custom layers (ReDWConv, LD, AttentionGate), which own their
// weights instead of nesting TF.js layers. Same arithmetic as tf.layers.batchNormalization with the project's
// conventions: epsilon 1e-5, momentum 0.9 (running = 0.9 * running + 0.1 * batch).
import * as tf from '@tensorflow/tfjs';
import type {LayerVariable} from '@tensorflow/tfjs';
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

  constructor(add: AddWeight, prefix: string, channels: number) {
    this.gamma = add(`${prefix}.gamma`, [channels], ones());
    this.beta = add(`${prefix}.beta`, [channels], zeros());
    this.movingMean = add(`${prefix}.moving_mean`, [channels], zeros(), false);
    this.movingVariance = add(`${prefix}.moving_variance`, [channels], ones(), false);
  }

  /** Normalises over every axis but the last (channels). In training, also updates the running statistics. */
  apply(x: tf.Tensor, training: boolean): tf.Tensor {
    const gamma = this.gamma.read() as tf.Tensor1D;
    const beta = this.beta.read() as tf.Tensor1D;
    if (!training) {
      return tf.batchNorm(x, this.movingMean.read() as tf.Tensor1D, this.movingVariance.read() as tf.Tensor1D, beta, gamma, BN_EPSILON);
    }
    const axes = Array.from({length: x.rank - 1}, (_, i) => i);
    const {mean, variance} = tf.moments(x, axes);
    tf.tidy(() => {
      this.movingMean.write(tf.add(tf.mul(this.movingMean.read(), BN_MOMENTUM), tf.mul(mean, 1 - BN_MOMENTUM)));
      this.movingVariance.write(tf.add(tf.mul(this.movingVariance.read(), BN_MOMENTUM), tf.mul(variance, 1 - BN_MOMENTUM)));
    });
    return tf.batchNorm(x, mean, variance, beta, gamma, BN_EPSILON);
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
