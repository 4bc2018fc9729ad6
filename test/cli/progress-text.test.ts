import test from 'ava';
import fc from 'fast-check';
import {epochText, etaText, formatSeconds, outputMode, testDiceText} from '../../src/cli/progress-text.js';

test('durations for people', (t) => {
  t.deepEqual([0.42, 9.5, 14.2, 89, 185, 3000, 5400, 7530, 8e6, 3.6e24].map(formatSeconds), ['0.4 s', '9.5 s', '14 s', '89 s', '3 min', '50 min', '1 h 30 min', '2 h 06 min', '2222 h 13 min', 'over 100 days']);
});

test('an ETA is a duration or nothing: never INF, NaN or ?', (t) => {
  t.is(etaText(180), 'ETA 3 min');
  t.deepEqual([null, 0, -3, Infinity, Number.NaN].map(etaText), ['', '', '', '', '']);
  fc.assert(fc.property(fc.oneof(fc.double(), fc.constant(null)), (s) => /^(|ETA \d+(\.\d)? (s|min)|ETA \d+ h \d\d min|ETA over 100 days)$/.test(etaText(s))));
});

test('an epoch: k/N, loss and validation Dice with (best)', (t) => {
  t.is(epochText({epoch: 4, epochs: 20, loss: 0.41234, valDice: 0.78149, best: true}), 'epoch 4/20  loss 0.412  val Dice 0.781 (best)');
  t.is(epochText({epoch: 1, epochs: 2, loss: 1.5, valDice: null, best: false}), 'epoch 1/2  loss 1.500  val Dice -');
  t.is(epochText({epoch: 0, epochs: 2, loss: null, valDice: null, best: false}), 'epoch 0/2');
  t.is(testDiceText(0.78125), 'test mDice 0.7813');
  t.is(testDiceText(null), 'test mDice -');
});

test('output mode: JSON under --json, live only when stdout and stderr are terminals, else lines', (t) => {
  const tty = {isTTY: true};
  const pipe = {isTTY: false};
  const env = {TERM: 'xterm'};
  t.is(outputMode({json: true, stdout: tty, stderr: tty, env}), 'json');
  t.is(outputMode({json: false, stdout: tty, stderr: tty, env}), 'live');
  t.is(outputMode({json: false, stdout: pipe, stderr: tty, env}), 'lines', '| tee log');
  t.is(outputMode({json: false, stdout: tty, stderr: {}, env}), 'lines', '2> log');
  t.is(outputMode({json: false, stdout: tty, stderr: tty, env: {TERM: 'dumb'}}), 'lines');
});
