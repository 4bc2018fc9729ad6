import test from 'ava';
import fc from 'fast-check';
import {confusionFromMasks, maskMetrics, overlapMetrics} from '../../src/evaluation/index.js';
import {close, drawMask, maskPairArbitrary} from './helpers.js';

test('every overlap metric on hand-computed counts', (t) => {
  const m = overlapMetrics({tp: 3, fp: 2, fn: 1, tn: 6});
  t.is(m.dice, 6 / 9); // 2*3 / (2*3 + 2 + 1) = 6/9 = 0.667
  t.is(m.iou, 3 / 6); // 3 / (3 + 2 + 1) = 0.5
  t.is(m.precision, 3 / 5); // 3 / (3 + 2)
  t.is(m.recall, 3 / 4); // 3 / (3 + 1)
  t.is(m.specificity, 6 / 8); // 6 / (6 + 2)
  t.is(m.accuracy, 9 / 12); // (3 + 6) / 12
});

test('empty-mask policy: both masks empty scores 1 on every overlap metric', (t) => {
  // TP = FP = FN = 0: Dice, IoU, precision and recall are 0/0 and the prediction is perfect.
  t.deepEqual(overlapMetrics({tp: 0, fp: 0, fn: 0, tn: 10}), {dice: 1, iou: 1, precision: 1, recall: 1, specificity: 1, accuracy: 1});
});

test('empty-mask policy: empty prediction on a non-empty ground truth scores 0 (precision 0/0 included)', (t) => {
  t.deepEqual(overlapMetrics({tp: 0, fp: 0, fn: 4, tn: 6}), {
    dice: 0, // 0 / (0 + 0 + 4)
    iou: 0,
    precision: 0, // 0/0 and FN > 0: a missed object
    recall: 0, // 0 / 4
    specificity: 1, // 6 / 6
    accuracy: 0.6, // 6 / 10
  });
});

test('empty-mask policy: a prediction on an empty ground truth scores 0 (recall 0/0 included)', (t) => {
  t.deepEqual(overlapMetrics({tp: 0, fp: 3, fn: 0, tn: 7}), {
    dice: 0, // 0 / (0 + 3 + 0)
    iou: 0,
    precision: 0, // 0 / 3
    recall: 0, // 0/0 and FP > 0: false alarms on a normal image
    specificity: 0.7, // 7 / 10
    accuracy: 0.7,
  });
});

test('specificity when the ground truth covers the whole image: 1 if nothing is missed, else 0', (t) => {
  t.is(overlapMetrics({tp: 4, fp: 0, fn: 0, tn: 0}).specificity, 1);
  t.is(overlapMetrics({tp: 3, fp: 0, fn: 1, tn: 0}).specificity, 0);
});

test('negative or fractional counts are rejected', (t) => {
  t.throws(() => overlapMetrics({tp: -1, fp: 0, fn: 0, tn: 0}));
  t.throws(() => overlapMetrics({tp: 0.5, fp: 0, fn: 0, tn: 0}));
});

test('per image IoU = Dice / (2 - Dice), every metric in [0, 1], and Dice, IoU, accuracy symmetric', (t) => {
  fc.assert(
    fc.property(maskPairArbitrary, ({shape, a, b}) => {
      const ab = overlapMetrics(confusionFromMasks(a, b, shape));
      const ba = overlapMetrics(confusionFromMasks(b, a, shape));
      for (const value of Object.values(ab)) if (!(value >= 0 && value <= 1)) return false;
      return (
        close(ab.iou, ab.dice / (2 - ab.dice)) &&
        ab.dice === ba.dice &&
        ab.iou === ba.iou &&
        ab.accuracy === ba.accuracy &&
        ab.precision === ba.recall // swapping roles swaps FP and FN
      );
    }),
    {numRuns: 300},
  );
  t.pass(); // fc.assert throws on a counterexample
});

test('a perfect prediction scores 1 on every metric and 0 HD95, empty or not', (t) => {
  for (const mask of [drawMask('....', '....'), drawMask('.##.', '.##.'), drawMask('####', '####')]) {
    const m = maskMetrics(mask.data, mask.data, mask);
    t.deepEqual([m.dice, m.iou, m.precision, m.recall, m.specificity, m.accuracy, m.hd95, m.hd95PooledMedpy], [1, 1, 1, 1, 1, 1, 0, 0]);
  }
});
