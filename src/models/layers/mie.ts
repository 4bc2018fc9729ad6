// MIE, the spatial attention of MS-LKSeg (= SCSA's SMSA, Si et al. 2024). The feature map is averaged along W
// (an H profile) and along H (a W profile); the channels are split into R contiguous groups, group i goes
// through a depthwise 1-D conv of size kernels[i] ('same', with bias), the same convs serve both profiles
// (shareHW), each profile gets its own GroupNorm and a gate, and the input is scaled by both gates.
//
// All R group convs run as one depthwise conv: each group's kernel is zero-padded to the largest size and the
// groups are concatenated along channels. With odd kernels and 'same' padding this is exactly R separate convs,
// and gradients reach only the real kernel taps.
import * as tf from '@tensorflow/tfjs';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types.js';
import {scaleByGates} from './frugal-ops.js';
import {groupNorm} from './group-norm.js';
import {heNormal, ones, subSeed, zeros} from './weight-init.js';

export type GateKind = 'sigmoid' | 'hard-sigmoid';

export interface MIEArgs {
  kernels: number[];
  shareHW?: boolean;
  gnGroups?: number;
  gate?: GateKind;
  seed?: number;
  name?: string;
}

export function applyGate(x: tf.Tensor, gate: GateKind): tf.Tensor {
  // Keras' hard sigmoid: clip(0.2 x + 0.5, 0, 1).
  return gate === 'sigmoid' ? tf.sigmoid(x) : tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1);
}

/** Weight-name stem of group i: dw_k5, or dw_k3_g0 when a size repeats; with shareHW false, a path prefix. */
export function mieConvName(kernels: readonly number[], i: number, path?: 'h' | 'w'): string {
  const k = kernels[i]!;
  const repeated = kernels.filter((x) => x === k).length > 1;
  return `dw_${path ? `${path}_` : ''}k${k}${repeated ? `_g${i}` : ''}`;
}

export class MIE extends tf.layers.Layer {
  static className = 'MIE';
  readonly kernels: number[];
  readonly shareHW: boolean;
  readonly gnGroups: number;
  readonly gate: GateKind;
  readonly seed: number;
  private convs: Record<'h' | 'w', {kernel: tf.LayerVariable; bias: tf.LayerVariable}[]> = {h: [], w: []};
  private gn!: Record<'h' | 'w', {gamma: tf.LayerVariable; beta: tf.LayerVariable}>;

  constructor(args: MIEArgs) {
    super(args.name === undefined ? {} : {name: args.name});
    this.kernels = [...args.kernels];
    this.shareHW = args.shareHW ?? true;
    this.gnGroups = args.gnGroups ?? 4;
    this.gate = args.gate ?? 'sigmoid';
    this.seed = args.seed ?? 0;
    for (const k of this.kernels) if (k % 2 !== 1) throw new Error(`MIE: kernel ${k} must be odd for 'same' padding`);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const c = (inputShape as tf.Shape)[3]!;
    const r = this.kernels.length;
    if (c % r !== 0) throw new Error(`MIE '${this.name}': ${c} channels are not divisible by ${r} kernels`);
    if (c % this.gnGroups !== 0) throw new Error(`MIE '${this.name}': ${c} channels are not divisible by ${this.gnGroups} GroupNorm groups`);
    const g = c / r;
    let s = 0;
    const makeConvs = (path?: 'h' | 'w') => this.kernels.map((k, i) => ({
      kernel: this.addWeight(`${mieConvName(this.kernels, i, path)}.kernel`, [k, 1, g, 1], 'float32', heNormal(k, subSeed(this.seed, s++))),
      bias: this.addWeight(`${mieConvName(this.kernels, i, path)}.bias`, [g], 'float32', zeros()),
    }));
    if (this.shareHW) {
      const shared = makeConvs();
      this.convs = {h: shared, w: shared};
    } else {
      this.convs = {h: makeConvs('h'), w: makeConvs('w')};
    }
    const makeGn = (path: 'h' | 'w') => ({
      gamma: this.addWeight(`gn_${path}.gamma`, [c], 'float32', ones()),
      beta: this.addWeight(`gn_${path}.beta`, [c], 'float32', zeros()),
    });
    this.gn = {h: makeGn('h'), w: makeGn('w')};
    this.built = true;
  }

  /** The R group convs as one depthwise filter [kmax, 1, C, 1] and one bias [C]. */
  private mergedConv(path: 'h' | 'w'): {filter: tf.Tensor4D; bias: tf.Tensor1D} {
    const kmax = Math.max(...this.kernels);
    const parts = this.convs[path].map(({kernel}, i) => {
      const p = (kmax - this.kernels[i]!) / 2;
      const w = kernel.read() as tf.Tensor4D;
      return p === 0 ? w : tf.pad(w, [[p, p], [0, 0], [0, 0], [0, 0]]);
    });
    return {
      filter: parts.length === 1 ? parts[0]! : tf.concat(parts, 2),
      bias: tf.concat(this.convs[path].map(({bias}) => bias.read() as tf.Tensor1D)),
    };
  }

  /** Gate of one profile: profile [B, L, C] -> values in (0, 1), [B, L, C]. */
  private profileGate(profile: tf.Tensor3D, path: 'h' | 'w'): tf.Tensor3D {
    const [b, l, c] = profile.shape;
    const {filter, bias} = this.mergedConv(path);
    const conv = tf.add(tf.depthwiseConv2d(tf.reshape(profile, [b, l, 1, c]) as tf.Tensor4D, filter, 1, 'same'), bias);
    const normalised = groupNorm(conv, this.gn[path].gamma.read() as tf.Tensor1D, this.gn[path].beta.read() as tf.Tensor1D, this.gnGroups);
    return tf.reshape(applyGate(normalised, this.gate), [b, l, c]);
  }

  /** Both gates: ah [B, H, 1, C] and aw [B, 1, W, C]. */
  gates(x: tf.Tensor4D): {ah: tf.Tensor4D; aw: tf.Tensor4D} {
    return tf.tidy(() => {
      const [b, h, w, c] = x.shape;
      const ah = this.profileGate(tf.mean(x, 2) as tf.Tensor3D, 'h');
      const aw = this.profileGate(tf.mean(x, 1) as tf.Tensor3D, 'w');
      return {ah: tf.reshape(ah, [b, h, 1, c]), aw: tf.reshape(aw, [b, 1, w, c])};
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const {ah, aw} = this.gates(x);
      return scaleByGates(x, ah, aw);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(), kernels: this.kernels, shareHW: this.shareHW, gnGroups: this.gnGroups,
      gate: this.gate, seed: this.seed,
    };
  }
}
tf.serialization.registerClass(MIE);
