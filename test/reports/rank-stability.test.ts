import test from 'ava';
import fc from 'fast-check';
import {rankStability} from '../../src/reports/rank-stability.js';

test('a variant better on every image keeps rank 1 in every resample', (t) => {
  const scores = [
    [0.5, 0.6, 0.7, 0.55, 0.65],
    [0.9, 0.95, 0.85, 0.92, 0.88],
    [0.1, 0.2, 0.15, 0.12, 0.3],
  ];
  t.deepEqual(rankStability(scores, {seed: 1, resamples: 300}), [
    [0, 1, 0],
    [1, 0, 0],
    [0, 0, 1],
  ]);
});

test('two variants that each win half the images swap ranks about half of the time', (t) => {
  // Variant 0 wins images 0..49 by 0.1, variant 1 wins images 50..99 by 0.1: the resampled mean difference is
  // symmetric about 0, so each takes rank 1 in about half of the resamples (ties, where both share rank 1, are rare).
  const a = Array.from({length: 100}, (_, i) => (i < 50 ? 0.8 : 0.7));
  const b = Array.from({length: 100}, (_, i) => (i < 50 ? 0.7 : 0.8));
  const frequencies = rankStability([a, b], {seed: 3});
  t.true(Math.abs(frequencies[0]![0]! - 0.5) < 0.1, String(frequencies[0]));
  t.true(Math.abs(frequencies[1]![0]! - 0.5) < 0.1, String(frequencies[1]));
});

test('identical variants tie for rank 1 every time (min ranking)', (t) => {
  const row = [0.3, 0.9, 0.5];
  t.deepEqual(rankStability([row, [...row]], {seed: 0, resamples: 50}), [[1, 0], [1, 0]]);
});

test('deterministic by seed, 1000 resamples by default; invalid input is refused', (t) => {
  const scores = [[0.1, 0.5, 0.9, 0.4], [0.3, 0.4, 0.6, 0.8], [0.5, 0.5, 0.5, 0.5]];
  const a = rankStability(scores, {seed: 11});
  t.deepEqual(rankStability(scores, {seed: 11, resamples: 1000}), a);
  t.notDeepEqual(rankStability(scores, {seed: 12}), a);
  // Frequencies of 1000 resamples are multiples of 1/1000.
  t.true(a.flat().every((f) => Math.abs(f * 1000 - Math.round(f * 1000)) < 1e-9));
  t.throws(() => rankStability([], {seed: 0}), {message: /at least one variant/});
  t.throws(() => rankStability([[]], {seed: 0}), {message: /at least one image/});
  t.throws(() => rankStability([[1, 2], [1]], {seed: 0}), {message: /variant 1 has 1 image scores/});
  t.throws(() => rankStability([[1]], {seed: 0, resamples: 0}), {message: /positive integer/});
});

test('property: every row sums to 1, and every resample hands out rank 1', (t) => {
  const scores = fc.integer({min: 1, max: 5}).chain((images) =>
    fc.array(fc.array(fc.integer({min: 0, max: 4}), {minLength: images, maxLength: images}), {minLength: 1, maxLength: 5}));
  fc.assert(fc.property(scores, fc.integer(), (table, seed) => {
    const frequencies = rankStability(table, {seed, resamples: 40});
    return frequencies.every((row) => row.length === table.length && Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-9) &&
      frequencies.reduce((sum, row) => sum + row[0]!, 0) >= 1 - 1e-9;
  }));
  t.pass();
});
