// PVTv2's MLP with a depthwise convolution (Wang et al. 2022): Linear(C, rC) -> depthwise 3x3 convolution with
// bias on the hidden map -> GELU (exact) -> Linear(rC, C).
import * as tf from '@tensorflow/tfjs';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types.js';
import {gelu} from './gelu.js';
import {linear} from './linear.js';
import type {CountsOwnMacs} from './own-macs.js';
import {linearInit} from './sr-attention.js';
import {heNormal, subSeed, zeros} from './weight-init.js';

export interface MixMLPArgs {
  /** Hidden width = ratio x C. */
  ratio: number;
  seed?: number;
  name?: string;
}

/**
 * [B, H, W, C] -> [B, H, W, C]. Weights `fc1.kernel` [C, rC], `fc1.bias`, `dw.kernel` [3, 3, rC, 1], `dw.bias`,
 * `fc2.kernel` [rC, C], `fc2.bias`.
 */
export class MixMLP extends tf.layers.Layer implements CountsOwnMacs {
  static className = 'MixMLP';
  readonly ratio: number;
  readonly seed: number;
  private fc1!: {kernel: tf.LayerVariable; bias: tf.LayerVariable};
  private dw!: {kernel: tf.LayerVariable; bias: tf.LayerVariable};
  private fc2!: {kernel: tf.LayerVariable; bias: tf.LayerVariable};

  constructor(args: MixMLPArgs) {
    super(args.name === undefined ? {} : {name: args.name});
    this.ratio = args.ratio;
    this.seed = args.seed ?? 0;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const c = (inputShape as tf.Shape)[3]!;
    const hidden = this.ratio * c;
    const add = (name: string, shape: number[], init: ReturnType<typeof zeros>) => this.addWeight(name, shape, 'float32', init);
    this.fc1 = {kernel: add('fc1.kernel', [c, hidden], linearInit(subSeed(this.seed, 0))), bias: add('fc1.bias', [hidden], zeros())};
    // PVTv2: fan-out He normal, which for a depthwise 3x3 is 9.
    this.dw = {kernel: add('dw.kernel', [3, 3, hidden, 1], heNormal(9, subSeed(this.seed, 1))), bias: add('dw.bias', [hidden], zeros())};
    this.fc2 = {kernel: add('fc2.kernel', [hidden, c], linearInit(subSeed(this.seed, 2))), bias: add('fc2.bias', [c], zeros())};
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const h = linear(x, this.fc1.kernel.read() as tf.Tensor2D, this.fc1.bias.read() as tf.Tensor1D) as tf.Tensor4D;
      const mixed = tf.fused.depthwiseConv2d({x: h, filter: this.dw.kernel.read() as tf.Tensor4D, strides: 1, pad: 'same', bias: this.dw.bias.read()});
      return linear(gelu(mixed), this.fc2.kernel.read() as tf.Tensor2D, this.fc2.bias.read() as tf.Tensor1D);
    });
  }

  macsPerImage(inputShapes: number[][]): Record<string, number> {
    const [h, w, c] = inputShapes[0]!;
    const n = h! * w!;
    const hidden = this.ratio * c!;
    return {dense: 2 * n * c! * hidden, dwconv: n * hidden * 9};
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), ratio: this.ratio, seed: this.seed};
  }
}
tf.serialization.registerClass(MixMLP);
