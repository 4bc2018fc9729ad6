// Channel shuffle (ShuffleNet, Zhang et al. 2018) before a 1x1 convolution, folded into that convolution's
// kernel: shuffling C channels in g groups reads channel i (C / g) + j into position j g + i, so conv(shuffle(y), W)
// = conv(y, W') with W' row i (C / g) + j = W row j g + i, a reshape and transpose of W. The feature map is never
// permuted (no copy of it is made or kept), and W keeps the layout of the reference that shuffles activations.
import * as tf from '@tensorflow/tfjs';

/**
 * The 1x1 kernel [1, 1, C, F] that, applied to y, equals `kernel` applied to y's channels shuffled in `groups`
 * groups (PyTorch: y.reshape(B, groups, C / groups, H, W).transpose(1, 2)). groups 1 or C is the identity.
 */
export function shuffledPointwiseKernel(kernel: tf.Tensor4D, groups: number): tf.Tensor4D {
  const [, , c, f] = kernel.shape;
  if (groups === 1 || groups === c) return kernel;
  if (c % groups !== 0) throw new Error(`channel shuffle: ${c} channels do not split into ${groups} groups`);
  return tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(kernel, [c / groups, groups, f]), [1, 0, 2]), [1, 1, c, f]) as tf.Tensor4D);
}

export function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
