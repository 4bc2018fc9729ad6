import test from 'ava';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import {batchNormTraining} from '../../../src/models/layers/batch-norm-params.js';
import {perSampleConv2d, reluKeepingOutput, scaleByGates} from '../../../src/models/layers/frugal-ops.js';
import {randomTensor, useWasm} from '../helpers.js';

test.before(useWasm);

/** Value and gradients (for a random upstream gradient) of f at xs, as plain arrays. */
function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], seed: number): number[][] {
  return tf.tidy(() => {
    const y = f(...xs);
    const dy = randomTensor(y.shape, seed);
    const grads = tf.grads((...args: tf.Tensor[]) => f(...args))(xs, dy);
    return [y, ...grads].map((t) => Array.from(t.dataSync()));
  });
}

function maxDiff(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((row, i) => row.forEach((v, j) => {
    worst = Math.max(worst, Math.abs(v - b[i]![j]!) / Math.max(1, Math.abs(b[i]![j]!)));
  }));
  return worst;
}

const shapes = fc.record({b: fc.integer({min: 1, max: 3}), h: fc.integer({min: 1, max: 7}), w: fc.integer({min: 1, max: 7}), c: fc.integer({min: 1, max: 5}), seed: fc.nat(1000)});

test.serial('reluKeepingOutput: value and gradient equal tf.relu', (t) => {
  fc.assert(fc.property(shapes, ({b, h, w, c, seed}) => {
    const x = randomTensor([b, h, w, c], seed);
    const diff = maxDiff(valueAndGrads(reluKeepingOutput, [x], seed + 1), valueAndGrads(tf.relu, [x], seed + 1));
    x.dispose();
    return diff === 0;
  }), {numRuns: 30});
  t.pass();
});

test.serial('scaleByGates: value and gradients equal x * ah * aw', (t) => {
  fc.assert(fc.property(shapes, ({b, h, w, c, seed}) => {
    const xs = [randomTensor([b, h, w, c], seed), randomTensor([b, h, 1, c], seed + 1), randomTensor([b, 1, w, c], seed + 2)];
    const ours = valueAndGrads((x, ah, aw) => scaleByGates(x as tf.Tensor4D, ah as tf.Tensor4D, aw as tf.Tensor4D), xs, seed + 3);
    const composed = valueAndGrads((x, ah, aw) => tf.mul(tf.mul(x!, ah!), aw!), xs, seed + 3);
    tf.dispose(xs);
    return maxDiff(ours, composed) < 1e-5;
  }), {numRuns: 30});
  t.pass();
});

test.serial('perSampleConv2d: value and gradients equal per-sample conv2d + bias, concatenated', (t) => {
  fc.assert(fc.property(shapes, fc.integer({min: 1, max: 4}), fc.constantFrom(1, 3, 5), ({b, h, w, c, seed}, f, k) => {
    const xs = [randomTensor([b, h, w, c], seed), randomTensor([b, k, k, c, f], seed + 1), randomTensor([b, f], seed + 2)];
    const ours = valueAndGrads((x, ks, bs) => perSampleConv2d(x as tf.Tensor4D, ks as tf.Tensor5D, bs as tf.Tensor2D), xs, seed + 3);
    const composed = valueAndGrads((x, ks, bs) => tf.concat(Array.from({length: b}, (_, i) => tf.add(
      tf.conv2d(tf.slice(x!, i, 1) as tf.Tensor4D, tf.reshape(tf.slice(ks!, i, 1), [k, k, c, f]) as tf.Tensor4D, 1, 'same'),
      tf.reshape(tf.slice(bs!, i, 1), [f])))), xs, seed + 3);
    tf.dispose(xs);
    return maxDiff(ours, composed) < 1e-4;
  }), {numRuns: 30});
  t.pass();
});

test.serial('batchNormTraining: value, gradients and batch statistics equal tf.moments + tf.batchNorm', (t) => {
  fc.assert(fc.property(shapes, ({b, h, w, c, seed}) => {
    const xs = [tf.add(randomTensor([b, h, w, c], seed, 2), 0.5), randomTensor([c], seed + 1), randomTensor([c], seed + 2)];
    let stats: number[][] = [];
    const ours = valueAndGrads((x, g, be) => batchNormTraining(x!, g as tf.Tensor1D, be as tf.Tensor1D, 1e-5, (m, v) => {
      stats = [Array.from(m.dataSync()), Array.from(v.dataSync())];
    }), xs, seed + 3);
    const composed = valueAndGrads((x, g, be) => {
      const {mean, variance} = tf.moments(x!, [0, 1, 2]);
      return tf.batchNorm(x!, mean, variance, be as tf.Tensor1D, g as tf.Tensor1D, 1e-5);
    }, xs, seed + 3);
    const reference = tf.tidy(() => {
      const {mean, variance} = tf.moments(xs[0]!, [0, 1, 2]);
      return [Array.from(mean.dataSync()), Array.from(variance.dataSync())];
    });
    tf.dispose(xs);
    // A single value per channel (b = h = w = 1) has variance 0: the gradient is 1/sqrt(eps)-scaled noise.
    const tolerance = b * h * w === 1 ? 1e-2 : 1e-3;
    return maxDiff(ours, composed) < tolerance && maxDiff(stats, reference) < 1e-5;
  }), {numRuns: 30});
  t.pass();
});
