import test from 'ava';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import {activateBackend} from '../../../src/engine/backends.js';

test.before(async () => {
  await activateBackend('cpu');
  await activateBackend('wasm');
});

test.serial('Tile on wasm equals cpu for any shape, repetitions and dtype, and leaks nothing', async (t) => {
  await fc.assert(fc.asyncProperty(
    fc.array(fc.integer({min: 1, max: 4}), {minLength: 1, maxLength: 5}).chain((shape) => fc.tuple(
      fc.constant(shape), fc.array(fc.integer({min: 1, max: 3}), {minLength: shape.length, maxLength: shape.length}),
      fc.constantFrom<'float32' | 'int32' | 'bool'>('float32', 'int32', 'bool'))),
    async ([shape, reps, dtype]) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const values = Array.from({length: n}, (_, i) => (dtype === 'bool' ? i % 2 : i * 1.5 - 3));
      const out: number[][] = [];
      for (const backend of ['wasm', 'cpu']) {
        await tf.setBackend(backend);
        const before = tf.memory().numTensors;
        const x = tf.tensor(values, shape, dtype);
        const y = tf.tile(x, reps);
        out.push(Array.from(y.dataSync()));
        tf.dispose([x, y]);
        if (tf.memory().numTensors !== before) return false;
      }
      return JSON.stringify(out[0]) === JSON.stringify(out[1]);
    }), {numRuns: 150, seed: 7});
  t.pass();
});
