// ReDWConv, the re-parameterisable large-kernel depthwise conv of RepLKNet (Ding et al. CVPR 2022).
// Training form: depthwise k_L x k_L conv + BN, plus a parallel depthwise k_S x k_S conv + BN, summed.
// Inference form: one depthwise k_L x k_L conv with bias, equal in inference mode: each BN folds into its conv
// (W' = W * t, b' = beta - mean * t, t = gamma / sqrt(var + eps)) and the small kernel, zero-padded to k_L,
// adds onto the large one, since a depthwise conv is linear in its kernel and both are centred.
import * as tf from '@tensorflow/tfjs';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types.js';
import {BatchNormParams, type AddWeight} from './batch-norm-params.js';
import {heNormal, subSeed, zeros} from './weight-init.js';

export interface ReDWOptions {
  largeKernel: number;
  /** null = no parallel small-kernel branch. */
  smallKernel: number | null;
  /** Inference form: one depthwise conv with bias. */
  fused: boolean;
}

export function validateReDW({largeKernel, smallKernel}: Pick<ReDWOptions, 'largeKernel' | 'smallKernel'>): void {
  if (!(Number.isInteger(largeKernel) && largeKernel % 2 === 1)) throw new Error(`ReDW: large kernel ${largeKernel} must be an odd integer`);
  if (smallKernel !== null) {
    if (!(Number.isInteger(smallKernel) && smallKernel % 2 === 1)) throw new Error(`ReDW: small kernel ${smallKernel} must be an odd integer`);
    if (smallKernel > largeKernel || (largeKernel - smallKernel) % 2 !== 0) {
      throw new Error(`ReDW: need smallKernel <= largeKernel and largeKernel - smallKernel even, got ${largeKernel} and ${smallKernel}`);
    }
  }
}

/** One BN-folded depthwise branch: the conv kernel [k, k, C, 1] and BN's scale/shift. */
export interface FoldableBranch {
  kernel: tf.Tensor4D;
  scale: tf.Tensor1D;
  shift: tf.Tensor1D;
}

/** The equivalent single depthwise kernel [k_L, k_L, C, 1] and bias [C] of a large (+ small) branch pair. */
export function fuseReparamKernel(large: FoldableBranch, small: FoldableBranch | null): {kernel: tf.Tensor4D; bias: tf.Tensor1D} {
  return tf.tidy(() => {
    const fold = (b: FoldableBranch) => tf.mul(b.kernel, tf.reshape(b.scale, [1, 1, -1, 1])) as tf.Tensor4D;
    let kernel = fold(large);
    let bias = large.shift;
    if (small) {
      const p = (large.kernel.shape[0] - small.kernel.shape[0]) / 2;
      kernel = tf.add(kernel, tf.pad(fold(small), [[p, p], [p, p], [0, 0], [0, 0]]));
      bias = tf.add(bias, small.shift);
    }
    return {kernel, bias: tf.clone(bias)};
  });
}

/** The weights and arithmetic of a ReDW, owned by the layer that holds it (ReDWConv or LD). */
export class ReDWParams {
  private large?: {kernel: tf.LayerVariable; bn: BatchNormParams};
  private small?: {kernel: tf.LayerVariable; bn: BatchNormParams};
  private fusedKernel?: tf.LayerVariable;
  private fusedBias?: tf.LayerVariable;

