// LayerNorm over the channels of every position (PVTv2's LayerNorm on tokens = each pixel of an NHWC map), as
// one custom-gradient op that keeps its input and two per-position values for the backward pass; composed from
// TF.js ops it also kept the centred input and its square.
import * as tf from '@tensorflow/tfjs';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types.js';
import {ones, zeros} from './weight-init.js';

type Saved = (tf.Tensor | tf.GradSaveFunc)[];

/**
 * gamma (x - mean) / sqrt(var + epsilon) + beta over the last axis of x (any rank), with the biased variance
 * (PyTorch's nn.LayerNorm). Gradient (xhat the normalised input, g = dy gamma, means over the last axis):
 * dx = (g - mean(g) - xhat mean(g xhat)) / sqrt(var + epsilon), dgamma = sum dy xhat, dbeta = sum dy.
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): tf.Tensor {
  const last = x.rank - 1;
  const outer = Array.from({length: last}, (_, i) => i);
  const op = tf.customGrad((...args: Saved) => {
    const [input, g, b] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
    const mean = tf.mean(input, last, true);
    const centred = tf.sub(input, mean);
    const invStd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), last, true), epsilon));
    (args[3] as tf.GradSaveFunc)([input, mean, invStd, g]);
    return {
      value: tf.add(tf.mul(tf.mul(centred, invStd), g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const [xs, m, s, gs] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor1D];
        const xhat = tf.mul(tf.sub(xs, m), s);
        const scaled = tf.mul(dy, gs);
        const dx = tf.mul(tf.sub(tf.sub(scaled, tf.mean(scaled, last, true)), tf.mul(xhat, tf.mean(tf.mul(scaled, xhat), last, true))), s);
        return [dx, tf.sum(tf.mul(dy, xhat), outer), tf.sum(dy, outer)];
      }),
    };
  });
  return op(x, gamma, beta);
}

export interface LayerNormArgs {
  /** 1e-6 in PVTv2's blocks and stage ends, 1e-5 (PyTorch's default) in its patch embeddings and reductions. */
  epsilon: number;
  name?: string;
}

/** LayerNorm over channels as a layer: weights `gamma`, `beta` ([C]; PyTorch `weight`, `bias`). Shape kept. */
export class LayerNorm extends tf.layers.Layer {
  static className = 'MslkLayerNorm';
  readonly epsilon: number;
  private gamma!: tf.LayerVariable;
  private beta!: tf.LayerVariable;

  constructor(args: LayerNormArgs) {
    super(args.name === undefined ? {} : {name: args.name});
    this.epsilon = args.epsilon;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const c = shape[shape.length - 1]!;
    this.gamma = this.addWeight('gamma', [c], 'float32', ones());
    this.beta = this.addWeight('beta', [c], 'float32', zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return layerNorm(x, this.gamma.read() as tf.Tensor1D, this.beta.read() as tf.Tensor1D, this.epsilon);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), epsilon: this.epsilon};
  }
}
tf.serialization.registerClass(LayerNorm);
