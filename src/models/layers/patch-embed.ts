// PVTv2's overlapping patch embedding (Wang et al. 2022): a k x k convolution with stride s, padding k // 2 on
// every side (PyTorch's, not TF.js's 'same', which pads less on top for stride 4) and a bias, then LayerNorm over
// channels (epsilon 1e-5). Stage 1: 7x7 stride 4; stages 2-4: 3x3 stride 2.
import * as tf from '@tensorflow/tfjs';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types.js';
import {layerNorm} from './layer-norm.js';
import type {CountsOwnMacs} from './own-macs.js';
import {heNormal, ones, subSeed, zeros} from './weight-init.js';

export const PATCH_EMBED_EPSILON = 1e-5;

export interface OverlapPatchEmbedArgs {
  filters: number;
  kernelSize: number;
  strides: number;
  seed?: number;
  name?: string;
}

/** Output side of a k x k, stride s convolution with padding k // 2 on an n-pixel side (PyTorch's formula). */
export function patchEmbedSide(n: number, kernelSize: number, strides: number): number {
  return Math.floor((n + 2 * Math.floor(kernelSize / 2) - kernelSize) / strides) + 1;
}

/**
 * [B, H, W, C_in] -> [B, H', W', filters], H' = floor((H + 2 (k // 2) - k) / s) + 1. Weights `proj.kernel`
 * [k, k, C_in, F], `proj.bias` [F], `norm.gamma`, `norm.beta` [F].
 */
export class OverlapPatchEmbed extends tf.layers.Layer implements CountsOwnMacs {
  static className = 'OverlapPatchEmbed';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly seed: number;
  private kernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;
  private gamma!: tf.LayerVariable;
  private beta!: tf.LayerVariable;

  constructor(args: OverlapPatchEmbedArgs) {
    super(args.name === undefined ? {} : {name: args.name});
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.strides = args.strides;
    this.seed = args.seed ?? 0;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const cin = (inputShape as tf.Shape)[3]!;
    const k = this.kernelSize;
    // PVTv2 initialises convolutions with fan-out He normal.
    this.kernel = this.addWeight('proj.kernel', [k, k, cin, this.filters], 'float32', heNormal(k * k * this.filters, subSeed(this.seed, 0)));
    this.bias = this.addWeight('proj.bias', [this.filters], 'float32', zeros());
    this.gamma = this.addWeight('norm.gamma', [this.filters], 'float32', ones());
    this.beta = this.addWeight('norm.beta', [this.filters], 'float32', zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const p = Math.floor(this.kernelSize / 2);
      const y = tf.fused.conv2d({x, filter: this.kernel.read() as tf.Tensor4D, strides: this.strides, pad: [[0, 0], [p, p], [p, p], [0, 0]], bias: this.bias.read()});
      return layerNorm(y, this.gamma.read() as tf.Tensor1D, this.beta.read() as tf.Tensor1D, PATCH_EMBED_EPSILON);
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = inputShape as tf.Shape;
    const side = (n: number | null) => (n === null ? null : patchEmbedSide(n, this.kernelSize, this.strides));
    return [s[0]!, side(s[1]!), side(s[2]!), this.filters];
  }

  macsPerImage(inputShapes: number[][]): Record<string, number> {
    const [h, w, cin] = inputShapes[0]!;
    const k = this.kernelSize;
    const out = patchEmbedSide(h!, k, this.strides) * patchEmbedSide(w!, k, this.strides);
    return {[`conv_${k}x${k}`]: out * this.filters * cin! * k * k};
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, strides: this.strides, seed: this.seed};
  }
}
tf.serialization.registerClass(OverlapPatchEmbed);
