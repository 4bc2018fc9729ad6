// Group normalisation (Wu & He 2018) on channels-last tensors: statistics per sample and per group of
// contiguous channels, over every spatial position; then a per-channel affine. MIE and MIDM use the function;
// the layer exposes it to model graphs.
import * as tf from '@tensorflow/tfjs';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types.js';
import {ones, zeros} from './weight-init.js';

export const GN_EPSILON = 1e-5;

/** x: [B, ...spatial, C] with C divisible by `groups`. */
export function groupNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, groups: number, epsilon = GN_EPSILON): tf.Tensor {
  return tf.tidy(() => {
    const shape = x.shape;
    const c = shape[shape.length - 1]!;
    if (c % groups !== 0) throw new Error(`GroupNorm: ${c} channels are not divisible by ${groups} groups`);
    const grouped = tf.reshape(x, [shape[0]!, -1, groups, c / groups]);
    const {mean, variance} = tf.moments(grouped, [1, 3], true);
    const normalised = tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, epsilon)));
    return tf.add(tf.mul(tf.reshape(normalised, shape), gamma), beta);
  });
}

export interface GroupNormArgs {
  groups: number;
  epsilon?: number;
  name?: string;
}

export class GroupNorm extends tf.layers.Layer {
  static className = 'GroupNorm';
  readonly groups: number;
  readonly epsilon: number;
  private gamma!: tf.LayerVariable;
  private beta!: tf.LayerVariable;

  constructor(args: GroupNormArgs) {
    super(args.name === undefined ? {} : {name: args.name});
    this.groups = args.groups;
    this.epsilon = args.epsilon ?? GN_EPSILON;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const c = shape[shape.length - 1]!;
    if (c % this.groups !== 0) throw new Error(`GroupNorm '${this.name}': ${c} channels are not divisible by ${this.groups} groups`);
    this.gamma = this.addWeight('gamma', [c], 'float32', ones());
    this.beta = this.addWeight('beta', [c], 'float32', zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return groupNorm(x, this.gamma.read() as tf.Tensor1D, this.beta.read() as tf.Tensor1D, this.groups, this.epsilon);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), groups: this.groups, epsilon: this.epsilon};
  }
}
tf.serialization.registerClass(GroupNorm);
