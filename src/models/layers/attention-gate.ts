// The additive attention gate of Attention U-Net (Oktay et al. 2018) for one skip connection:
//   psi = sigmoid(BN(conv1x1(ReLU(BN(Wx x) + BN(Wg g)))))  -> [B, H, W, 1];  output x * psi
// where x is the skip feature and g the up-sampled decoder feature (same resolution). The 1x1 convs have no
// bias since each is followed by BN (project convention).
import * as tf from '@tensorflow/tfjs';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types.js';
import {BatchNormParams, type AddWeight} from './batch-norm-params.js';
import {heNormal, subSeed} from './weight-init.js';

export interface AttentionGateArgs {
  /** Channels of the intermediate map; default half the skip's channels. */
  interChannels?: number | null;
  seed?: number;
  name?: string;
}

export class AttentionGate extends tf.layers.Layer {
  static className = 'AttentionGate';
  readonly interChannels: number | null;
  readonly seed: number;
  private wx!: tf.LayerVariable;
  private wxBn!: BatchNormParams;
  private wg!: tf.LayerVariable;
  private wgBn!: BatchNormParams;
  private psi!: tf.LayerVariable;
  private psiBn!: BatchNormParams;

  constructor(args: AttentionGateArgs) {
    super(args.name === undefined ? {} : {name: args.name});
    this.interChannels = args.interChannels ?? null;
    this.seed = args.seed ?? 0;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [xs, gs] = inputShape as tf.Shape[];
    const cx = xs![3]!;
    const cg = gs![3]!;
    const f = this.interChannels ?? Math.max(1, Math.floor(cx / 2));
    const add: AddWeight = (name, shape, init, trainable = true) => this.addWeight(name, shape, 'float32', init, undefined, trainable);
    this.wx = add('wx.kernel', [1, 1, cx, f], heNormal(cx, subSeed(this.seed, 0)));
    this.wxBn = new BatchNormParams(add, 'wx_bn', f);
    this.wg = add('wg.kernel', [1, 1, cg, f], heNormal(cg, subSeed(this.seed, 1)));
    this.wgBn = new BatchNormParams(add, 'wg_bn', f);
    this.psi = add('psi.kernel', [1, 1, f, 1], heNormal(f, subSeed(this.seed, 2)));
    this.psiBn = new BatchNormParams(add, 'psi_bn', 1);
    this.built = true;
  }

  /** The attention coefficients psi in (0, 1), [B, H, W, 1]. */
  coefficients(x: tf.Tensor4D, g: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const a = this.wxBn.apply(tf.conv2d(x, this.wx.read() as tf.Tensor4D, 1, 'same'), training);
      const b = this.wgBn.apply(tf.conv2d(g, this.wg.read() as tf.Tensor4D, 1, 'same'), training);
      const h = tf.relu(tf.add(a, b)) as tf.Tensor4D;
      return tf.sigmoid(this.psiBn.apply(tf.conv2d(h, this.psi.read() as tf.Tensor4D, 1, 'same'), training)) as tf.Tensor4D;
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const [x, g] = inputs as tf.Tensor4D[];
    return tf.tidy(() => tf.mul(x!, this.coefficients(x!, g!, kwargs['training'] === true)));
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (inputShape as tf.Shape[])[0]!;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), interChannels: this.interChannels, seed: this.seed};
  }
}
tf.serialization.registerClass(AttentionGate);
