import test from 'ava';
import fc from 'fast-check';
import {aggregateMetrics, maskMetrics, meanStd, type PerImageMetrics} from '../../src/evaluation/index.js';
import {close, drawMask, maskPairArbitrary} from './helpers.js';

function metricsOf(prediction: string[], truth: string[]): PerImageMetrics {
  const p = drawMask(...prediction);
  const g = drawMask(...truth);
  return maskMetrics(p.data, g.data, g);
}

test('per-image mean Dice and pooled Dice differ (a small object missed by half, a large one found)', (t) => {
  const small = metricsOf(['#.'], ['##']); // TP 1, FN 1: Dice 2/3, IoU 1/2
  const large = metricsOf(['##########', '##########'], ['##########', '##########']); // TP 20: Dice 1
  const aggregate = aggregateMetrics([small, large]);
  t.true(close(aggregate.perImageMean.dice.mean ?? Number.NaN, (2 / 3 + 1) / 2)); // 0.8333
  // pooled: TP 21, FP 0, FN 1 -> 42 / 43 = 0.9767; IoU 21 / 22
  t.true(close(aggregate.pooled.dice, 42 / 43));
  t.true(close(aggregate.pooled.iou, 21 / 22));
  t.like(aggregate.pooled, {tp: 21, fp: 0, fn: 1, tn: 0});
  // sample std of [2/3, 1]: mean 5/6, deviations +-1/6, sqrt((2/36) / 1) = 0.2357
  t.true(close(aggregate.perImageMean.dice.std ?? Number.NaN, Math.sqrt(2 / 36)));
  t.is(aggregate.perImageMean.dice.n, 2);
  // mean IoU (1/2 + 1)/2 = 0.75 is not meanDice / (2 - meanDice) = 0.714: the identity holds per image only
  t.is(aggregate.perImageMean.iou.mean, 0.75);
});

test('HD95 over non-empty pairs excludes the policy values and says how many', (t) => {
  const empty = metricsOf(['...'], ['...']); // both empty: HD95 0
  const missed = metricsOf(['...'], ['.#.']); // one empty: HD95 = diagonal sqrt(1 + 9)
  const off = metricsOf(['#..'], ['..#']); // HD95 2
  const aggregate = aggregateMetrics([empty, missed, off]);
  t.true(close(aggregate.perImageMean.hd95.mean ?? Number.NaN, (0 + Math.sqrt(10) + 2) / 3));
  t.deepEqual(aggregate.hd95NonEmptyPairs, {mean: 2, std: null, n: 1});
  t.deepEqual(aggregate.emptyMasks, {gtEmpty: 1, predEmpty: 2, bothEmpty: 1});
});

test('no images, one image: undefined statistics are null, never NaN', (t) => {
  const none = aggregateMetrics([]);
  t.deepEqual(none.perImageMean.dice, {mean: null, std: null, n: 0});
  t.deepEqual(none.pooled, {dice: 1, iou: 1, tp: 0, fp: 0, fn: 0, tn: 0}); // nothing to find, nothing found
  t.deepEqual(meanStd([0.5], 'dice'), {mean: 0.5, std: null, n: 1});
});

test('a NaN per-image value is refused with its name and image', (t) => {
  const image = {...metricsOf(['#'], ['#']), dice: Number.NaN};
  t.throws(() => aggregateMetrics([image]), {message: /dice of image 0 is NaN/});
});

test('threshold-averaged Dice is aggregated when every image has it, refused when only some do', (t) => {
  const base = metricsOf(['#'], ['#']);
  t.deepEqual(aggregateMetrics([{...base, thresholdAveragedDice: 0.5}, {...base, thresholdAveragedDice: 0.7}]).perImageMean.thresholdAveragedDice?.n, 2);
  t.throws(() => aggregateMetrics([{...base, thresholdAveragedDice: 0.5}, base]), {message: /only 1 of 2/});
  t.is(aggregateMetrics([base]).perImageMean.thresholdAveragedDice, undefined);
});

function everyNumberFinite(value: unknown): boolean {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value === 'object') return Object.values(value as object).every(everyNumberFinite);
  return false;
}

test('no NaN or Infinity ever reaches an aggregate, whatever the masks (empty ones included)', (t) => {
  fc.assert(
    fc.property(fc.array(maskPairArbitrary, {maxLength: 6}), (pairs) => {
      const images = pairs.map(({shape, a, b}) => maskMetrics(a, b, shape));
      return images.every(everyNumberFinite) && everyNumberFinite(aggregateMetrics(images));
    }),
    {numRuns: 150},
  );
  t.pass(); // fc.assert throws on a counterexample
});
