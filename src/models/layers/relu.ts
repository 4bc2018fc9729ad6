// ReLU as a layer that keeps its output, not its input, for the backward pass (see frugal-ops.ts).
import * as tf from '@tensorflow/tfjs';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types.js';
import {reluKeepingOutput} from './frugal-ops.js';

export class ReLU extends tf.layers.Layer {
  // Not 'ReLU': that name belongs to tf.layers.reLU in the serialisation registry.
  static className = 'ReLUKeepingOutput';

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return reluKeepingOutput(Array.isArray(inputs) ? inputs[0]! : inputs);
  }
}
tf.serialization.registerClass(ReLU);
