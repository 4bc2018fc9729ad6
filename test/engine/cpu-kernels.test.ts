// The corrected ResizeNearestNeighborGrad of the reference cpu backend (src/engine/cpu-kernels.ts), checked against
// the forward kernel: a gradient is the adjoint of its op, <resize(x), dy> = <x, grad(dy)> for every x and dy.
import test from 'ava';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import {activateBackend} from '../../src/engine/backends.js';

const adjointGap = (x: tf.Tensor4D, dy: tf.Tensor4D, alignCorners: boolean): {gap: number; scale: number} => tf.tidy(() => {
  const size: [number, number] = [dy.shape[1], dy.shape[2]];
  const forward = tf.sum(tf.mul(tf.image.resizeNearestNeighbor(x, size, alignCorners), dy)).dataSync()[0]!;
  const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(v as tf.Tensor4D, size, alignCorners), dy)))(x);
  const backward = tf.sum(tf.mul(x, grad)).dataSync()[0]!;
  return {gap: Math.abs(forward - backward), scale: tf.sum(tf.abs(tf.mul(tf.image.resizeNearestNeighbor(x, size, alignCorners), dy))).dataSync()[0]!};
});

test.serial('cpu\'s nearest-neighbour resize gradient is the adjoint of the resize, for every batch size (tfjs-backend-cpu 4.22\'s was wrong beyond the first image)', async (t) => {
  await activateBackend('cpu');
  fc.assert(fc.property(
    fc.integer({min: 1, max: 3}), fc.integer({min: 1, max: 6}), fc.integer({min: 1, max: 6}), fc.integer({min: 1, max: 12}),
    fc.integer({min: 1, max: 12}), fc.integer({min: 1, max: 3}), fc.boolean(), fc.integer({min: 0, max: 1000}),
    (batch, h, w, outH, outW, depth, alignCorners, seed) => {
      const x = tf.randomNormal([batch, h, w, depth], 0, 1, 'float32', seed) as tf.Tensor4D;
      const dy = tf.randomNormal([batch, outH, outW, depth], 0, 1, 'float32', seed + 1) as tf.Tensor4D;
      try {
        const {gap, scale} = adjointGap(x, dy, alignCorners);
        return gap <= 1e-4 * Math.max(1, scale);
      } finally {
        tf.dispose([x, dy]);
      }
    }), {numRuns: 60});
  // The case tfjs-backend-cpu got wrong: batch 3, 2x upsampling; the second and third images' gradients.
  const x = tf.ones([3, 2, 2, 1]) as tf.Tensor4D;
  const dy = tf.tensor4d(Float32Array.from({length: 3 * 4 * 4}, (_, i) => i), [3, 4, 4, 1]);
  const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(v as tf.Tensor4D, [4, 4]), dy)))(x);
  // Image b, pixel (0, 0) collects dy rows 0-1, columns 0-1 of image b: 16b + (0 + 1 + 4 + 5).
  t.deepEqual(Array.from(await grad.data()).filter((_, i) => i % 4 === 0), [10, 74, 138]);
  tf.dispose([x, dy, grad]);
});
