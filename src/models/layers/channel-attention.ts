// EMCAD's channel attention block, CAB (CBAM's channel attention, Woo et al. 2018): the map's global average and
// global max, each through the same 1x1 conv (C -> C / r, no bias) -> ReLU -> 1x1 conv (C / r -> C, no bias),
// added, sigmoid; the layer outputs x scaled by it. r = 16, or C when C < 16.
import * as tf from '@tensorflow/tfjs';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types.js';
import type {CountsOwnMacs} from './own-macs.js';
import {heNormal, subSeed} from './weight-init.js';

export const CAB_RATIO = 16;

/** Hidden channels of CAB on C channels: C / 16, or 1 when C < 16 (integer division, as the reference). */
export function cabHiddenChannels(c: number): number {
  return Math.floor(c / (c < CAB_RATIO ? c : CAB_RATIO));
}

/** [B, H, W, C] -> x * sigmoid(mlp(avg) + mlp(max)). Weights `fc1.kernel` [1, 1, C, C / r], `fc2.kernel` [1, 1, C / r, C]. */
export class ChannelAttention extends tf.layers.Layer implements CountsOwnMacs {
  static className = 'EmcadChannelAttention';
  readonly seed: number;
  private fc1!: tf.LayerVariable;
  private fc2!: tf.LayerVariable;

  constructor(args: {seed?: number; name?: string}) {
    super(args.name === undefined ? {} : {name: args.name});
    this.seed = args.seed ?? 0;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const c = (inputShape as tf.Shape)[3]!;
    const hidden = cabHiddenChannels(c);
    this.fc1 = this.addWeight('fc1.kernel', [1, 1, c, hidden], 'float32', heNormal(c, subSeed(this.seed, 0)));
    this.fc2 = this.addWeight('fc2.kernel', [1, 1, hidden, c], 'float32', heNormal(hidden, subSeed(this.seed, 1)));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const [b, , , c] = x.shape;
      // Both pooled vectors through the shared MLP as one batch of 2B.
      const pooled = tf.concat([tf.mean(x, [1, 2], true), tf.max(x, [1, 2], true)], 0) as tf.Tensor4D;
      const hidden = tf.relu(tf.conv2d(pooled, this.fc1.read() as tf.Tensor4D, 1, 'valid')) as tf.Tensor4D;
      const [avg, max] = tf.split(tf.conv2d(hidden, this.fc2.read() as tf.Tensor4D, 1, 'valid'), [b, b], 0);
      return tf.mul(x, tf.reshape(tf.sigmoid(tf.add(avg!, max!)), [b, 1, 1, c]));
    });
  }

  macsPerImage(inputShapes: number[][]): Record<string, number> {
    const [, , c] = inputShapes[0]!;
    return {conv_1x1: 2 * 2 * c! * cabHiddenChannels(c!)};
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), seed: this.seed};
  }
}
tf.serialization.registerClass(ChannelAttention);
