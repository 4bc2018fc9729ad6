// Dynamic convolution (Chen et al., CVPR 2020): K parallel kernels mixed per sample by an attention
// pi = softmax(FC2(ReLU(FC1(GAP(x)))) / tau). The K kernels are stored side by side as one kernel with
// K * filters output channels (channel k * filters + o is kernel k, output o: PyTorch twin's layout).
// The forward pass aggregates the kernel per sample, sum_k pi_k W_k (and sum_k pi_k b_k), and convolves each
// sample with its own kernel, as the DyConv paper does: K times fewer MACs than convolving with all K kernels and
// mixing the K outputs, and it keeps one feature map for the backward pass instead of three of K maps each
// (MS-LKSeg bw16 at 256 px would not train on the 4 GB wasm heap). `weightedOutputs` is that other form.
import * as tf from '@tensorflow/tfjs';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types.js';
import {perSampleConv2d} from './frugal-ops.js';
import {heNormal, subSeed, zeros} from './weight-init.js';

export interface DyConvArgs {
  filters: number;
  /** Number of kernels K. */
  kernels: number;
  kernelSize?: number;
  /** Softmax temperature in force; training anneals it (see families/dyconv-temperature.ts). */
  temperature?: number;
  seed?: number;
  name?: string;
}

/** Hidden width of the attention MLP: floor(C_in / 4), but K for RGB input (C_in = 3). */
export function dyConvHiddenUnits(inChannels: number, kernels: number): number {
  return inChannels === 3 ? kernels : Math.max(1, Math.floor(inChannels / 4));
}

export class DyConv extends tf.layers.Layer {
  static className = 'DyConv';
  readonly filters: number;
  readonly kernels: number;
  readonly kernelSize: number;
  readonly seed: number;
  /** Mutable on purpose: the annealing schedule sets it every step. */
  temperature: number;
  private kernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;
  private fc1!: tf.LayerVariable;
  private fc2!: tf.LayerVariable;

  constructor(args: DyConvArgs) {
    super(args.name === undefined ? {} : {name: args.name});
    if (!(args.kernels >= 1)) throw new Error(`DyConv: K must be >= 1, got ${args.kernels}`);
    this.filters = args.filters;
    this.kernels = args.kernels;
    this.kernelSize = args.kernelSize ?? 3;
    this.temperature = args.temperature ?? 1;
    this.seed = args.seed ?? 0;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const cin = (inputShape as tf.Shape)[3]!;
    const k = this.kernelSize;
    const hidden = dyConvHiddenUnits(cin, this.kernels);
    this.kernel = this.addWeight('kernel', [k, k, cin, this.kernels * this.filters], 'float32', heNormal(k * k * cin, subSeed(this.seed, 0)));
    this.bias = this.addWeight('bias', [this.kernels * this.filters], 'float32', zeros());
    this.fc1 = this.addWeight('fc1.kernel', [cin, hidden], 'float32', heNormal(cin, subSeed(this.seed, 1)));
    this.fc2 = this.addWeight('fc2.kernel', [hidden, this.kernels], 'float32', heNormal(hidden, subSeed(this.seed, 2)));
    this.built = true;
  }

  /** The per-sample kernel attention pi: [B, K], rows sum to 1. */
  attention(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const pooled = tf.mean(x, [1, 2]) as tf.Tensor2D;
      const hidden = tf.relu(tf.matMul(pooled, this.fc1.read() as tf.Tensor2D));
      const logits = tf.matMul(hidden, this.fc2.read() as tf.Tensor2D);
      return tf.softmax(tf.div(logits, this.temperature)) as tf.Tensor2D;
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const pi = this.attention(x);
      const {kernels, biases} = this.aggregated(pi);
      return perSampleConv2d(x, kernels, biases);
    });
  }

  /** Per-sample kernels sum_k pi[b, k] W_k [B, kh, kw, C_in, filters] and biases sum_k pi[b, k] b_k [B, filters]. */
  private aggregated(pi: tf.Tensor2D): {kernels: tf.Tensor5D; biases: tf.Tensor2D} {
    const all = this.kernel.read() as tf.Tensor4D;
    const [kh, kw, cin] = all.shape;
    const k = this.kernels;
    const f = this.filters;
    const stacked = tf.reshape(tf.transpose(tf.reshape(all, [kh * kw * cin, k, f]), [1, 0, 2]), [k, kh * kw * cin * f]);
    const kernels = tf.reshape(tf.matMul(pi, stacked), [pi.shape[0], kh, kw, cin, f]) as tf.Tensor5D;
    const biases = tf.matMul(pi, tf.reshape(this.bias.read(), [k, f])) as tf.Tensor2D;
    return {kernels, biases};
  }

  /** The same output as `call`, as one convolution with all K kernels and a per-sample mix of the K outputs. */
  weightedOutputs(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [b, h, w] = x.shape;
      const pi = this.attention(x);
      const all = tf.add(tf.conv2d(x, this.kernel.read() as tf.Tensor4D, 1, 'same'), this.bias.read());
      const perKernel = tf.reshape(all, [b, h, w, this.kernels, this.filters]);
      return tf.sum(tf.mul(perKernel, tf.reshape(pi, [b, 1, 1, this.kernels, 1])), 3) as tf.Tensor4D;
    });
  }

  /** Kernel k ([kh, kw, C_in, filters]) and its bias, for tests and exports. */
  kernelAt(k: number): {kernel: tf.Tensor4D; bias: tf.Tensor1D} {
    return tf.tidy(() => {
      const all = this.kernel.read() as tf.Tensor4D;
      const [kh, kw, cin] = all.shape;
      return {
        kernel: tf.slice(all, [0, 0, 0, k * this.filters], [kh, kw, cin, this.filters]),
        bias: tf.slice(this.bias.read() as tf.Tensor1D, [k * this.filters], [this.filters]),
      };
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = inputShape as tf.Shape;
    return [s[0]!, s[1]!, s[2]!, this.filters];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(), filters: this.filters, kernels: this.kernels, kernelSize: this.kernelSize,
      temperature: this.temperature, seed: this.seed,
    };
  }
}
tf.serialization.registerClass(DyConv);
