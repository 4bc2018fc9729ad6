// Batch normalisation as a layer of its own (after the plain convolutions of every family), with the weights
// and names of tf.layers.batchNormalization ('gamma', 'beta', 'moving_mean', 'moving_variance') and the
// memory-frugal training op of batch-norm-params.ts.
import * as tf from '@tensorflow/tfjs';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types.js';
import {BatchNormParams, type AddWeight} from './batch-norm-params.js';

export class BatchNorm extends tf.layers.Layer {
  static className = 'BatchNorm';
  private params!: BatchNormParams;

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const add: AddWeight = (name, s, init, trainable = true) => this.addWeight(name, s, 'float32', init, undefined, trainable);
    this.params = new BatchNormParams(add, '', shape[shape.length - 1]!);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => this.params.apply(Array.isArray(inputs) ? inputs[0]! : inputs, kwargs['training'] === true));
  }

  /** The inference-mode map y = x * scale + shift, per channel ([C] each; new tensors the caller disposes). */
  inferenceScaleShift(): {scale: tf.Tensor1D; shift: tf.Tensor1D} {
    return this.params.scaleShift();
  }
}
tf.serialization.registerClass(BatchNorm);
