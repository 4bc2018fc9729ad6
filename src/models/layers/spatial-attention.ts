// EMCAD's spatial attention block, SAB (CBAM's spatial attention, Woo et al. 2018): the channel-wise mean and
// max, concatenated in that order (2 channels) -> k x k conv (no bias, 'same') -> sigmoid; the layer outputs x
// scaled by it. EMCAD shares one SAB between its four decoder stages: apply this layer at each (shared weights).
import * as tf from '@tensorflow/tfjs';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types.js';
import type {CountsOwnMacs} from './own-macs.js';
import {heNormal, subSeed} from './weight-init.js';

/** [B, H, W, C] -> x * sigmoid(conv([mean_c x, max_c x])). Weight `conv.kernel` [k, k, 2, 1]. */
export class SpatialAttention extends tf.layers.Layer implements CountsOwnMacs {
  static className = 'EmcadSpatialAttention';
  readonly kernelSize: number;
  readonly seed: number;
  private kernel!: tf.LayerVariable;

  constructor(args: {kernelSize?: number; seed?: number; name?: string}) {
    super(args.name === undefined ? {} : {name: args.name});
    this.kernelSize = args.kernelSize ?? 7;
    this.seed = args.seed ?? 0;
  }

  override build(_inputShape: tf.Shape | tf.Shape[]): void {
    const k = this.kernelSize;
    this.kernel = this.addWeight('conv.kernel', [k, k, 2, 1], 'float32', heNormal(2 * k * k, subSeed(this.seed, 0)));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const profile = tf.concat([tf.mean(x, 3, true), tf.max(x, 3, true)], 3) as tf.Tensor4D;
      return tf.mul(x, tf.sigmoid(tf.conv2d(profile, this.kernel.read() as tf.Tensor4D, 1, 'same')));
    });
  }

  macsPerImage(inputShapes: number[][]): Record<string, number> {
    const [h, w] = inputShapes[0]!;
    return {[`conv_${this.kernelSize}x${this.kernelSize}`]: h! * w! * 2 * this.kernelSize ** 2};
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), kernelSize: this.kernelSize, seed: this.seed};
  }
}
tf.serialization.registerClass(SpatialAttention);
