// Stochastic depth (Huang et al. 2016, "Deep Networks with Stochastic Depth"), per sample: in training each
// sample's branch is kept with probability 1 - rate and scaled by 1 / (1 - rate), else zeroed; at inference the
// identity. The keep decisions come from the project's seeded generator: stream('drop-path', seed, step), where
// `step` counts this layer's training calls. `setTrainingStep(stepsDone)` sets that counter, so a resumed run draws
// what an uninterrupted one would once the training loop sets it before each step.
import * as tf from '@tensorflow/tfjs';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types.js';
import {SeededRandom} from '../../io/random.js';

export interface DropPathArgs {
  /** Probability in [0, 1) of dropping a sample's branch. */
  rate: number;
  seed?: number;
  name?: string;
}

export class DropPath extends tf.layers.Layer {
  static className = 'DropPath';
  readonly rate: number;
  readonly seed: number;
  private step = 0;

  constructor(args: DropPathArgs) {
    super(args.name === undefined ? {} : {name: args.name});
    if (!(args.rate >= 0 && args.rate < 1)) throw new Error(`DropPath: rate ${args.rate} must be in [0, 1)`);
    this.rate = args.rate;
    this.seed = args.seed ?? 0;
  }

  /** The training calls made so far (the next call draws from stream('drop-path', seed, step)). */
  setTrainingStep(step: number): void {
    this.step = step;
  }

  /** The keep-and-scale factor of each of `batch` samples for the next training call: 0 or 1 / (1 - rate). */
  nextMask(batch: number): Float32Array {
    const rng = SeededRandom.stream('drop-path', this.seed, this.step++);
    return Float32Array.from({length: batch}, () => (rng.float() >= this.rate ? 1 / (1 - this.rate) : 0));
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (kwargs['training'] !== true || this.rate === 0) return x;
    const batch = x.shape[0]!;
    return tf.tidy(() => tf.mul(x, tf.tensor(this.nextMask(batch), [batch, ...x.shape.slice(1).map(() => 1)])));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), rate: this.rate, seed: this.seed};
  }
}
tf.serialization.registerClass(DropPath);
