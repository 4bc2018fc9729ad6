import test from 'ava';
import type {SuiteEvent} from '../../src/ablations/local-executor.js';
import type {SuiteOutputOptions} from '../../src/cli/suite-output.js';
import {suiteOutput} from '../../src/cli/suite-output.js';
import {trainOutput} from '../../src/cli/train-output.js';

type Runs = SuiteOutputOptions['runs'];
const config = (epochs: number) => ({train: {epochs}}) as Runs[number]['config'];
const RUNS: Runs = [
  {runId: 'a', variant: 'full', dataset: 'd', fold: null, seed: 0, config: config(2)},
  {runId: 'b', variant: 'U-Net', dataset: 'd', fold: null, seed: 0, config: config(2)},
];
const ROWS = [{runId: 'a', estimatedSeconds: 60, epochs: {done: 0, total: 2}}, {runId: 'b', estimatedSeconds: 60, epochs: {done: 0, total: 2}}];

/** The events of run a trained in 2 epochs of 20 s, then run b found done (at clock times, seconds). */
const EVENTS: [number, SuiteEvent][] = [
  [0, {type: 'start', runId: 'a', variant: 'full', dir: '/s/a', threads: 2}],
  [1, {type: 'stage', runId: 'a', message: 'preparing synthetic at 32 px'}],
  [21, {type: 'epoch', runId: 'a', epochs: 2, epoch: 1, trainLoss: 0.41234, valDice: 0.78149, lr: 1e-3, tau: null, seconds: 20, best: true}],
  [41, {type: 'epoch', runId: 'a', epochs: 2, epoch: 2, trainLoss: 0.4, valDice: 0.7, lr: 1e-3, tau: null, seconds: 20, best: false}],
  [42, {type: 'stage', runId: 'a', message: 'evaluating the last checkpoint'}],
  [45, {type: 'done', runId: 'a', reused: false, testDice: 0.81234}],
  [45, {type: 'done', runId: 'b', reused: true, testDice: null}],
  [46, {type: 'failed', runId: 'b', reason: 'loss became NaN'}],
];

/** A stream that says it is a terminal and keeps what is written. */
function fakeTerminal(): {stream: {write(text: string): boolean; columns: number}; text: () => string} {
  let text = '';
  return {stream: {columns: 120, write: (chunk: string) => {
    text += chunk;
    return true;
  }}, text: () => text};
}

function play(mode: SuiteOutputOptions['mode'], terminal?: {write(text: string): boolean; columns: number}): string[] {
  const written: string[] = [];
  const clock = {t: 0};
  const out = suiteOutput({runs: RUNS, rows: ROWS, jobs: 1, suite: 'demo', mode, write: (text) => written.push(text), now: () => clock.t, ...(terminal ? {terminal} : {})});
  for (const [at, event] of EVENTS) {
    clock.t = at;
    out.onEvent(event);
  }
  out.stop();
  return written;
}

test('lines: one readable line per event, with the run\'s place in the plan, epoch k/N, loss, val Dice, epoch time and the suite ETA', (t) => {
  const written = play('lines');
  t.true(written.every((w) => w.endsWith('\n') && w.indexOf('\n') === w.length - 1), 'one line per write');
  t.deepEqual(written.map((w) => w.trimEnd()), [
    '[1/2] full s0  starts: 2 epochs  2 threads  ETA 2 min',
    '[1/2] full s0  preparing synthetic at 32 px',
    // a: 1 epoch of 20 s left (the plan said 30 s per epoch: b is scaled by 20/30, 2 x 20 s).
    '[1/2] full s0  epoch 1/2  loss 0.412  val Dice 0.781 (best)  20 s  ETA 60 s',
    '[1/2] full s0  epoch 2/2  loss 0.400  val Dice 0.700  20 s  ETA 40 s',
    '[1/2] full s0  evaluating the last checkpoint',
    '[1/2] full s0  done  test mDice 0.8123  45 s',
    '[2/2] U-Net s0  already done  test mDice -',
    '[2/2] U-Net s0  failed: loss became NaN',
  ]);
});

