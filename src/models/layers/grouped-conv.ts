// Grouped 2-D convolution, which TF.js lacks (tf.conv2d has no groups), composed from ops that train on every
// backend. With one output per group (M = C_out / G = 1, EMCAD's LGAG): one depthwise convolution, then a sum
// over each group's input channels: group g has Cg = C_in / G inputs, and depthwise channel c = g Cg + j is x_c
// convolved with kernel[:, :, j, g], summed over j. With M > 1, whose depthwise gradients (channel multiplier M)
// the wasm backend lacks: one dense convolution per group on its slice of channels, concatenated.
// Exact, and its gradients are those of the convolutions (registered for wasm) and of reshape/sum/slice/concat.
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
    if (m > 1) {
      const perGroup = Array.from({length: groups}, (_, g) => tf.conv2d(
        tf.slice(x, [0, 0, 0, g * cg], [-1, -1, -1, cg]), tf.slice(kernel, [0, 0, 0, g * m], [-1, -1, -1, m]), strides, pad));
      return tf.concat(perGroup, 3);
    }
    // [kh, kw, Cg, G] -> [kh, kw, G, Cg] -> [kh, kw, C_in, 1]: depthwise channel g Cg + j carries kernel[:, :, j, g].
    const filter = tf.reshape(tf.transpose(kernel, [0, 1, 3, 2]), [kh, kw, cin, 1]) as tf.Tensor4D;
    const y = tf.depthwiseConv2d(x, filter, strides, pad);
    const [, h, w] = y.shape;
    if (cg === 1) return y;
    return tf.reshape(tf.sum(tf.reshape(y, [b * h * w, groups, cg]), 2), [b, h, w, cout]) as tf.Tensor4D;
  });
}
