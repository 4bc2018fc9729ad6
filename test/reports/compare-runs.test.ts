// mslk compare's library: two runs' test metrics and their per-image Dice paired by image id.
import test from 'ava';
import fc from 'fast-check';
import {compareRuns, formatRunComparison, pairImageScores} from '../../src/reports/compare-runs.js';
import {id, images, makeRunStore} from './fixtures/run-store.js';

test('pairs by image id in A\'s order; images in one run only are listed, not paired', (t) => {
  const paired = pairImageScores([{image: 'a', dice: 0.5}, {image: 'b', dice: 0.7}, {image: 'c', dice: 0.1}], [{image: 'c', dice: 0.4}, {image: 'a', dice: 0.6}, {image: 'z', dice: 1}]);
  t.deepEqual(paired.pairs.map((p) => p.image), ['a', 'c']);
  t.deepEqual(paired.onlyInA, ['b']);
  t.deepEqual(paired.onlyInB, ['z']);
  t.true(Math.abs(paired.meanDifference! - 0.2) < 1e-12);
  t.is(pairImageScores([{image: 'a', dice: 1}], [{image: 'b', dice: 1}]).meanDifference, null);
  t.throws(() => pairImageScores([{image: 'a', dice: 1}, {image: 'a', dice: 0}], []), {instanceOf: RangeError});
});

test('property: on the same images, the mean paired difference is mean(B) - mean(A), whatever the order', (t) => {
  const scores = fc.uniqueArray(fc.record({image: fc.string({maxLength: 4}), dice: fc.double({min: 0, max: 1, noNaN: true})}), {selector: (s) => s.image, minLength: 1, maxLength: 30});
  t.notThrows(() => fc.assert(fc.property(scores, fc.array(fc.double({min: 0, max: 1, noNaN: true}), {minLength: 30, maxLength: 30}), (a, bDice) => {
    const b = a.map((s, i) => ({image: s.image, dice: bDice[i]!})).reverse();
    const paired = pairImageScores(a, b);
    const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
    return paired.pairs.length === a.length && Math.abs(paired.meanDifference! - (mean(b.map((s) => s.dice)) - mean(a.map((s) => s.dice)))) < 1e-9;
  })));
});

test('compareRuns reads both runs\' test evaluations; the terminal lines show metrics side by side and the paired difference', async (t) => {
  const {dirs} = await makeRunStore([
    {runId: id(1), variant: 'a', seed: 0, state: 'done', images: images(0.5, 0.6, 0.7)},
    {runId: id(2), variant: 'b', seed: 1, state: 'done', images: images(0.6, 0.6, 0.9)},
    {runId: id(3), variant: 'c', seed: 2, state: 'failed'},
  ]);
  const c = await compareRuns(dirs[0]!, dirs[1]!);
  t.is(c.a.runId, id(1));
  t.is(c.paired.pairs.length, 3);
  t.true(Math.abs(c.paired.meanDifference! - 0.1) < 1e-12);
  const text = formatRunComparison(c);
  t.regex(text, /mDice\s+0\.6000\s+0\.7000\s+\+0\.1000/);
  t.regex(text, /Paired over 3 test images: mean Dice difference \(B - A\) \+0\.1000; B better on 2, worse on 0, equal on 1\./);
  const error = await t.throwsAsync(compareRuns(dirs[0]!, dirs[2]!));
  t.regex(error!.message, /no evaluation of the test split at the 'last' checkpoint: run `mslk eval .*`$/);
});

test('runs on different data (other dataset fingerprints) are never paired, even when their image names match', async (t) => {
  const {dirs} = await makeRunStore([
    {runId: id(71), variant: 'full', seed: 0, state: 'done', dataset: 'synthetic', images: images(0.8, 0.7)},
    {runId: id(72), variant: 'full', seed: 0, state: 'done', dataset: 'busi', images: images(0.6, 0.5)},
  ]);
  const comparison = await compareRuns(dirs[0]!, dirs[1]!);
  t.is(comparison.paired.pairs.length, 0);
  t.is(comparison.statistics, null);
  t.regex(formatRunComparison(comparison), /trained and tested on different data \(dataset fingerprints fp-synthetic and fp-busi\): no paired difference/);
});

test('paired statistics: the bootstrap CI holds the mean difference, and the Wilcoxon p is exact for few images', async (t) => {
  const {dirs} = await makeRunStore([
    {runId: id(73), variant: 'full', seed: 0, state: 'done', images: images(0.8, 0.7, 0.6, 0.9, 0.5, 0.75, 0.65)},
    {runId: id(74), variant: 'w/o MIE', seed: 0, state: 'done', images: images(0.79, 0.68, 0.57, 0.86, 0.45, 0.69, 0.58)},
  ]);
  const {statistics, paired} = await compareRuns(dirs[0]!, dirs[1]!);
  t.truthy(statistics);
  t.true(statistics!.ci[0] <= paired.meanDifference! && paired.meanDifference! <= statistics!.ci[1]);
  // All 7 differences negative and distinct in size: T = 0, exact two-sided p = 2 / 2^7.
  t.is(statistics!.pMethod, 'exact');
  t.is(statistics!.p, 2 / 128);
});
