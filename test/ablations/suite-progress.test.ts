import test from 'ava';
import fc from 'fast-check';
import type {SuiteEvent} from '../../src/ablations/local-executor.js';
import {SuiteProgressModel, suiteEtaSeconds, type SuiteProgressOptions} from '../../src/ablations/suite-progress.js';

test('ETA: epochs left times the mean epoch time, shared by the runs that go at once', (t) => {
  t.is(suiteEtaSeconds({unfinished: [{epochs: 10, epochsDone: 4}, {epochs: 10, epochsDone: 0}, {epochs: 10, epochsDone: 0}], epochSeconds: [2, 4], jobs: 2}), (26 * 3) / 2);
  t.is(suiteEtaSeconds({unfinished: [{epochs: 10, epochsDone: 4}, {epochs: 10, epochsDone: 0}], epochSeconds: [2, 4], jobs: 2}), 30, 'not before the longest run (10 epochs of 3 s) ends');
  t.is(suiteEtaSeconds({unfinished: [{epochs: 10, epochsDone: 4}], epochSeconds: [3], jobs: 4}), 18, 'one run left uses one job');
  t.is(suiteEtaSeconds({unfinished: [{epochs: 5, epochsDone: 0}], epochSeconds: [], jobs: 1}), null, 'nothing measured yet');
  t.is(suiteEtaSeconds({unfinished: [], epochSeconds: [], jobs: 1}), 0);
});

test('ETA never grows when an epoch finishes at the mean time', (t) => {
  fc.assert(fc.property(
    fc.array(fc.record({epochs: fc.integer({min: 1, max: 50}), epochsDone: fc.integer({min: 0, max: 49})}), {minLength: 1, maxLength: 8}),
    fc.array(fc.double({min: 0.01, max: 1000, noNaN: true}), {minLength: 1, maxLength: 20}),
    fc.integer({min: 1, max: 16}),
    fc.nat(),
    (runs, seconds, jobs, pick) => {
      const unfinished = runs.map((r) => ({epochs: r.epochs, epochsDone: Math.min(r.epochsDone, r.epochs - 1)}));
      const before = suiteEtaSeconds({unfinished, epochSeconds: seconds, jobs})!;
      const mean = seconds.reduce((a, b) => a + b, 0) / seconds.length;
      const i = pick % unfinished.length;
      const after = unfinished.map((r, j) => (j === i ? {...r, epochsDone: r.epochsDone + 1} : r));
      const etaAfter = suiteEtaSeconds({unfinished: after, epochSeconds: [...seconds, mean], jobs})!;
      return before > 0 && etaAfter <= before * (1 + 1e-9);
    }));
  t.pass('the property held for every generated suite');
});

test('ETA: a run\'s own time per epoch, less the part of the epoch under way, and its extra seconds; never below the longest run', (t) => {
  t.is(suiteEtaSeconds({unfinished: [{epochs: 4, epochsDone: 1, secondsPerEpoch: 10, inEpochSeconds: 4, extraSeconds: 5}], epochSeconds: [], jobs: 1}), 2 * 10 + 6 + 5);
  t.is(suiteEtaSeconds({unfinished: [{epochs: 4, epochsDone: 1, secondsPerEpoch: 10, inEpochSeconds: 25}], epochSeconds: [], jobs: 1}), 20, 'a slow epoch leaves the epochs after it');
  t.is(suiteEtaSeconds({unfinished: [{epochs: 10, epochsDone: 0, secondsPerEpoch: 10}, {epochs: 1, epochsDone: 0, secondsPerEpoch: 10}], epochSeconds: [], jobs: 2}), 100, 'the longest run');
  t.is(suiteEtaSeconds({unfinished: [{epochs: 2, epochsDone: 0, secondsPerEpoch: null}], epochSeconds: [], jobs: 1}), null, 'no estimate and nothing measured');
});

/** Two runs of 4 epochs on 1 job, run a with a plan estimate of 40 s (10 s per epoch), b without. */
function twoRuns(clock: {t: number}, estimates: [number | null, number | null] = [40, 40]): SuiteProgressModel {
  const config = {train: {epochs: 4}} as SuiteProgressOptions['runs'][number]['config'];
  return new SuiteProgressModel({
    runs: [{runId: 'a', variant: 'full', dataset: 'd', fold: null, seed: 0, config}, {runId: 'b', variant: 'w/o LD', dataset: 'd', fold: 1, seed: 2, config}],
    rows: [{runId: 'a', estimatedSeconds: estimates[0], epochs: {done: 0, total: 4}}, {runId: 'b', estimatedSeconds: estimates[1], epochs: {done: 0, total: 4}}],
    jobs: 1, now: () => clock.t,
  });
}

const epoch = (runId: string, n: number, seconds: number): SuiteEvent => ({type: 'epoch', runId, epochs: 4, epoch: n, trainLoss: 0.5, valDice: 0.7, lr: 1e-3, tau: null, seconds, best: n === 1});

test('the model: the plan\'s estimate at the start, counted down while the first epoch runs, then the measured epochs', (t) => {
  const clock = {t: 0};
  const model = twoRuns(clock);
  t.deepEqual(model.runs.map((r) => [r.index, r.label]), [[1, 'full s0'], [2, 'w/o LD f1 s2']]);
  t.is(model.etaSeconds(), 80, 'the plan: 40 s + 40 s on one job');
  model.apply({type: 'start', runId: 'a', variant: 'full', dir: '/s/a', threads: 1});
  clock.t = 6;
  t.is(model.etaSeconds(), 74, 'counts down within the epoch');
  model.apply(epoch('a', 1, 20));
  // a measured 20 s per epoch, twice the plan: b's estimate is scaled by the same ratio.
  t.is(model.etaSeconds(), 3 * 20 + 4 * 20);
  t.like(model.runs[0], {phase: 'running', epochsDone: 1, loss: 0.5, valDice: 0.7, best: true});
  t.deepEqual(model.counts(), {pending: 1, running: 1, done: 0, failed: 0, partial: 0, skipped: 0});
});

test('the model: finished runs, and their time besides epochs counted for the runs still to go', (t) => {
  const clock = {t: 0};
  const model = twoRuns(clock, [null, null]);
  t.is(model.etaSeconds(), null, 'nothing to estimate from: no ETA');
  model.apply({type: 'start', runId: 'a', variant: 'full', dir: '/s/a', threads: 1});
  for (const n of [1, 2, 3, 4]) {
    clock.t += 10;
    model.apply(epoch('a', n, 10));
  }
  clock.t += 8;
  model.apply({type: 'done', runId: 'a', reused: false, testDice: 0.8});
  t.like(model.runs[0], {phase: 'done', testDice: 0.8, startedAt: 0, endedAt: 48});
  t.is(model.etaSeconds(), 4 * 10 + 8, 'b: four measured-mean epochs and the 8 s a spent besides its epochs');
  model.apply({type: 'failed', runId: 'b', reason: 'loss became NaN'});
  t.is(model.etaSeconds(), 0);
  t.deepEqual(model.counts(), {pending: 0, running: 0, done: 1, failed: 1, partial: 0, skipped: 0});
  t.is(model.apply({type: 'partial', runId: 'not-in-plan'}), undefined);
});
