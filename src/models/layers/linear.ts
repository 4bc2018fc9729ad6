// A linear map over the channels of every position (PyTorch's nn.Linear on tokens), as one 2-D matmul.
import * as tf from '@tensorflow/tfjs';

/**
 * x [..., C_in] times kernel [C_in, C_out] plus bias [C_out] -> [..., C_out]. The kernel is PyTorch's Linear
 * weight transposed ([C_out, C_in] there).
 */
export function linear(x: tf.Tensor, kernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor {
  const cin = x.shape[x.rank - 1]!;
  const cout = kernel.shape[1];
  const rows = tf.reshape(x, [x.size / cin, cin]) as tf.Tensor2D;
  return tf.reshape(tf.add(tf.matMul(rows, kernel), bias), [...x.shape.slice(0, -1), cout]);
}
