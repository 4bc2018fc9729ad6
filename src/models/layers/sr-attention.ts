// PVTv2's spatial-reduction attention (Wang et al. 2022) on the tokens of an NHWC map (each pixel a token).
// q = Linear(C, C)(x); with ratio R > 1 the keys and values come from the map reduced by a R x R, stride R
// convolution with bias and a LayerNorm (epsilon 1e-5); kv = Linear(C, 2C) (keys = its first C outputs);
// `heads` heads of C / heads channels, softmax(q k^T (C / heads)^-0.5) v, then Linear(C, C).
import * as tf from '@tensorflow/tfjs';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types.js';
import {layerNorm} from './layer-norm.js';
import {linear} from './linear.js';
import type {CountsOwnMacs} from './own-macs.js';
import {heNormal, ones, subSeed, zeros} from './weight-init.js';

export const REDUCTION_NORM_EPSILON = 1e-5;

export interface SRAttentionArgs {
  heads: number;
  /** Spatial-reduction ratio R (1 = no reduction); H and W must be divisible by it. */
  reduction: number;
  seed?: number;
  name?: string;
}

/** PVTv2's Linear initialisation: truncated normal with std 0.02, zero bias. */
export function linearInit(seed: number): ReturnType<typeof tf.initializers.truncatedNormal> {
  return tf.initializers.truncatedNormal({mean: 0, stddev: 0.02, seed});
}

/**
 * [B, H, W, C] -> [B, H, W, C]. Weights: `q.kernel` [C, C], `q.bias`, `kv.kernel` [C, 2C], `kv.bias`,
 * `proj.kernel` [C, C], `proj.bias` (Linear kernels are PyTorch's weights transposed); with R > 1 also
 * `sr.kernel` [R, R, C, C], `sr.bias`, `norm.gamma`, `norm.beta`. Throws at build when C % heads != 0.
 */
export class SRAttention extends tf.layers.Layer implements CountsOwnMacs {
  static className = 'SRAttention';
  readonly heads: number;
  readonly reduction: number;
  readonly seed: number;
  private w!: Record<'q' | 'kv' | 'proj', {kernel: tf.LayerVariable; bias: tf.LayerVariable}>;
  private sr: {kernel: tf.LayerVariable; bias: tf.LayerVariable; gamma: tf.LayerVariable; beta: tf.LayerVariable} | null = null;

  constructor(args: SRAttentionArgs) {
    super(args.name === undefined ? {} : {name: args.name});
    this.heads = args.heads;
    this.reduction = args.reduction;
    this.seed = args.seed ?? 0;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const c = (inputShape as tf.Shape)[3]!;
    if (c % this.heads !== 0) throw new Error(`SRAttention '${this.name}': ${c} channels are not divisible by ${this.heads} heads`);
    const dense = (name: string, cout: number, i: number) => ({
      kernel: this.addWeight(`${name}.kernel`, [c, cout], 'float32', linearInit(subSeed(this.seed, i))),
      bias: this.addWeight(`${name}.bias`, [cout], 'float32', zeros()),
    });
    this.w = {q: dense('q', c, 0), kv: dense('kv', 2 * c, 1), proj: dense('proj', c, 2)};
    if (this.reduction > 1) {
      const r = this.reduction;
      this.sr = {
        kernel: this.addWeight('sr.kernel', [r, r, c, c], 'float32', heNormal(r * r * c, subSeed(this.seed, 3))),
        bias: this.addWeight('sr.bias', [c], 'float32', zeros()),
        gamma: this.addWeight('norm.gamma', [c], 'float32', ones()),
        beta: this.addWeight('norm.beta', [c], 'float32', zeros()),
      };
    }
    this.built = true;
  }

  private dense(x: tf.Tensor, which: 'q' | 'kv' | 'proj'): tf.Tensor {
    return linear(x, this.w[which].kernel.read() as tf.Tensor2D, this.w[which].bias.read() as tf.Tensor1D);
  }

  /** [B, n, C] -> [B, heads, n, C / heads]. */
  private splitHeads(t: tf.Tensor, b: number, n: number): tf.Tensor4D {
    const d = t.shape[t.rank - 1]! / this.heads;
    return tf.transpose(tf.reshape(t, [b, n, this.heads, d]), [0, 2, 1, 3]);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const [b, h, w, c] = x.shape;
      const d = c / this.heads;
      let context: tf.Tensor = x;
      if (this.sr) {
        if (h % this.reduction !== 0 || w % this.reduction !== 0) {
          throw new Error(`SRAttention '${this.name}': a ${h}x${w} map does not reduce by ${this.reduction} (the input size must be a multiple of 32)`);
        }
        const reduced = tf.fused.conv2d({x, filter: this.sr.kernel.read() as tf.Tensor4D, strides: this.reduction, pad: 'valid', bias: this.sr.bias.read()});
        context = layerNorm(reduced, this.sr.gamma.read() as tf.Tensor1D, this.sr.beta.read() as tf.Tensor1D, REDUCTION_NORM_EPSILON);
      }
      const n = h * w;
      const m = context.size / (b * c);
      const q = this.splitHeads(tf.mul(this.dense(x, 'q'), d ** -0.5), b, n);
      const [k, v] = tf.split(tf.reshape(this.dense(context, 'kv'), [b, m, 2 * c]), 2, 2);
      const attention = tf.softmax(tf.matMul(q, this.splitHeads(k!, b, m), false, true));
      const out = tf.reshape(tf.transpose(tf.matMul(attention, this.splitHeads(v!, b, m)), [0, 2, 1, 3]), [b, h, w, c]);
      return this.dense(out, 'proj');
    });
  }

  macsPerImage(inputShapes: number[][]): Record<string, number> {
    const [h, w, c] = inputShapes[0]!;
    const n = h! * w!;
    const r = this.reduction;
    const m = (h! / r) * (w! / r);
    return {
      dense: n * c! * c! * 2 + m * c! * 2 * c!,
      ...(r > 1 ? {[`conv_${r}x${r}`]: m * c! * c! * r * r} : {}),
      attention_matmul: 2 * n * m * c!,
    };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), heads: this.heads, reduction: this.reduction, seed: this.seed};
  }
}
tf.serialization.registerClass(SRAttention);
