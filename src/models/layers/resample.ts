// x2 up-sampling for the decoders. Bilinear uses half-pixel centres (PyTorch's align_corners=False), not
// TF.js's default, so that the PyTorch twin computes the same function.
import * as tf from '@tensorflow/tfjs';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types.js';

export type UpsampleMode = 'bilinear' | 'nearest';

export interface UpsampleArgs {
  mode?: UpsampleMode;
  factor?: number;
  name?: string;
}

export class Upsample extends tf.layers.Layer {
  static className = 'MslkUpsample';
  readonly mode: UpsampleMode;
  readonly factor: number;

  constructor(args: UpsampleArgs) {
    super(args.name === undefined ? {} : {name: args.name});
    this.mode = args.mode ?? 'bilinear';
    this.factor = args.factor ?? 2;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
    const size: [number, number] = [x.shape[1] * this.factor, x.shape[2] * this.factor];
    return this.mode === 'bilinear' ? tf.image.resizeBilinear(x, size, false, true) : tf.image.resizeNearestNeighbor(x, size, false, false);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = inputShape as tf.Shape;
    const up = (v: number | null) => (v === null ? null : v * this.factor);
    return [s[0]!, up(s[1]!), up(s[2]!), s[3]!];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), mode: this.mode, factor: this.factor};
  }
}
tf.serialization.registerClass(Upsample);
