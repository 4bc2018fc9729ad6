// LD, MS-LKSeg's skip-connection block (= RepLKNet's RepLK block):
//   x + BN(pw2(ReLU(ReDW(ReLU(BN(pw1(BN(x))))))))
// with 1x1 convs without bias (each is followed by BN) and a re-parameterisable large-kernel depthwise ReDW.
import * as tf from '@tensorflow/tfjs';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types.js';
import {BatchNormParams, type AddWeight} from './batch-norm-params.js';
import {reluKeepingOutput} from './frugal-ops.js';
import {ReDWHolder, ReDWParams, type ReDWConvArgs} from './redw-conv.js';
import {heNormal, subSeed} from './weight-init.js';

export type LDArgs = ReDWConvArgs;

export class LD extends ReDWHolder {
  static className = 'LD';
  private preBn!: BatchNormParams;
  private pw1!: tf.LayerVariable;
  private pw1Bn!: BatchNormParams;
  private redw!: ReDWParams;
  private pw2!: tf.LayerVariable;
  private pw2Bn!: BatchNormParams;

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const c = (inputShape as tf.Shape)[3]!;
    const add: AddWeight = (name, shape, init, trainable = true) => this.addWeight(name, shape, 'float32', init, undefined, trainable);
    this.preBn = new BatchNormParams(add, 'pre_bn', c);
    this.pw1 = add('pw1.kernel', [1, 1, c, c], heNormal(c, subSeed(this.seed, 10)));
    this.pw1Bn = new BatchNormParams(add, 'pw1_bn', c);
    this.redw = new ReDWParams(add, 'redw.', c, {largeKernel: this.largeKernel, smallKernel: this.smallKernel, fused: this.fused}, this.seed);
    this.pw2 = add('pw2.kernel', [1, 1, c, c], heNormal(c, subSeed(this.seed, 11)));
    this.pw2Bn = new BatchNormParams(add, 'pw2_bn', c);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const training = kwargs['training'] === true;
      const y1 = reluKeepingOutput(this.pw1Bn.apply(tf.conv2d(this.preBn.apply(x, training) as tf.Tensor4D, this.pw1.read() as tf.Tensor4D, 1, 'same'), training)) as tf.Tensor4D;
      const y2 = reluKeepingOutput(this.redw.apply(y1, training)) as tf.Tensor4D;
      const y3 = this.pw2Bn.apply(tf.conv2d(y2, this.pw2.read() as tf.Tensor4D, 1, 'same'), training);
      return tf.add(x, y3);
    });
  }

  fusedWeightValues(): Record<string, tf.Tensor> {
    return this.redw.fusedValues('redw.');
  }
}
tf.serialization.registerClass(LD);
