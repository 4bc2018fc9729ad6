// EMCAD's multi-scale convolution block (Rahman et al., CVPR 2024), in -> out channels:
//   1x1 conv (no bias) -> BN -> act to e x in channels; depthwise k x k convs (no bias) -> BN -> act, one per
//   kernel, run in parallel on that map (or sequentially: conv i on the map plus the outputs of the convs before
//   it), their outputs added (or concatenated); channel shuffle with gcd(channels, out) groups; 1x1 conv (no bias)
//   -> BN to out channels; plus the input (through a 1x1 conv without bias when in != out).
// The shuffle is folded into the last 1x1 kernel (channel-shuffle.ts).
import * as tf from '@tensorflow/tfjs';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types.js';
import {BatchNormParams, type AddWeight} from './batch-norm-params.js';
import {gcd, shuffledPointwiseKernel} from './channel-shuffle.js';
import {reluKeepingOutput} from './frugal-ops.js';
import type {CountsOwnMacs} from './own-macs.js';
import {heNormal, subSeed} from './weight-init.js';

export type MscbActivation = 'relu' | 'relu6';

export interface MSCBArgs {
  filters: number;
  /** Odd depthwise kernel sizes, one branch each. */
  kernels: readonly number[];
  expansion: number;
  /** Parallel branches (EMCAD's network) or a sequential chain. */
  parallel?: boolean;
  combine?: 'add' | 'concat';
  activation?: MscbActivation;
  seed?: number;
  name?: string;
}

export function mscbActivation(x: tf.Tensor, activation: MscbActivation): tf.Tensor {
  return activation === 'relu' ? reluKeepingOutput(x) : tf.relu6(x);
}

/**
 * [B, H, W, C_in] -> [B, H, W, filters]. Weights: `pw1.kernel` [1, 1, C_in, eC_in], `pw1_bn.*`, per branch i
 * `dw.{i}.kernel` [k, k, eC_in, 1] and `dw.{i}_bn.*`, `pw2.kernel` [1, 1, eC_in (x branches when concatenated),
 * filters] in the input order after the shuffle, `pw2_bn.*`, and `skip.kernel` [1, 1, C_in, filters] when
 * C_in != filters. BN weights are `gamma`, `beta`, `moving_mean`, `moving_variance`.
 */
export class MSCB extends tf.layers.Layer implements CountsOwnMacs {
  static className = 'MSCB';
  readonly filters: number;
  readonly kernels: number[];
  readonly expansion: number;
  readonly parallel: boolean;
  readonly combine: 'add' | 'concat';
  readonly activation: MscbActivation;
  readonly seed: number;
  private pw1!: tf.LayerVariable;
  private pw1Bn!: BatchNormParams;
  private dws: {kernel: tf.LayerVariable; bn: BatchNormParams}[] = [];
  private pw2!: tf.LayerVariable;
  private pw2Bn!: BatchNormParams;
  private skip: tf.LayerVariable | null = null;

  constructor(args: MSCBArgs) {
    super(args.name === undefined ? {} : {name: args.name});
    this.filters = args.filters;
    this.kernels = [...args.kernels];
    this.expansion = args.expansion;
    this.parallel = args.parallel ?? true;
    this.combine = args.combine ?? 'add';
    this.activation = args.activation ?? 'relu';
    this.seed = args.seed ?? 0;
    for (const k of this.kernels) if (k % 2 !== 1) throw new Error(`MSCB: kernel ${k} must be odd for 'same' padding`);
  }

  /** Channels entering the shuffle and the last 1x1 conv. */
  private mixedChannels(cin: number): number {
    return cin * this.expansion * (this.combine === 'concat' ? this.kernels.length : 1);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const cin = (inputShape as tf.Shape)[3]!;
    const ex = cin * this.expansion;
    const add: AddWeight = (name, shape, init, trainable = true) => this.addWeight(name, shape, 'float32', init, undefined, trainable);
    this.pw1 = add('pw1.kernel', [1, 1, cin, ex], heNormal(cin, subSeed(this.seed, 0)));
    this.pw1Bn = new BatchNormParams(add, 'pw1_bn', ex);
    this.dws = this.kernels.map((k, i) => ({
      kernel: add(`dw.${i}.kernel`, [k, k, ex, 1], heNormal(k * k, subSeed(this.seed, 1 + i))),
      bn: new BatchNormParams(add, `dw.${i}_bn`, ex),
    }));
    const mixed = this.mixedChannels(cin);
    this.pw2 = add('pw2.kernel', [1, 1, mixed, this.filters], heNormal(mixed, subSeed(this.seed, 100)));
    this.pw2Bn = new BatchNormParams(add, 'pw2_bn', this.filters);
    this.skip = cin === this.filters ? null : add('skip.kernel', [1, 1, cin, this.filters], heNormal(cin, subSeed(this.seed, 101)));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const training = kwargs['training'] === true;
      const act = (t: tf.Tensor) => mscbActivation(t, this.activation) as tf.Tensor4D;
      const y = act(this.pw1Bn.apply(tf.conv2d(x, this.pw1.read() as tf.Tensor4D, 1, 'same'), training));
      const outputs: tf.Tensor4D[] = [];
      let branchInput = y;
      for (const {kernel, bn} of this.dws) {
        const out = act(bn.apply(tf.depthwiseConv2d(branchInput, kernel.read() as tf.Tensor4D, 1, 'same'), training));
        outputs.push(out);
        if (!this.parallel) branchInput = tf.add(branchInput, out);
      }
      const mixed = outputs.length === 1 ? outputs[0]! : this.combine === 'add' ? tf.addN(outputs) : tf.concat(outputs, 3);
      const groups = gcd(mixed.shape[3], this.filters);
      const pw2 = shuffledPointwiseKernel(this.pw2.read() as tf.Tensor4D, groups);
      const z = this.pw2Bn.apply(tf.conv2d(mixed, pw2, 1, 'same'), training);
      const residual = this.skip ? tf.conv2d(x, this.skip.read() as tf.Tensor4D, 1, 'same') : x;
      return tf.add(residual, z);
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = inputShape as tf.Shape;
    return [s[0]!, s[1]!, s[2]!, this.filters];
  }

  macsPerImage(inputShapes: number[][]): Record<string, number> {
    const [h, w, cin] = inputShapes[0]!;
    const hw = h! * w!;
    const ex = cin! * this.expansion;
    return {
      conv_1x1: hw * (cin! * ex + this.mixedChannels(cin!) * this.filters + (cin === this.filters ? 0 : cin! * this.filters)),
      dwconv: hw * ex * this.kernels.reduce((a, k) => a + k * k, 0),
    };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(), filters: this.filters, kernels: this.kernels, expansion: this.expansion, parallel: this.parallel,
      combine: this.combine, activation: this.activation, seed: this.seed,
    };
  }
}
tf.serialization.registerClass(MSCB);
