import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import {DyConv, dyConvHiddenUnits} from '../../../src/models/layers/dyconv.js';
import {applyLayer, maxAbsDiff, paramCount, randomTensor, useWasm} from '../helpers.js';

test.before(useWasm);

test.serial('the layer (aggregated kernels) equals the weighted-outputs form and a per-sample reference', async (t) => {
  const layer = new DyConv({filters: 6, kernels: 4, temperature: 0.7, seed: 3});
  const x = randomTensor([3, 9, 9, 5], 1) as tf.Tensor4D;
  // Non-zero biases, so that their aggregation is tested too.
  applyLayer(layer, x).dispose();
  const weights = layer.getWeights();
  layer.setWeights([weights[0]!, randomTensor(weights[1]!.shape, 2), weights[2]!, randomTensor(weights[3]!.shape, 4)]);
  const fast = applyLayer(layer, x);
  const pi = await layer.attention(x).array();
  const perSample = tf.tidy(() => tf.concat(pi.map((p, b) => {
    let kernel: tf.Tensor4D | undefined;
    let bias: tf.Tensor1D | undefined;
    p.forEach((weight, k) => {
      const w = layer.kernelAt(k);
      kernel = (kernel ? tf.add(kernel, tf.mul(w.kernel, weight)) : tf.mul(w.kernel, weight)) as tf.Tensor4D;
      bias = (bias ? tf.add(bias, tf.mul(w.bias, weight)) : tf.mul(w.bias, weight)) as tf.Tensor1D;
    });
    const xb = tf.slice(x, [b, 0, 0, 0], [1, 9, 9, 5]);
    return tf.add(tf.conv2d(xb, kernel!, 1, 'same'), bias!);
  })));
  const weighted = layer.weightedOutputs(x);
  t.true((await maxAbsDiff(fast, perSample)) < 1e-4);
  t.true((await maxAbsDiff(fast, weighted)) < 1e-4);
  tf.dispose([fast, perSample, weighted, x]);
  layer.dispose();
});

test.serial('a large temperature gives uniform attention; attention rows sum to 1', async (t) => {
  const layer = new DyConv({filters: 4, kernels: 4, temperature: 1, seed: 5});
  const x = randomTensor([2, 8, 8, 8], 6, 3) as tf.Tensor4D;
  applyLayer(layer, x).dispose();
  const sharp = await layer.attention(x).array();
  for (const row of sharp) t.true(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  layer.temperature = 1e6;
  const flat = await layer.attention(x).array();
  for (const row of flat) for (const p of row) t.true(Math.abs(p - 0.25) < 1e-4);
  x.dispose();
  layer.dispose();
});

test('parameter count: K (9 C_in C_out + C_out) + C_in h + h K', (t) => {
  for (const [cin, cout, k] of [[3, 16, 4], [16, 32, 2], [32, 32, 1], [8, 4, 8]] as const) {
    const layer = new DyConv({filters: cout, kernels: k});
    layer.build([null, 8, 8, cin]);
    const h = dyConvHiddenUnits(cin, k);
    t.is(h, cin === 3 ? k : Math.floor(cin / 4));
    t.is(paramCount(layer), k * (9 * cin * cout + cout) + cin * h + h * k);
  }
});
