// Grouped 2-D convolution, which TF.js lacks (tf.conv2d has no groups), composed from ops that train on every
// backend: one depthwise convolution with a channel multiplier, then a sum over each group's input channels.
//   Group g of G has Cg = C_in / G inputs and M = C_out / G outputs. Depthwise output channel c M + m of input
//   channel c = g Cg + j is x_c convolved with kernel[:, :, j, g M + m]; summing it over j gives output g M + m.
// Exact, and its gradients are those of the depthwise convolution (registered for wasm) and of reshape/sum.
import * as tf from '@tensorflow/tfjs';

export type ConvPadding = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

/**
 * x [B, H, W, C_in] convolved with `groups` groups: kernel [kh, kw, C_in / groups, C_out] (PyTorch's grouped
 * weight [C_out, C_in / groups, kh, kw] with axes (2, 3, 1, 0)), stride 1 unless given. groups = 1 is tf.conv2d.
 * Throws when C_in or C_out is not divisible by groups.
 */
export function groupedConv2d(x: tf.Tensor4D, kernel: tf.Tensor4D, groups: number, pad: ConvPadding = 'same', strides = 1): tf.Tensor4D {
  if (groups === 1) return tf.conv2d(x, kernel, strides, pad);
  const [b, , , cin] = x.shape;
  const [kh, kw, cg, cout] = kernel.shape;
  if (cin !== cg * groups || cout % groups !== 0) {
    throw new Error(`grouped conv: ${cin} input and ${cout} output channels do not split into ${groups} groups of ${cg} inputs`);
  }
  const m = cout / groups;
  return tf.tidy(() => {
    // [kh, kw, Cg, G, M] -> [kh, kw, G, Cg, M] -> [kh, kw, C_in, M]: input channel g Cg + j, multiplier m.
    const filter = tf.reshape(tf.transpose(tf.reshape(kernel, [kh, kw, cg, groups, m]), [0, 1, 3, 2, 4]), [kh, kw, cin, m]) as tf.Tensor4D;
    const y = tf.depthwiseConv2d(x, filter, strides, pad);
    const [, h, w] = y.shape;
    if (cg === 1) return tf.reshape(y, [b, h, w, cout]) as tf.Tensor4D;
    return tf.reshape(tf.sum(tf.reshape(y, [b * h * w, groups, cg, m]), 2), [b, h, w, cout]) as tf.Tensor4D;
  });
}
