import test from 'ava';
import fc from 'fast-check';
import type {SuiteEvent} from '../../src/ablations/local-executor.js';
import type {SuitePlan} from '../../src/ablations/plan.js';
import {formatEta, suiteEtaSeconds, suiteProgress} from '../../src/ablations/suite-progress.js';

test('ETA: epochs left times the mean epoch time, shared by the runs that go at once', (t) => {
  t.is(suiteEtaSeconds({unfinished: [{epochs: 10, epochsDone: 4}, {epochs: 10, epochsDone: 0}], epochSeconds: [2, 4], jobs: 2}), (16 * 3) / 2);
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

test('ETA as text', (t) => {
  t.deepEqual([formatEta(null), formatEta(42.4), formatEta(185), formatEta(3720)], ['?', '42s', '3m05s', '1h02m']);
});

test('off a terminal every event is one JSON line', (t) => {
  const lines: string[] = [];
  const plan: SuitePlan = {suite: 's', file: 's.yaml', sha256: '', store: '/s', reference: 'a', runs: []};
  const stream = {isTTY: false} as NodeJS.WriteStream;
  const progress = suiteProgress({plan, jobs: 1, json: false, stream, write: (l) => lines.push(l)});
  const events: SuiteEvent[] = [{type: 'start', runId: 'abc', variant: 'a', dir: '/s/x', threads: 1}, {type: 'failed', runId: 'abc', reason: 'loss became NaN'}];
  for (const e of events) progress.onEvent(e);
  progress.stop();
  t.deepEqual(lines.map((l) => JSON.parse(l)), events);
  t.true(lines.every((l) => l.endsWith('\n') && l.indexOf('\n') === l.length - 1));
});
