import test from 'ava';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {resizeBilinear} from '../../src/evaluation/index.js';

test('same size: an identical copy, not the same array', (t) => {
  const source = Float32Array.from([0.1, 0.7, 0.3, 0.9, 0.2, 0.4]);
  const out = resizeBilinear(source, {height: 2, width: 3}, {height: 2, width: 3});
  t.deepEqual([...out], [...source]);
  t.not(out, source);
});

test('2x2 -> 4x4 with half-pixel centres, by hand', (t) => {
  // Source [[0, 1], [2, 3]]. Output index i samples source coordinate (i + 0.5) * 2/4 - 0.5 = -0.25, 0.25, 0.75,
  // 1.25, clamped to 0, 0.25, 0.75, 1. Value = x + 2y (the source is bilinear already): row y=0: 0, .25, .75, 1;
  // y=0.25: +0.5; y=0.75: +1.5; y=1: +2.
  const out = resizeBilinear(Float32Array.from([0, 1, 2, 3]), {height: 2, width: 2}, {height: 4, width: 4});
  t.deepEqual([...out], [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3]);
});

test('4x4 -> 2x2 averages 2x2 blocks (samples at the block centres 0.5 and 2.5)', (t) => {
  const source = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  // Block (0,0): (0 + 1 + 4 + 5) / 4 = 2.5; (0,1): 4.5; (1,0): 10.5; (1,1): 12.5
  t.deepEqual([...resizeBilinear(source, {height: 4, width: 4}, {height: 2, width: 2})], [2.5, 4.5, 10.5, 12.5]);
});

test('agrees with tf.image.resizeBilinear(halfPixelCenters = true) on random maps', async (t) => {
  await tf.setBackend('cpu');
  const cases = fc.record({
    from: fc.record({height: fc.integer({min: 1, max: 9}), width: fc.integer({min: 1, max: 9})}),
    to: fc.record({height: fc.integer({min: 1, max: 13}), width: fc.integer({min: 1, max: 13})}),
    seed: fc.integer(),
  });
  fc.assert(
    fc.property(cases, ({from, to, seed}) => {
      const source = new Float32Array(from.height * from.width);
      let state = seed >>> 0;
      for (let i = 0; i < source.length; i++) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        source[i] = state / 2 ** 32;
      }
      const ours = resizeBilinear(source, from, to);
      const theirs = tf.tidy(() =>
        tf.image.resizeBilinear(tf.tensor3d(source, [from.height, from.width, 1]), [to.height, to.width], false, true).dataSync(),
      );
      for (let i = 0; i < ours.length; i++) if (Math.abs(ours[i]! - theirs[i]!) > 1e-6) return false;
      return true;
    }),
    {numRuns: 200},
  );
  t.pass(); // fc.assert throws on a counterexample
});