test('json: the executor\'s events as they are, one JSON line each', (t) => {
  const written = play('json');
  t.deepEqual(written, EVENTS.map(([, e]) => JSON.stringify(e) + '\n'));
});

test('live: a block with each running run\'s epoch, loss and val Dice and the suite\'s ETA, finished runs for good, cleared at the end', (t) => {
  const {stream, text} = fakeTerminal();
  t.deepEqual(play('live', stream), [], 'nothing on stdout');
  // eslint-disable-next-line no-control-regex
  const plain = text().replace(/\u001B\[[0-9;]*[A-Za-z]/g, '');
  t.regex(plain, /^suite demo: 0 of 2 runs done, 0 running  ETA 2 min$/m, 'the plan\'s estimate before anything ran');
  t.regex(plain, /^\[1\/2\] full s0  epoch 0\/2  preparing synthetic at 32 px$/m);
  t.regex(plain, /^\[1\/2\] full s0  epoch 1\/2  loss 0\.412  val Dice 0\.781 \(best\)$/m);
  t.regex(plain, /^suite demo: 0 of 2 runs done, 1 running  ETA 60 s$/m);
  t.regex(plain, /^\[1\/2\] full s0  epoch 2\/2  loss 0\.400  val Dice 0\.700  evaluating the last checkpoint$/m);
  t.regex(plain, /^\[1\/2\] full s0  done  test mDice 0\.8123  45 s$/m);
  t.regex(plain, /^\[2\/2\] U-Net s0  failed: loss became NaN$/m);
  t.notRegex(plain, /INF|ETA \?/);
  t.true(text().endsWith('\u001B[0J'), 'the block is cleared when the suite ends');
});

test('train: an epoch line per epoch with the run\'s ETA, from the batches before the first epoch ends', (t) => {
  const lines: string[] = [];
  const clock = {t: 0};
  const out = trainOutput({epochs: 3, mode: 'lines', label: 'run abc', log: (l) => lines.push(l), logStage: (l) => lines.push(`stage: ${l}`), now: () => clock.t});
  out.onStage('preparing');
  for (const [at, batch] of [[2, 1], [3, 2], [4, 3], [5, 4]] as const) {
    clock.t = at;
    out.onBatch({epoch: 1, batch, batches: 4, loss: 0.5});
  }
  clock.t = 6;
  out.onEpoch({epoch: 1, trainLoss: 0.5, valDice: 0.25, lr: 1e-3, tau: null, seconds: 6, best: true});
  out.stop();
  t.deepEqual(lines, ['stage: run abc  preparing', 'run abc  epoch 1/3  loss 0.500  val Dice 0.250 (best)  6.0 s  ETA 12 s']);

  const {stream, text} = fakeTerminal();
  const kept: string[] = [];
  const live = trainOutput({epochs: 3, mode: 'live', log: (l) => kept.push(l), logStage: () => t.fail('live mode puts stages above its line'), terminal: stream, now: () => clock.t});
  clock.t = 0;
  live.onBatch({epoch: 1, batch: 1, batches: 4, loss: 0.9});
  clock.t = 1;
  live.onBatch({epoch: 1, batch: 2, batches: 4, loss: 0.8});
  clock.t = 4;
  live.onEpoch({epoch: 1, trainLoss: 0.7, valDice: 0.5, lr: 1e-3, tau: null, seconds: 4, best: true});
  live.stop();
  t.deepEqual(kept, ['epoch 1/3  loss 0.700  val Dice 0.500 (best)  4.0 s  ETA 8.0 s']);
  t.true(text().includes('epoch 1/3  batch 1/4  loss 0.900'), 'no ETA before two batches are timed');
  t.notRegex(text(), /batch 1\/4  loss 0\.900  ETA/);
  t.true(text().includes('epoch 1/3  batch 2/4  loss 0.800  ETA 11 s'), 'ETA from the batches: 4 s per epoch, 3 epochs, 1 s in');
});
