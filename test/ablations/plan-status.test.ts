// A run's state in the store with its cluster task's on top (withScheduledTask): every store state against every
// task phase, as `ablate status` shows it.
import test from 'ava';
import {formatState, withScheduledTask, type PlannedRunState, type ScheduledTask} from '../../src/ablations/plan-status.js';

const task = (phase: ScheduledTask['phase'], detail: string): ScheduledTask => ({id: '7_2', phase, detail, node: phase === 'queued' ? '' : 'n1', log: '/s/logs/7_2.log'});
const store: Record<string, PlannedRunState> = {
  pending: {state: 'pending'},
  partial: {state: 'partial', epoch: 3},
  running: {state: 'running', epoch: 3, owner: 'pid 41 on n1'},
  failed: {state: 'failed', epoch: 3, reason: 'loss became NaN at epoch 4, step 2'},
  done: {state: 'done'},
};

test('each store state under each task phase', (t) => {
  const cases: Array<[keyof typeof store, ScheduledTask, string]> = [
    ['pending', task('queued', 'PENDING (Priority)'), 'queued (task 7_2: PENDING (Priority))'],
    ['partial', task('queued', 'PENDING (Resources)'), 'queued (task 7_2: PENDING (Resources))'],
    ['pending', task('running', 'RUNNING'), 'running (task 7_2 on n1, epoch 0)'],
    ['running', task('running', 'RUNNING'), 'running (task 7_2 on n1, pid 41 on n1, epoch 3)'],
    ['failed', task('running', 'RUNNING'), 'running (task 7_2 on n1, epoch 3)'],
    ['partial', task('stopped', 'CANCELLED'), 'partial at epoch 3 (task 7_2 CANCELLED; log /s/logs/7_2.log)'],
    ['partial', task('stopped', 'TIMEOUT'), 'partial at epoch 3 (task 7_2 TIMEOUT; log /s/logs/7_2.log)'],
    ['partial', task('failed', 'OUT_OF_MEMORY (exit 0:125)'), 'failed: task 7_2 OUT_OF_MEMORY (exit 0:125) (log /s/logs/7_2.log)'],
    ['pending', task('failed', 'NODE_FAIL (exit 0:0)'), 'failed: task 7_2 NODE_FAIL (exit 0:0) (log /s/logs/7_2.log)'],
    ['failed', task('failed', 'FAILED (exit 1:0)'), 'failed: loss became NaN at epoch 4, step 2 (task 7_2 FAILED (exit 1:0); log /s/logs/7_2.log)'],
    ['partial', task('unknown', 'no longer known to the scheduler'), 'partial at epoch 3 (task 7_2 no longer known to the scheduler; log /s/logs/7_2.log)'],
    ['running', task('queued', 'PENDING (Priority)'), 'running (pid 41 on n1, epoch 3)'],
    ['done', task('failed', 'FAILED (exit 1:0)'), 'done'],
    ['done', task('completed', 'COMPLETED'), 'done'],
  ];
  for (const [state, scheduled, shown] of cases) t.is(formatState(withScheduledTask(store[state]!, scheduled)), shown, `${state} + ${scheduled.phase}`);
});

test('without a task the store state is unchanged', (t) => {
  for (const state of Object.values(store)) t.is(withScheduledTask(state, undefined), state);
});
