import test from 'ava';
import {binarize, confusionCounts, confusionFromMasks} from '../../src/evaluation/index.js';
import {drawMask} from './helpers.js';

test('binarize keeps p >= 0.5 (the threshold itself is foreground) and honours another threshold', (t) => {
  const p = Float32Array.from([0, 0.49, 0.5, 0.75, 1]);
  t.deepEqual([...binarize(p)], [0, 0, 1, 1, 1]);
  t.deepEqual([...binarize(p, 0.75)], [0, 0, 0, 1, 1]);
});

test('a NaN probability is an error, not background', (t) => {
  t.throws(() => binarize(Float32Array.from([0.2, Number.NaN])), {message: /NaN at pixel 1/});
});

test('confusion counts of a hand case', (t) => {
  const truth = drawMask('##..', '##..', '....');
  const prediction = drawMask('#...', '###.', '...#');
  // TP: (0,0) (1,0) (1,1) = 3; FP: (1,2) (2,3) = 2; FN: (0,1) = 1; TN: 12 - 6 = 6.
  t.deepEqual(confusionFromMasks(prediction.data, truth.data, truth), {tp: 3, fp: 2, fn: 1, tn: 6});
});

test('confusion counts from a probability map threshold at 0.5, and any non-zero ground truth is foreground', (t) => {
  const shape = {height: 1, width: 4};
  const counts = confusionCounts(Float32Array.from([0.9, 0.5, 0.1, 0.4]), Uint8Array.from([255, 0, 1, 0]), shape);
  // predicted [1, 1, 0, 0] vs truth [1, 0, 1, 0]: TP 1, FP 1, FN 1, TN 1
  t.deepEqual(counts, {tp: 1, fp: 1, fn: 1, tn: 1});
});

test('a size mismatch names the array', (t) => {
  t.throws(() => confusionFromMasks(new Uint8Array(3), new Uint8Array(4), {height: 2, width: 2}), {message: /predicted mask has 3 values/});
  t.throws(() => confusionFromMasks(new Uint8Array(0), new Uint8Array(0), {height: 0, width: 0}), {message: /positive integer/});
});
