// The line `mslk ablate` ends with: the runs' outcome, and the executor's wall time beside the plan's estimate.
import test from 'ava';
import {formatSummary} from '../../src/ablations/ablate.js';
import type {SuiteSummary} from '../../src/ablations/local-executor.js';
import type {SuitePlan} from '../../src/ablations/plan.js';

const plan = {suite: 'cpu-kvasir', store: '/store'} as SuitePlan;
const trained: SuiteSummary = {done: ['a', 'b'], reused: ['c'], failed: [], skipped: [], partial: [], notStarted: []};

test('the summary line sets the real time against the estimate when runs were trained', (t) => {
  t.is(formatSummary(plan, trained, {seconds: 4620, estimatedSeconds: 4200}),
    'suite cpu-kvasir: 2 trained, 1 already done, 0 failed, 0 partial, 0 owned by other processes (store /store); 77 min of training and evaluation; the plan estimated about 70 min');
  t.regex(formatSummary(plan, trained, {seconds: 42, estimatedSeconds: null}), /\(store \/store\); 42 s of training and evaluation$/);
});

test('nothing trained, or no timing: the counts alone', (t) => {
  const reused: SuiteSummary = {...trained, done: []};
  t.is(formatSummary(plan, reused, {seconds: 2, estimatedSeconds: 60}), 'suite cpu-kvasir: 0 trained, 1 already done, 0 failed, 0 partial, 0 owned by other processes (store /store)');
  t.false(formatSummary(plan, trained).includes('training and evaluation'));
});

test('after an interrupt, runs that never started are counted as not started, not as owned by other processes', (t) => {
  const interrupted: SuiteSummary = {...trained, done: [], reused: [], partial: ['a'], notStarted: ['b', 'c', 'd', 'e']};
  t.is(formatSummary(plan, interrupted), 'suite cpu-kvasir: 0 trained, 0 already done, 0 failed, 1 partial, 4 not started, 0 owned by other processes (store /store)');
});
