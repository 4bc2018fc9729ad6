// MIDM, the channel attention of MS-LKSeg (= SCSA's PCSA): pool the map to a few tokens, GroupNorm(1),
// per-channel q/k/v scales, self-attention among *channels* (d = C / heads channels per head, each a vector
// of the N pooled positions), and a sigmoid gate per channel from the mean over positions of attn @ v.
//
// Called on one tensor x it returns gate(x) * x. Called on [source, target] it returns gate(source) * target:
// the 'parallel' attention order computes both gates from the same input that way.
import * as tf from '@tensorflow/tfjs';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types.js';
import {groupNorm} from './group-norm.js';
import {ones, subSeed, uniform, zeros} from './weight-init.js';

export type PoolKind = 'avg' | 'max';

export interface MIDMArgs {
  heads?: number;
  /** Pooling window and stride; null = global pooling (one token). */
  window?: number | null;
  pool?: PoolKind;
  seed?: number;
  name?: string;
}

/** The window actually used: min(window, H, W), since the reference code fails on maps smaller than it. */
export function midmWindow(window: number | null, h: number, w: number): [number, number] {
  return window === null ? [h, w] : [Math.min(window, h, w), Math.min(window, h, w)];
}

export class MIDM extends tf.layers.Layer {
  static className = 'MIDM';
  readonly heads: number;
  readonly window: number | null;
  readonly pool: PoolKind;
  readonly seed: number;
  private gamma!: tf.LayerVariable;
  private beta!: tf.LayerVariable;
  private q!: tf.LayerVariable;
  private k!: tf.LayerVariable;
  private v!: tf.LayerVariable;

  constructor(args: MIDMArgs) {
    super(args.name === undefined ? {} : {name: args.name});
    this.heads = args.heads ?? 1;
    this.window = args.window === undefined ? 7 : args.window;
    this.pool = args.pool ?? 'avg';
    this.seed = args.seed ?? 0;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const c = shape[3]!;
    if (c % this.heads !== 0) throw new Error(`MIDM '${this.name}': ${c} channels are not divisible by ${this.heads} heads`);
    this.gamma = this.addWeight('gn.gamma', [c], 'float32', ones());
    this.beta = this.addWeight('gn.beta', [c], 'float32', zeros());
    // Depthwise 1x1 convs (fan-in 1) in the reference: PyTorch's default init bound for them is 1.
    this.q = this.addWeight('q.kernel', [c], 'float32', uniform(1, subSeed(this.seed, 0)));
    this.k = this.addWeight('k.kernel', [c], 'float32', uniform(1, subSeed(this.seed, 1)));
    this.v = this.addWeight('v.kernel', [c], 'float32', uniform(1, subSeed(this.seed, 2)));
    this.built = true;
  }

  /** The channel attention [B, heads, d, d] (rows sum to 1) and the gate [B, 1, 1, C]. */
  attentionAndGate(x: tf.Tensor4D): {attention: tf.Tensor4D; gate: tf.Tensor4D} {
    return tf.tidy(() => {
      const [b, h, w, c] = x.shape;
      const [ph, pw] = midmWindow(this.window, h, w);
      const pooled = this.pool === 'avg' ? tf.avgPool(x, [ph, pw], [ph, pw], 'valid') : tf.maxPool(x, [ph, pw], [ph, pw], 'valid');
      const y = groupNorm(pooled, this.gamma.read() as tf.Tensor1D, this.beta.read() as tf.Tensor1D, 1);
      const n = pooled.shape[1] * pooled.shape[2];
      const d = c / this.heads;
      // [B, h', w', C] -> [B, heads, d, N]: channel c = head * d + i, as in the reference's reshape.
      const tokens = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [b, n, this.heads, d]), [0, 2, 3, 1]) as tf.Tensor4D;
      const q = tokens(tf.mul(y, this.q.read()));
      const k = tokens(tf.mul(y, this.k.read()));
      const v = tokens(tf.mul(y, this.v.read()));
      const attention = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(d))) as tf.Tensor4D;
      const o = tf.matMul(attention, v);
      const gate = tf.reshape(tf.sigmoid(tf.mean(o, 3)), [b, 1, 1, c]) as tf.Tensor4D;
      return {attention, gate};
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const [source, target] = Array.isArray(inputs) ? [inputs[0]!, inputs[1] ?? inputs[0]!] : [inputs, inputs];
      const {gate} = this.attentionAndGate(source as tf.Tensor4D);
      return tf.mul(target, gate);
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[inputShape.length - 1] : inputShape) as tf.Shape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), heads: this.heads, window: this.window, pool: this.pool, seed: this.seed};
  }
}
tf.serialization.registerClass(MIDM);
