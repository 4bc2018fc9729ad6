// Property test of FusedBatchNorm on the native addon (src/engine/wasm/batch-norm.ts) against the cpu backend, bit
// for bit: random shapes, vectors of the channels' length or scalars, with and without offset and scale.
import test from 'ava';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import {activateBackend} from '../../../src/engine/backends.js';
import {nativeCalls} from '../../../src/engine/native/dnnl.js';
import {data, nativeTestOrSkip, run} from './kernel-cases.js';

const nativeTest = nativeTestOrSkip('native batch-norm tests');

test.before(async () => {
  tf.env().set('PROD', true);
  await activateBackend('cpu');
  await activateBackend('wasm');
});

nativeTest('FusedBatchNorm on the native addon equals the cpu backend bit for bit', async (t) => {
  const ran = nativeCalls.ran;
  const cases = fc.record({
    shape: fc.array(fc.integer({min: 1, max: 7}), {minLength: 4, maxLength: 4}),
    scalar: fc.array(fc.boolean(), {minLength: 4, maxLength: 4}),
    withOffset: fc.boolean(), withScale: fc.boolean(),
    epsilon: fc.constantFrom(1e-3, 1e-5, 0.1), seed: fc.nat(),
  });
  await fc.assert(fc.asyncProperty(cases, async (c) => {
    const channels = c.shape[3]!;
    const vector = (i: number, positive = false) => {
      const n = c.scalar[i] ? 1 : channels;
      return {shape: [n], values: Float32Array.from(data(n, c.seed + i + 1), (v) => (positive ? v + 0.6 : v))};
    };
    const inputs: Record<string, {shape: number[]; values: Float32Array}> = {
      x: {shape: c.shape, values: data(c.shape.reduce((a, b) => a * b), c.seed)},
      mean: vector(0), variance: vector(1, true),
      ...(c.withOffset ? {offset: vector(2)} : {}), ...(c.withScale ? {scale: vector(3)} : {}),
    };
    const attrs = {varianceEpsilon: c.epsilon};
    const leaks: string[] = [];
    const got = await run('wasm', 'FusedBatchNorm', inputs, attrs, leaks);
    const want = await run('cpu', 'FusedBatchNorm', inputs, attrs, []);
    const same = leaks.length === 0 && got.shape.join() === want.shape.join() && got.values.every((v, i) => Object.is(v, want.values[i]));
    if (!same) t.log(JSON.stringify(c), leaks);
    return same;
  }), {numRuns: 150, seed: 20261212});
  t.is(nativeCalls.refused, 0, nativeCalls.lastRefusal);
  t.true(nativeCalls.ran >= ran + 150, `only ${nativeCalls.ran - ran} calls ran on the addon`);
});
