// The protocol line that heads a results table and a report: how the runs were trained and evaluated.
import test from 'ava';
import {formatResultsTable} from '../../src/ablations/suite-results.js';
import {parseRunConfig} from '../../src/runs/config.js';
import {describeProtocol} from '../../src/runs/protocol.js';

const base = {model: {model: 'unet', baseWidth: 4}, data: {size: 64}, train: {epochs: 10, batchSize: 8, optimizer: {lr: 4e-3}, schedule: {warmupEpochs: 1}}};

test('one line: size, epochs, batch, optimiser and peak lr, schedule with warm-up, loss, checkpoint', (t) => {
  t.is(describeProtocol([parseRunConfig(base)]), '64 px, 10 epochs, batch 8, adam lr 0.004, cosine after 1 warm-up epoch, bce-dice loss, last checkpoint');
  t.is(describeProtocol([parseRunConfig({...base, train: {epochs: 300, optimizer: {name: 'sgd', lr: 1e-4}, schedule: {name: 'poly', warmupEpochs: 5}}, eval: {checkpoint: 'best'}})]),
    '64 px, 300 epochs, batch 8, sgd lr 1e-4, poly 0.9 after 5 warm-up epochs, bce-dice loss, best checkpoint');
  t.is(describeProtocol([]), '');
});

test('where runs differ, each value is listed once, in order', (t) => {
  const configs = [parseRunConfig(base), parseRunConfig({...base, data: {size: 96}}), parseRunConfig(base)];
  t.is(describeProtocol(configs), '64 or 96 px, 10 epochs, batch 8, adam lr 0.004, cosine after 1 warm-up epoch, bce-dice loss, last checkpoint');
});

test('the results table starts with the protocol line when given', (t) => {
  const results = [{dataset: 'synthetic', variant: 'full', kind: 'variant' as const, testDice: {mean: 0.9, std: 0.01, n: 2}, runs: 2, runIds: ['a', 'b'], params: 1000, gflops: 0.1}];
  const table = formatResultsTable(results, 'P');
  t.true(table.startsWith('protocol: P\ndataset'));
  t.false(formatResultsTable(results).includes('protocol'));
});
