// Property test of SplitV on the native addon (src/engine/wasm/split.ts) against the cpu backend: any rank up to 4,
// any axis (negative ones too), equal parts or given sizes (one of them -1 for the rest, empty parts included), and
// Concat's gradient, which is a SplitV.
import test from 'ava';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import {activateBackend} from '../../../src/engine/backends.js';
import {nativeCalls} from '../../../src/engine/native/dnnl.js';
import {data, nativeTestOrSkip} from './kernel-cases.js';

const nativeTest = nativeTestOrSkip('native split tests');

test.before(async () => {
  tf.env().set('PROD', true);
  await activateBackend('cpu');
  await activateBackend('wasm');
});

interface Split {shapes: number[][]; values: Float32Array[]}

async function splitOn(backend: string, shape: number[], values: Float32Array, splits: number | number[], axis: number): Promise<Split> {
  await tf.setBackend(backend);
  const x = tf.tensor(values, shape);
  const parts = tf.split(x, splits, axis);
  const result = {shapes: parts.map((p) => p.shape), values: await Promise.all(parts.map(async (p) => (await p.data()) as Float32Array))};
  tf.dispose([x, ...parts]);
  return result;
}

const same = (a: Split, b: Split) => a.shapes.length === b.shapes.length && a.shapes.every((s, k) => s.join() === b.shapes[k]!.join() &&
  a.values[k]!.every((v, i) => Object.is(v, b.values[k]![i])));

nativeTest('SplitV on the native addon equals the cpu backend on any axis, for equal parts and given sizes', async (t) => {
  const ran = nativeCalls.ran;
  const cases = fc.integer({min: 1, max: 4}).chain((rank) => fc.record({
    shape: fc.array(fc.integer({min: 1, max: 5}), {minLength: rank, maxLength: rank}),
    axis: fc.integer({min: -rank, max: rank - 1}),
    sizes: fc.array(fc.integer({min: 0, max: 4}), {minLength: 1, maxLength: 4}),
    equalParts: fc.integer({min: 1, max: 3}),
    mode: fc.constantFrom('sizes', 'rest', 'equal'),
    seed: fc.nat(),
  }));
  await fc.assert(fc.asyncProperty(cases, async (c) => {
    const axis = c.axis < 0 ? c.axis + c.shape.length : c.axis;
    let splits: number | number[] = c.sizes;
    const shape = [...c.shape];
    if (c.mode === 'equal') {
      shape[axis] = c.shape[axis]! * c.equalParts;
      splits = c.equalParts;
    } else {
      shape[axis] = c.sizes.reduce((a, b) => a + b, 0) + (c.mode === 'rest' ? c.shape[axis]! : 0);
      if (c.mode === 'rest') splits = [...c.sizes, -1];
    }
    const values = data(shape.reduce((a, b) => a * b, 1), c.seed);
    const before = tf.memory().numTensors;
    const got = await splitOn('wasm', shape, values, splits, c.axis);
    const want = await splitOn('cpu', shape, values, splits, c.axis);
    const ok = tf.memory().numTensors === before && same(got, want);
    if (!ok) t.log(JSON.stringify({...c, shape, splits}));
    return ok;
  }), {numRuns: 150, seed: 20261130});
  t.is(nativeCalls.refused, 0, nativeCalls.lastRefusal);
  t.true(nativeCalls.ran > ran + 50, `only ${nativeCalls.ran - ran} calls ran on the addon`);
});

nativeTest('the gradient of a channel concat (a SplitV) is the cpu backend\'s, bit for bit', async (t) => {
  const gradients = async (backend: string) => {
    await tf.setBackend(backend);
    const a = tf.tensor(data(2 * 4 * 4 * 3, 1), [2, 4, 4, 3]);
    const b = tf.tensor(data(2 * 4 * 4 * 5, 2), [2, 4, 4, 5]);
    const weights = tf.tensor(data(8, 3), [8]);
    const grads = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.concat([x, y], -1), weights)))([a, b]);
    const values = await Promise.all(grads.map(async (g) => Array.from(await g.data())));
    tf.dispose([a, b, weights, ...grads]);
    return values;
  };
  const ran = nativeCalls.ran;
  const got = await gradients('wasm');
  t.true(nativeCalls.ran > ran, 'the split ran on the addon');
  t.deepEqual(got, await gradients('cpu'));
});
