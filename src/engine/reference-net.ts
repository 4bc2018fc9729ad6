// A fixed conv net that exercises every kernel family MS-LKSeg trains with (3x3 conv, 21x21 depthwise, 1x1 conv,
// max-pool, bilinear up-sampling, concat), built from raw ops so that engine benchmarks do not depend on the
// model code. Used by `mslk bench engine`, which trains it with the project's training step
// (src/training/engine-bench.ts).
import * as tf from '@tensorflow/tfjs-core';
import {SeededRandom} from '../io/random.js';

export interface ReferenceNet {
  /** The six convolution kernels, in a fixed order. */
  params: tf.Variable[];
  /** Logits [B, H, W, 1]. */
  forward(x: tf.Tensor4D): tf.Tensor4D;
  dispose(): void;
}

const WIDTH = 16;

/** The reference net with He-normal kernels drawn from the seeded stream 'reference-net'. */
export function buildReferenceNet(seed = 0): ReferenceNet {
  const rng = SeededRandom.stream('reference-net', seed);
  const he = (shape: [number, number, number, number], fanIn: number): tf.Variable =>
    tf.variable(tf.tensor4d(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b)), 0, Math.sqrt(2 / fanIn)), shape));
  const c = WIDTH;
  const stem = he([3, 3, 3, c], 27);
  const down = he([3, 3, c, 2 * c], 9 * c);
  const large = he([21, 21, 2 * c, 1], 441);
  const point = he([1, 1, 2 * c, 2 * c], 2 * c);
  const fuse = he([3, 3, 3 * c, c], 27 * c);
  const head = he([1, 1, c, 1], c);
  const params = [stem, down, large, point, fuse, head];
  return {
    params,
    forward(x) {
      return tf.tidy(() => {
        const s1 = tf.relu(tf.conv2d(x, stem as tf.Tensor4D, 1, 'same'));
        const p = tf.maxPool(s1, 2, 2, 'valid');
        const d = tf.relu(tf.conv2d(p, down as tf.Tensor4D, 1, 'same'));
        const l = tf.relu(tf.depthwiseConv2d(d, large as tf.Tensor4D, 1, 'same'));
        const m = tf.relu(tf.conv2d(l, point as tf.Tensor4D, 1, 'same'));
        const u = tf.image.resizeBilinear(m, [x.shape[1], x.shape[2]], false, true);
        const f = tf.relu(tf.conv2d(tf.concat([u, s1], 3), fuse as tf.Tensor4D, 1, 'same'));
        return tf.conv2d(f, head as tf.Tensor4D, 1, 'same');
      });
    },
    dispose() {
      tf.dispose(params);
    },
  };
}

/** A deterministic batch: images in [0, 1] and a binary disc mask. */
export function referenceBatch(batch: number, size: number, seed = 0): {x: tf.Tensor4D; y: tf.Tensor4D} {
  const rng = SeededRandom.stream('reference-batch', seed);
  const x = new Float32Array(batch * size * size * 3);
  for (let i = 0; i < x.length; i++) x[i] = rng.float();
  const y = new Float32Array(batch * size * size);
  const r = size / 4;
  for (let b = 0; b < batch; b++) for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) {
    y[(b * size + i) * size + j] = (i - size / 2) ** 2 + (j - size / 2) ** 2 < r * r ? 1 : 0;
  }
  return {x: tf.tensor4d(x, [batch, size, size, 3]), y: tf.tensor4d(y, [batch, size, size, 1])};
}
