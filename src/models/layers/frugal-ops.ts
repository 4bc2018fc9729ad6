// Ops with hand-written gradients that keep fewer feature maps for the backward pass than their TF.js
// compositions. TF.js saves whatever each primitive's gradient might read (an Add keeps both inputs to learn
// their shapes, a ReLU keeps its input although the next layer keeps its output), and on the wasm backend's
// 4 GB heap that decides which models train at 256 px. Each op here has the same forward arithmetic as the
// composition it replaces; test/models/layers/frugal-ops.test.ts checks values and gradients against it.
import * as tf from '@tensorflow/tfjs';

type Saved = (tf.Tensor | tf.GradSaveFunc)[];

/**
 * max(x, 0), keeping its output rather than its input: every consumer in the models (a convolution, pooling,
 * an attention gate) keeps that output anyway, so the ReLU costs no memory of its own.
 */
export function reluKeepingOutput<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad((...args: Saved) => {
    const save = args[1] as tf.GradSaveFunc;
    const y = tf.relu(args[0] as tf.Tensor);
    save([y]);
    return {value: y, gradFunc: (dy: tf.Tensor, [out]: tf.Tensor[]) => tf.tidy(() => tf.mul(dy, tf.step(out!)))};
  });
  return op(x) as T;
}

/**
 * x * ah * aw for x [B, H, W, C], ah [B, H, 1, C], aw [B, 1, W, C] (MIE's two gates), keeping x and the two
 * small gates; the product x * ah, a whole feature map, is not kept.
 */
export function scaleByGates(x: tf.Tensor4D, ah: tf.Tensor4D, aw: tf.Tensor4D): tf.Tensor4D {
  const op = tf.customGrad((...args: Saved) => {
    const [input, h, w] = args as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    (args[3] as tf.GradSaveFunc)([input, h, w]);
    return {
      value: tf.mul(tf.mul(input, h), w),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const [xs, hs, ws] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        const dyX = tf.mul(dy, xs);
        return [tf.mul(tf.mul(dy, hs), ws), tf.sum(tf.mul(dyX, ws), 2, true), tf.sum(tf.mul(dyX, hs), 1, true)];
      }),
    };
  });
  return op(x, ah, aw) as tf.Tensor4D;
}

/**
 * Sample b of x [B, H, W, C_in] convolved ('same', stride 1) with its own kernel kernels[b] [kh, kw, C_in, F],
 * plus biases[b] [F]: DyConv's aggregated-kernel convolution. Keeps x and the kernels; composed from slices,
 * convolutions, adds and a concat, it also kept a copy of x and the convolution outputs.
 */
export function perSampleConv2d(x: tf.Tensor4D, kernels: tf.Tensor5D, biases: tf.Tensor2D): tf.Tensor4D {
  const [b, h, w, cin] = x.shape;
  const filterShape = kernels.shape.slice(1) as [number, number, number, number];
  const sample = (t: tf.Tensor, i: number) => tf.slice(t, i, 1);
  const op = tf.customGrad((...args: Saved) => {
    const [input, ks, bs] = args as [tf.Tensor4D, tf.Tensor5D, tf.Tensor2D];
    (args[3] as tf.GradSaveFunc)([input, ks]);
    const outputs = Array.from({length: b}, (_, i) => tf.add(
      tf.conv2d(sample(input, i) as tf.Tensor4D, tf.reshape(sample(ks, i), filterShape) as tf.Tensor4D, 1, 'same'),
      tf.reshape(sample(bs, i), [filterShape[3]])));
    return {
      value: b === 1 ? outputs[0]! : tf.concat(outputs, 0),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const [xs, kernelsSaved] = saved as [tf.Tensor4D, tf.Tensor5D];
        const conv = {strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1};
        const dx: tf.Tensor[] = [];
        const dk: tf.Tensor[] = [];
        for (let i = 0; i < b; i++) {
          const dyi = sample(dy, i);
          const ki = tf.reshape(sample(kernelsSaved, i), filterShape);
          dx.push(tf.engine().runKernel('Conv2DBackpropInput', {dy: dyi, filter: ki}, {...conv, inputShape: [1, h, w, cin]}) as tf.Tensor);
          dk.push(tf.engine().runKernel('Conv2DBackpropFilter', {x: sample(xs, i), dy: dyi}, {...conv, filterShape}) as tf.Tensor);
        }
        return [b === 1 ? dx[0]! : tf.concat(dx, 0), tf.stack(dk), tf.sum(dy, [1, 2])];
      }),
    };
  });
  return op(x, kernels, biases) as tf.Tensor4D;
}
