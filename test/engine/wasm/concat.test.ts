// Property test of Concat on the native addon (src/engine/wasm/concat.ts) against the cpu backend: any rank up to
// 4, any axis (negative ones too), 1 to 4 inputs of different sizes along the axis, empty ones included.
import test from 'ava';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import {activateBackend} from '../../../src/engine/backends.js';
import {nativeCalls} from '../../../src/engine/native/dnnl.js';
import {data, nativeTestOrSkip} from './kernel-cases.js';

const nativeTest = nativeTestOrSkip('native concat tests');

test.before(async () => {
  tf.env().set('PROD', true);
  await activateBackend('cpu');
  await activateBackend('wasm');
});

async function concatOn(backend: string, parts: {shape: number[]; values: Float32Array}[], axis: number): Promise<{shape: number[]; values: Float32Array}> {
  await tf.setBackend(backend);
  const tensors = parts.map((p) => tf.tensor(p.values, p.shape));
  const out = tf.concat(tensors, axis);
  const result = {shape: out.shape, values: (await out.data()) as Float32Array};
  tf.dispose([...tensors, out]);
  return result;
}

nativeTest('Concat on the native addon equals the cpu backend on any axis', async (t) => {
  const ran = nativeCalls.ran;
  const cases = fc.integer({min: 1, max: 4}).chain((rank) => fc.record({
    shape: fc.array(fc.integer({min: 1, max: 5}), {minLength: rank, maxLength: rank}),
    axis: fc.integer({min: -rank, max: rank - 1}),
    sizes: fc.array(fc.integer({min: 0, max: 4}), {minLength: 2, maxLength: 4}),
    seed: fc.nat(),
  }));
  await fc.assert(fc.asyncProperty(cases, async (c) => {
    const axis = c.axis < 0 ? c.axis + c.shape.length : c.axis;
    const parts = c.sizes.map((size, i) => {
      const shape = c.shape.map((d, a) => (a === axis ? size : d));
      return {shape, values: data(shape.reduce((x, y) => x * y, 1), c.seed + i)};
    });
    const before = tf.memory().numTensors;
    const got = await concatOn('wasm', parts, c.axis);
    const want = await concatOn('cpu', parts, c.axis);
    const same = tf.memory().numTensors === before && got.shape.join() === want.shape.join() && got.values.every((v, i) => Object.is(v, want.values[i]));
    if (!same) t.log(JSON.stringify(c));
    return same;
  }), {numRuns: 150, seed: 20261213});
  t.is(nativeCalls.refused, 0, nativeCalls.lastRefusal);
  t.true(nativeCalls.ran > ran + 50, `only ${nativeCalls.ran - ran} calls ran on the addon`);
});
