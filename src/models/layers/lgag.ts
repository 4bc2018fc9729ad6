// EMCAD's large-kernel grouped attention gate, LGAG (Rahman et al., CVPR 2024), on a skip x gated by the
// decoder's g (same shape [B, H, W, C]), F = C / 2:
//   g' = BN(gconv(g)), x' = BN(gconv(x)): k x k convs with bias, C -> F in F groups (k = 3; one group when k = 1);
//   psi = sigmoid(BN(conv1x1(ReLU(g' + x')) to 1 channel, with bias));  output x * psi.
// TF.js has no grouped convolution: grouped-conv.ts composes it.
import * as tf from '@tensorflow/tfjs';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types.js';
import {BatchNormParams, type AddWeight} from './batch-norm-params.js';
import {groupedConv2d} from './grouped-conv.js';
import type {CountsOwnMacs} from './own-macs.js';
import {heNormal, subSeed, zeros} from './weight-init.js';

/** Groups of LGAG's convolutions on C channels with kernel k: C / 2 for k > 1, else 1 (the reference's). */
export function lgagGroups(c: number, kernelSize: number): number {
  return kernelSize > 1 ? Math.floor(c / 2) : 1;
}

/**
 * inputs [g, x] -> x * psi, [B, H, W, C]. Weights `wg.kernel` and `wx.kernel` [k, k, C / groups, F], `wg.bias`,
 * `wx.bias` [F], `wg_bn.*`, `wx_bn.*`, `psi.kernel` [1, 1, F, 1], `psi.bias` [1], `psi_bn.*`. C must be even.
 */
export class LGAG extends tf.layers.Layer implements CountsOwnMacs {
  static className = 'LGAG';
  readonly kernelSize: number;
  readonly seed: number;
  private branches!: Record<'wg' | 'wx', {kernel: tf.LayerVariable; bias: tf.LayerVariable; bn: BatchNormParams}>;
  private psi!: {kernel: tf.LayerVariable; bias: tf.LayerVariable; bn: BatchNormParams};
  private groups = 1;

  constructor(args: {kernelSize?: number; seed?: number; name?: string}) {
    super(args.name === undefined ? {} : {name: args.name});
    this.kernelSize = args.kernelSize ?? 3;
    this.seed = args.seed ?? 0;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const c = (inputShape as tf.Shape[])[1]![3]!;
    if (c % 2 !== 0) throw new Error(`LGAG '${this.name}': ${c} channels are odd (F = C / 2)`);
    const f = c / 2;
    const k = this.kernelSize;
    this.groups = lgagGroups(c, k);
    const cg = c / this.groups;
    const add: AddWeight = (name, shape, init, trainable = true) => this.addWeight(name, shape, 'float32', init, undefined, trainable);
    const branch = (name: 'wg' | 'wx', i: number) => ({
      kernel: add(`${name}.kernel`, [k, k, cg, f], heNormal(k * k * cg, subSeed(this.seed, i))),
      bias: add(`${name}.bias`, [f], zeros()),
      bn: new BatchNormParams(add, `${name}_bn`, f),
    });
    this.branches = {wg: branch('wg', 0), wx: branch('wx', 1)};
    this.psi = {
      kernel: add('psi.kernel', [1, 1, f, 1], heNormal(f, subSeed(this.seed, 2))),
      bias: add('psi.bias', [1], zeros()),
      bn: new BatchNormParams(add, 'psi_bn', 1),
    };
    this.built = true;
  }

  private branch(t: tf.Tensor4D, which: 'wg' | 'wx', training: boolean): tf.Tensor {
    const {kernel, bias, bn} = this.branches[which];
    return bn.apply(tf.add(groupedConv2d(t, kernel.read() as tf.Tensor4D, this.groups), bias.read()), training);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const [g, x] = inputs as tf.Tensor4D[];
      const training = kwargs['training'] === true;
      const h = tf.relu(tf.add(this.branch(g!, 'wg', training), this.branch(x!, 'wx', training))) as tf.Tensor4D;
      const logit = tf.fused.conv2d({x: h, filter: this.psi.kernel.read() as tf.Tensor4D, strides: 1, pad: 'same', bias: this.psi.bias.read()});
      return tf.mul(x!, tf.sigmoid(this.psi.bn.apply(logit, training)));
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (inputShape as tf.Shape[])[1]!;
  }

  macsPerImage(inputShapes: number[][]): Record<string, number> {
    const [h, w, c] = inputShapes[1]!;
    const hw = h! * w!;
    const f = c! / 2;
    const k = this.kernelSize;
    return {[`gconv_${k}x${k}`]: 2 * hw * f * (c! / lgagGroups(c!, k)) * k * k, conv_1x1: hw * f};
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), kernelSize: this.kernelSize, seed: this.seed};
  }
}
tf.serialization.registerClass(LGAG);
