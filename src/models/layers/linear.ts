// A linear map over the channels of every position (PyTorch's nn.Linear on tokens). On NHWC maps it runs as a 1x1
// convolution: on wasm that is XNNPACK's convolution forward and the project's registered convolution gradients,
// where the equal matmul ran in the wasm backend's generic BatchMatMul loop, about 10x slower in training
// (PVTv2-b0, 128 px: 1.1 of a 2.0 s step). The bias is fused into the convolution, so that the convolution's output
// before the bias is not kept for the backward pass (an Add keeps its inputs).
import * as tf from '@tensorflow/tfjs';

/**
 * x [..., C_in] times kernel [C_in, C_out] plus bias [C_out] -> [..., C_out]. The kernel is PyTorch's Linear
 * weight transposed ([C_out, C_in] there).
 */
export function linear(x: tf.Tensor, kernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor {
  const [cin, cout] = kernel.shape;
  if (x.rank === 4) return tf.fused.conv2d({x: x as tf.Tensor4D, filter: tf.reshape(kernel, [1, 1, cin, cout]) as tf.Tensor4D, strides: 1, pad: 'valid', bias});
  const rows = tf.reshape(x, [x.size / cin, cin]) as tf.Tensor2D;
  return tf.reshape(tf.add(tf.matMul(rows, kernel), bias), [...x.shape.slice(0, -1), cout]);
}
