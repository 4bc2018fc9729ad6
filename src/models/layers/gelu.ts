// GELU, the exact (erf) form PyTorch's F.gelu computes by default, as one custom-gradient op that keeps only its
// input: x Phi(x) with Phi the standard normal CDF, Phi(x) = (1 + erf(x / sqrt 2)) / 2 (Hendrycks and Gimpel,
// "Gaussian Error Linear Units", 2016). The wasm backend has an Erf kernel; the gradient is written out so that
// no intermediate (erf, the product) is kept for the backward pass.
import * as tf from '@tensorflow/tfjs';

type Saved = (tf.Tensor | tf.GradSaveFunc)[];

const SQRT_HALF = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** GELU(x) = x Phi(x); d/dx = Phi(x) + x phi(x), phi(x) = exp(-x^2 / 2) / sqrt(2 pi). */
export function gelu<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad((...args: Saved) => {
    const input = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([input]);
    const cdf = tf.mul(tf.add(tf.erf(tf.mul(input, SQRT_HALF)), 1), 0.5);
    return {
      value: tf.mul(input, cdf),
      gradFunc: (dy: tf.Tensor, [xs]: tf.Tensor[]) => tf.tidy(() => {
        const phi = tf.mul(tf.add(tf.erf(tf.mul(xs!, SQRT_HALF)), 1), 0.5);
        const density = tf.mul(tf.exp(tf.mul(tf.square(xs!), -0.5)), INV_SQRT_2PI);
        return tf.mul(dy, tf.add(phi, tf.mul(xs!, density)));
      }),
    };
  });
  return op(x) as T;
}
