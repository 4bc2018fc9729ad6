// EMCAD's efficient up-convolution block, EUCB (Rahman et al., CVPR 2024): 2x nearest up-sampling -> depthwise
// 3x3 conv (no bias) -> BN -> ReLU -> channel shuffle with groups = channels -> 1x1 conv with bias to `filters`.
// A shuffle with as many groups as channels is the identity (each group holds one channel), so none is done.
import * as tf from '@tensorflow/tfjs';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types.js';
import {BatchNormParams, type AddWeight} from './batch-norm-params.js';
import {reluKeepingOutput} from './frugal-ops.js';
import type {CountsOwnMacs} from './own-macs.js';
import {heNormal, subSeed, zeros} from './weight-init.js';

/** [B, H, W, C] -> [B, 2H, 2W, filters]. Weights `dw.kernel` [3, 3, C, 1], `bn.*`, `pw.kernel` [1, 1, C, F], `pw.bias`. */
export class EUCB extends tf.layers.Layer implements CountsOwnMacs {
  static className = 'EUCB';
  readonly filters: number;
  readonly seed: number;
  private dw!: tf.LayerVariable;
  private bn!: BatchNormParams;
  private pw!: tf.LayerVariable;
  private pwBias!: tf.LayerVariable;

  constructor(args: {filters: number; seed?: number; name?: string}) {
    super(args.name === undefined ? {} : {name: args.name});
    this.filters = args.filters;
    this.seed = args.seed ?? 0;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const c = (inputShape as tf.Shape)[3]!;
    const add: AddWeight = (name, shape, init, trainable = true) => this.addWeight(name, shape, 'float32', init, undefined, trainable);
    this.dw = add('dw.kernel', [3, 3, c, 1], heNormal(9, subSeed(this.seed, 0)));
    this.bn = new BatchNormParams(add, 'bn', c);
    this.pw = add('pw.kernel', [1, 1, c, this.filters], heNormal(c, subSeed(this.seed, 1)));
    this.pwBias = add('pw.bias', [this.filters], zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const up = tf.image.resizeNearestNeighbor(x, [2 * x.shape[1], 2 * x.shape[2]], false, false);
      const y = reluKeepingOutput(this.bn.apply(tf.depthwiseConv2d(up, this.dw.read() as tf.Tensor4D, 1, 'same'), kwargs['training'] === true)) as tf.Tensor4D;
      return tf.fused.conv2d({x: y, filter: this.pw.read() as tf.Tensor4D, strides: 1, pad: 'same', bias: this.pwBias.read()});
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = inputShape as tf.Shape;
    const up = (v: number | null) => (v === null ? null : 2 * v);
    return [s[0]!, up(s[1]!), up(s[2]!), this.filters];
  }

  macsPerImage(inputShapes: number[][]): Record<string, number> {
    const [h, w, c] = inputShapes[0]!;
    const hw = 4 * h! * w!;
    return {dwconv: hw * c! * 9, conv_1x1: hw * c! * this.filters};
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), filters: this.filters, seed: this.seed};
  }
}
tf.serialization.registerClass(EUCB);
