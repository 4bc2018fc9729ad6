import test from 'ava';
import {perImageMetrics} from '../../src/evaluation/index.js';
import {close, drawMask} from './helpers.js';

function probabilities(mask: {data: Uint8Array; height: number; width: number}, on = 0.8, off = 0.2) {
  return {data: Float32Array.from(mask.data, (v) => (v ? on : off)), height: mask.height, width: mask.width};
}

test('every metric and both flags on a hand case', (t) => {
  const truth = drawMask('##..', '##..', '....');
  const predicted = drawMask('#...', '###.', '...#');
  const m = perImageMetrics(probabilities(predicted), truth);
  // TP 3, FP 2, FN 1, TN 6 (see confusion.test.ts)
  t.like(m, {tp: 3, fp: 2, fn: 1, tn: 6, gtEmpty: false, predEmpty: false});
  t.is(m.dice, 6 / 9);
  t.is(m.iou, 3 / 6);
  t.is(m.precision, 3 / 5);
  t.is(m.recall, 3 / 4);
  t.is(m.specificity, 6 / 8);
  t.is(m.accuracy, 9 / 12);
  // Boundaries: truth = all 4 of its pixels; prediction = all 5 (a 1-pixel-wide shape).
  // pred -> truth: (0,0) 0, (1,0) 0, (1,1) 0, (1,2) 1, (2,3): to (1,1) sqrt(1 + 4) = sqrt(5)
  //   sorted [0, 0, 0, 1, sqrt 5], h = 4 * 0.95 = 3.8 -> 1 + 0.8 * (sqrt 5 - 1)
  // truth -> pred: (0,0) 0, (0,1) 1, (1,0) 0, (1,1) 0 -> sorted [0, 0, 0, 1], h = 2.85 -> 0 + 0.85 * 1 = 0.85
  const predToTruth = 1 + 0.8 * (Math.sqrt(5) - 1);
  t.true(close(m.hd95, predToTruth));
  // pooled [0 x 6, 1, 1, sqrt 5]: h = 8 * 0.95 = 7.6 -> 1 + 0.6 * (sqrt 5 - 1)
  t.true(close(m.hd95PooledMedpy, 1 + 0.6 * (Math.sqrt(5) - 1)));
  t.is(m.thresholdAveragedDice, undefined);
});

test('empty-mask policy, all three cases, with the flags', (t) => {
  const empty = drawMask('.....', '.....', '.....', '.....');
  const object = drawMask('.....', '.##..', '.##..', '.....');
  const diagonal = Math.sqrt(4 * 4 + 5 * 5); // sqrt(41) = 6.40
  const both = perImageMetrics(probabilities(empty), empty);
  t.like(both, {dice: 1, iou: 1, hd95: 0, hd95PooledMedpy: 0, precision: 1, recall: 1, gtEmpty: true, predEmpty: true});
  const missed = perImageMetrics(probabilities(empty), object);
  t.like(missed, {dice: 0, iou: 0, hd95: diagonal, hd95PooledMedpy: diagonal, precision: 0, recall: 0, gtEmpty: false, predEmpty: true});
  const falseAlarm = perImageMetrics(probabilities(object), empty);
  t.like(falseAlarm, {dice: 0, iou: 0, hd95: diagonal, hd95PooledMedpy: diagonal, precision: 0, recall: 0, gtEmpty: true, predEmpty: false});
});

test('a probability map at model size is resized to the ground truth, then thresholded', (t) => {
  // 2x2 map [[0.9, 0.1], [0.1, 0.1]] resized to 4x4 (see resize.test.ts for the sample positions):
  // row 0: 0.9, 0.7, 0.3, 0.1; row 1: 0.7, 0.55, 0.25, 0.1; rows 2-3 lower still. >= 0.5: (0,0) (0,1) (1,0) (1,1).
  const map = {data: Float32Array.from([0.9, 0.1, 0.1, 0.1]), height: 2, width: 2};
  const truth = drawMask('##..', '##..', '....', '....');
  const m = perImageMetrics(map, truth);
  t.like(m, {tp: 4, fp: 0, fn: 0, tn: 12, dice: 1, hd95: 0});
  // Thresholding first and resizing the mask would give a different answer: the map is resized, not the mask.
  t.is(perImageMetrics(map, truth, {threshold: 0.6}).tp, 3); // 0.55 at (1,1) falls below 0.6
});

test('threshold-averaged Dice only when asked for', (t) => {
  const truth = drawMask('##', '..');
  const m = perImageMetrics({data: Float32Array.from([0.9, 0.3, 0.1, 0.1]), height: 2, width: 2}, truth, {thresholdAveragedDice: true});
  t.is(typeof m.thresholdAveragedDice, 'number');
});
