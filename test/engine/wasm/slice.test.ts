import test from 'ava';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import {activateBackend} from '../../../src/engine/backends.js';

test.before(async () => {
  await activateBackend('cpu');
  await activateBackend('wasm');
});

/** A shape of rank 1-6 and a box inside it: begin and size per axis (size -1 = to the end, as tf.slice allows). */
const shapeAndBox = fc.array(fc.integer({min: 1, max: 4}), {minLength: 1, maxLength: 6}).chain((shape) => fc.tuple(
  fc.constant(shape),
  fc.tuple(...shape.map((d) => fc.integer({min: 0, max: d - 1}).chain((b) => fc.tuple(fc.constant(b), fc.oneof(fc.integer({min: 0, max: d - b}), fc.constant(-1)))))),
  fc.constantFrom<'float32' | 'int32' | 'bool'>('float32', 'int32', 'bool')));

test.serial('Slice on wasm equals cpu for any rank, box and dtype, and leaks nothing', async (t) => {
  await fc.assert(fc.asyncProperty(shapeAndBox, async ([shape, box, dtype]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = Array.from({length: n}, (_, i) => (dtype === 'bool' ? i % 2 : i * 1.5 - 3));
    const begin = box.map(([b]) => b);
    const size = box.map(([, s]) => s);
    const out: string[] = [];
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const x = tf.tensor(values, shape, dtype);
      const y = tf.slice(x, begin, size);
      out.push(JSON.stringify([y.shape, Array.from(y.dataSync())]));
      tf.dispose([x, y]);
      if (tf.memory().numTensors !== before) return false;
    }
    return out[0] === out[1];
  }), {numRuns: 200, seed: 11});
  t.pass();
});

test.serial('Slice of an empty box', async (t) => {
  await tf.setBackend('wasm');
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  const e = tf.slice(x, [1, 0], [0, 2]);
  t.deepEqual(e.shape, [0, 2]);
  tf.dispose([x, e]);
});
