// Training-mode batch norm on the native addon (src/engine/wasm/batch-norm-training.ts) against the same op composed
// from TF.js kernels on the cpu backend (src/models/layers/batch-norm-params.ts): the map, the batch statistics and
// the three gradients, for any shape, scale and offset; the same bits on 1 and 2 threads; no tensor left behind.
import test from 'ava';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import {activateBackend} from '../../../src/engine/backends.js';
import {nativeCalls, nativeThreads, setNativeThreads} from '../../../src/engine/native/dnnl.js';
import {batchNormTraining} from '../../../src/models/layers/batch-norm-params.js';
import {data, nativeTestOrSkip, relativeError} from './kernel-cases.js';

const nativeTest = nativeTestOrSkip('native training batch norm tests');

test.before(async () => {
  tf.env().set('PROD', true);
  await activateBackend('cpu');
  await activateBackend('wasm');
});

interface Case {shape: number[]; seed: number; offset: number; spread: number}

/** y, mean, variance, dx, dgamma, dbeta of batchNormTraining on `backend`, for the loss sum(y * w). */
async function trainingBatchNorm(backend: string, c: Case): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const channels = c.shape.at(-1)!;
  const size = c.shape.reduce((a, b) => a * b, 1);
  const before = tf.memory().numTensors;
  const x = tf.tensor(data(size, c.seed).map((v) => c.offset + c.spread * v), c.shape);
  const w = tf.tensor(data(size, c.seed + 1), c.shape);
  const gamma = tf.tensor1d(data(channels, c.seed + 2).map((v) => 1 + v));
  const beta = tf.tensor1d(data(channels, c.seed + 3));
  const stats: tf.Tensor[] = [];
  const loss = (xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(batchNormTraining(xs, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5,
    (m, v) => stats.push(tf.keep(m.clone()), tf.keep(v.clone()))), w));
  const grads = tf.grads(loss)([x, gamma, beta]);
  const y = tf.tidy(() => batchNormTraining(x, gamma, beta, 1e-5, () => {}));
  const all = [y, stats[0]!, stats[1]!, ...grads];
  const out = await Promise.all(all.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([x, w, gamma, beta, ...all]);
  if (tf.memory().numTensors !== before) throw new Error(`${tf.memory().numTensors - before} tensors left behind on ${backend}`);
  return out;
}

const NAMES = ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'];

const cases: fc.Arbitrary<Case> = fc.record({
  shape: fc.tuple(fc.integer({min: 1, max: 4}), fc.integer({min: 1, max: 9}), fc.integer({min: 1, max: 9}), fc.integer({min: 1, max: 20})),
  seed: fc.nat(),
  offset: fc.double({min: -2, max: 2, noNaN: true}),
  spread: fc.double({min: 0.1, max: 4, noNaN: true}),
});

nativeTest('training batch norm on the addon equals the composed op on cpu: map, statistics and gradients', async (t) => {
  const ran = nativeCalls.ran;
  await fc.assert(fc.asyncProperty(cases, async (c) => {
    const got = await trainingBatchNorm('wasm', c);
    const want = await trainingBatchNorm('cpu', c);
    const errors = got.map((g, i) => relativeError(g, want[i]!));
    const ok = errors.every((e) => e < 2e-5);
    if (!ok) t.log(JSON.stringify(c), NAMES.map((n, i) => `${n} ${errors[i]!.toExponential(2)}`).join(', '));
    return ok;
  }), {numRuns: 60, seed: 20261130});
  t.is(nativeCalls.refused, 0, nativeCalls.lastRefusal);
  t.true(nativeCalls.ran >= ran + 2 * 60, `only ${nativeCalls.ran - ran} calls ran on the addon`);
});

nativeTest('training batch norm gives the same bits on 1 and 2 threads (the statistics are summed on one)', async (t) => {
  const threads = nativeThreads();
  try {
    await fc.assert(fc.asyncProperty(cases, async (c) => {
      setNativeThreads(1);
      const one = await trainingBatchNorm('wasm', c);
      setNativeThreads(2);
      const two = await trainingBatchNorm('wasm', c);
      return one.every((v, i) => v.every((x, j) => Object.is(x, two[i]![j])));
    }), {numRuns: 20, seed: 7});
  } finally {
    setNativeThreads(threads);
  }
  t.pass();
});
