// A backend's self-check: the loss and gradients of a tiny conv net (3x3 conv with stride 2, 5x5 depthwise,
// 1x1 conv) must match the reference `cpu` backend. It exercises exactly the kernels training needs.
import * as tf from '@tensorflow/tfjs-core';

function values(n: number, phase: number): Float32Array {
  // Deterministic, non-trivial values without a random generator.
  return Float32Array.from({length: n}, (_, i) => Math.sin(i * 0.7 + phase) * 0.5);
}

async function lossAndGrads(): Promise<Float32Array[]> {
  const x = tf.tensor4d(values(2 * 9 * 9 * 3, 0), [2, 9, 9, 3]);
  const w1 = tf.tensor4d(values(3 * 3 * 3 * 4, 1), [3, 3, 3, 4]);
  const w2 = tf.tensor4d(values(5 * 5 * 4, 2), [5, 5, 4, 1]);
  const w3 = tf.tensor4d(values(4, 3), [1, 1, 4, 1]);
  const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor): tf.Scalar => {
    const h1 = tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'));
    const h2 = tf.depthwiseConv2d(h1, c as tf.Tensor4D, 1, 'same');
    return tf.mean(tf.square(tf.conv2d(h2, d as tf.Tensor4D, 1, 'valid')));
  };
  const outputs: tf.Tensor[] = [];
  try {
    const {value, grads} = tf.valueAndGrads(f)([x, w1, w2, w3]);
    outputs.push(value, ...grads);
    return await Promise.all(outputs.map(async (t) => (await t.data()) as Float32Array));
  } finally {
    tf.dispose([x, w1, w2, w3, ...outputs]);
  }
}

function maxRelativeError(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((arr, k) => {
    const ref = b[k]!;
    const scale = Math.max(1e-6, ...Array.from(ref, Math.abs));
    for (let i = 0; i < arr.length; i++) worst = Math.max(worst, Math.abs(arr[i]! - ref[i]!) / scale);
  });
  return Number.isNaN(worst) ? Infinity : worst;
}

/**
 * Max relative error (relative to each gradient's largest magnitude) of the active backend against `cpu`.
 * Returns 0 when the active backend is `cpu`. Restores the active backend before returning.
 */
export async function selfCheck(engineBackend?: string): Promise<number> {
  const active = tf.getBackend();
  if (engineBackend === undefined || active === 'cpu') return 0;
  const candidate = await lossAndGrads();
  await tf.setBackend('cpu');
  try {
    const reference = await lossAndGrads();
    return maxRelativeError(candidate, reference);
  } finally {
    await tf.setBackend(active);
  }
}