  constructor(add: AddWeight, prefix: string, channels: number, readonly options: ReDWOptions, seed: number) {
    validateReDW(options);
    const {largeKernel: kl, smallKernel: ks} = options;
    if (options.fused) {
      this.fusedKernel = add(`${prefix}kernel`, [kl, kl, channels, 1], heNormal(kl * kl, subSeed(seed, 0)));
      this.fusedBias = add(`${prefix}bias`, [channels], zeros());
      return;
    }
    this.large = {kernel: add(`${prefix}lk.kernel`, [kl, kl, channels, 1], heNormal(kl * kl, subSeed(seed, 0))), bn: new BatchNormParams(add, `${prefix}lk_bn`, channels)};
    if (ks !== null) {
      this.small = {kernel: add(`${prefix}sk.kernel`, [ks, ks, channels, 1], heNormal(ks * ks, subSeed(seed, 1))), bn: new BatchNormParams(add, `${prefix}sk_bn`, channels)};
    }
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      if (this.fusedKernel) {
        return tf.add(tf.depthwiseConv2d(x, this.fusedKernel.read() as tf.Tensor4D, 1, 'same'), this.fusedBias!.read()) as tf.Tensor4D;
      }
      const branch = (b: {kernel: tf.LayerVariable; bn: BatchNormParams}) => b.bn.apply(tf.depthwiseConv2d(x, b.kernel.read() as tf.Tensor4D, 1, 'same'), training);
      const out = branch(this.large!);
      return (this.small ? tf.add(out, branch(this.small)) : out) as tf.Tensor4D;
    });
  }

  /** The fused form's weights by name (prefix + 'kernel', prefix + 'bias'). */
  fusedValues(prefix: string): Record<string, tf.Tensor> {
    if (this.fusedKernel) return {[`${prefix}kernel`]: tf.clone(this.fusedKernel.read()), [`${prefix}bias`]: tf.clone(this.fusedBias!.read())};
    const branch = (b: {kernel: tf.LayerVariable; bn: BatchNormParams}): FoldableBranch => ({kernel: b.kernel.read() as tf.Tensor4D, ...b.bn.scaleShift()});
    const {kernel, bias} = tf.tidy(() => fuseReparamKernel(branch(this.large!), this.small ? branch(this.small) : null));
    return {[`${prefix}kernel`]: kernel, [`${prefix}bias`]: bias};
  }
}

/** A layer that has an inference form with fewer weights (fuseForInference rebuilds it and fills these in). */
export interface Reparameterizable {
  readonly fused: boolean;
  /**
   * Values of the fused layer's weights that the unfused one lacks, by weight name within the layer
   * (the other weights carry over unchanged). The caller disposes them.
   */
  fusedWeightValues(): Record<string, tf.Tensor>;
}

export function isReparameterizable(layer: unknown): layer is Reparameterizable & tf.layers.Layer {
  return layer instanceof tf.layers.Layer && typeof (layer as Partial<Reparameterizable>).fusedWeightValues === 'function';
}

export interface ReDWConvArgs {
  largeKernel: number;
  smallKernel: number | null;
  fused?: boolean;
  seed?: number;
  name?: string;
}

/** What every layer holding a ReDW (ReDWConv, LD) takes, validates and serialises. */
export abstract class ReDWHolder extends tf.layers.Layer implements Reparameterizable {
  readonly largeKernel: number;
  readonly smallKernel: number | null;
  readonly fused: boolean;
  readonly seed: number;

  constructor(args: ReDWConvArgs) {
    super(args.name === undefined ? {} : {name: args.name});
    this.largeKernel = args.largeKernel;
    this.smallKernel = args.smallKernel;
    this.fused = args.fused ?? false;
    this.seed = args.seed ?? 0;
    validateReDW(this);
  }

  abstract fusedWeightValues(): Record<string, tf.Tensor>;

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), largeKernel: this.largeKernel, smallKernel: this.smallKernel, fused: this.fused, seed: this.seed};
  }
}

export class ReDWConv extends ReDWHolder {
  static className = 'ReDWConv';
  private params!: ReDWParams;

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const c = (inputShape as tf.Shape)[3]!;
    const add: AddWeight = (name, shape, init, trainable = true) => this.addWeight(name, shape, 'float32', init, undefined, trainable);
    this.params = new ReDWParams(add, '', c, {largeKernel: this.largeKernel, smallKernel: this.smallKernel, fused: this.fused}, this.seed);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
    return this.params.apply(x, kwargs['training'] === true);
  }

  fusedWeightValues(): Record<string, tf.Tensor> {
    return this.params.fusedValues('');
  }
}
tf.serialization.registerClass(ReDWConv);
