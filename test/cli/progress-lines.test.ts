// Progress lines: a line when a task starts and ends, at most one per interval in between.
import test from 'ava';
import {formatProgress, progressLines} from '../../src/cli/progress-lines.js';

test('a task prints its start, its end, and nothing in between within the interval', (t) => {
  const lines: string[] = [];
  const report = progressLines((line) => lines.push(line), 60_000);
  report({task: 'wasm: training step, timed', done: 0, total: 30});
  for (let done = 1; done <= 30; done++) report({task: 'wasm: training step, timed', done, total: 30, lastMs: 12.4});
  report({task: 'cpu: training step, timed', done: 0, total: 2});
  t.deepEqual(lines, ['wasm: training step, timed: 0/30', 'wasm: training step, timed: 30/30 (last 12 ms)', 'cpu: training step, timed: 0/2']);
});

test('with no interval every step prints, and long steps are shown in seconds', (t) => {
  const lines: string[] = [];
  const report = progressLines((line) => lines.push(line), 0);
  for (let done = 1; done <= 3; done++) report({task: 'x', done, total: 3, lastMs: 65_000});
  t.is(lines.length, 3);
  t.is(formatProgress({task: 'x', done: 1, total: 3, lastMs: 65_000}), 'x: 1/3 (last 65.0 s)');
});

test('a note closes a task on its own line, even within the interval', (t) => {
  const lines: string[] = [];
  const report = progressLines((line) => lines.push(line), 60_000);
  report({task: 'tensorflow: checking', done: 0, total: 1});
  report({task: 'tensorflow: checking', done: 0, total: 1, note: 'not available: not installed'});
  t.deepEqual(lines, ['tensorflow: checking: 0/1', 'tensorflow: checking: not available: not installed']);
});
