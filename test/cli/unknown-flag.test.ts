import test from 'ava';
import fc from 'fast-check';
import {leafKeys, modelConfigKeys, runConfigKeys} from '../../src/cli/config-keys.js';
import {compactParseMessage, plainErrno} from '../../src/cli/base-command.js';
import {configKeyForFlag, splitFlagToken, unknownFlagMessage} from '../../src/cli/unknown-flag.js';

const trainFlags = ['dataset', 'set', 'seed', 'out', 'backend', 'resume', 'data-root', 'json'];

test('leafKeys: dotted paths of every leaf, arrays and null included', (t) => {
  t.deepEqual(leafKeys({a: 1, b: {c: [1, 2], d: null, e: {f: 'x'}}}), ['a', 'b.c', 'b.d', 'b.e.f']);
});

test('run and model config keys hold the knobs users type as flags', async (t) => {
  const run = await runConfigKeys();
  for (const key of ['train.epochs', 'train.batchSize', 'train.optimizer.lr', 'data.size', 'data.dataset', 'seed', 'model.ld.largeKernel']) t.true(run.includes(key), key);
  const model = await modelConfigKeys();
  for (const key of ['baseWidth', 'ld.largeKernel', 'dyconv.K']) t.true(model.includes(key), key);
});

test('unknown flags named like a config key point to --set with the value the user gave', async (t) => {
  const setKeys = await runConfigKeys();
  const context = {command: 'train', flags: trainFlags, setKeys};
  const table: [token: string, next: string | undefined, expected: string][] = [
    ['--epochs', '3', 'unknown flag --epochs: did you mean --set train.epochs=3?'],
    ['--epochs=3', undefined, 'unknown flag --epochs: did you mean --set train.epochs=3?'],
    ['--batch-size', '4', 'unknown flag --batch-size: did you mean --set train.batchSize=4?'],
    ['--batchSize', '4', 'unknown flag --batchSize: did you mean --set train.batchSize=4?'],
    ['--lr', '0.001', 'unknown flag --lr: did you mean --set train.optimizer.lr=0.001?'],
    ['--size', '128', 'unknown flag --size: did you mean --set data.size=128?'],
    ['--large-kernel', '13', 'unknown flag --large-kernel: did you mean --set model.ld.largeKernel=13?'],
    ['--epochs', undefined, 'unknown flag --epochs: did you mean --set train.epochs=<value>?'],
    ['--bakend', 'wasm', 'unknown flag --bakend: did you mean --backend wasm?'],
    ['--resme', undefined, 'unknown flag --resme: did you mean --resume?'],
    ['--frobnicate', undefined, 'unknown flag --frobnicate: see mslk train --help'],
  ];
  for (const [token, next, expected] of table) t.is(unknownFlagMessage(token, next, context), expected, token);
});

test('without --set, a knob name is not suggested as a flag', (t) => {
  t.is(unknownFlagMessage('--epochs', '3', {command: 'eval', flags: ['split', 'checkpoint', 'backend', 'data-root', 'json'], setKeys: []}),
    'unknown flag --epochs: see mslk eval --help');
});

test('every run-config leaf typed as a kebab-case flag maps to a key with that leaf (property)', async (t) => {
  const setKeys = await runConfigKeys();
  const leaves = [...new Set(setKeys.map((k) => k.slice(k.lastIndexOf('.') + 1)))];
  fc.assert(fc.property(fc.constantFrom(...leaves), fc.stringMatching(/^[0-9a-z.]{1,6}$/), (leaf, value) => {
    const kebab = leaf.replace(/(?<=.)[A-Z]/g, (c) => `-${c}`).toLowerCase();
    const key = configKeyForFlag(kebab, setKeys);
    const line = unknownFlagMessage(`--${kebab}`, value, {command: 'train', flags: [], setKeys});
    return key !== undefined && key.endsWith(leaf) && line === `unknown flag --${kebab}: did you mean --set ${key}=${value}?`;
  }));
  t.pass();
});

test('splitFlagToken keeps an inline value', (t) => {
  t.deepEqual(splitFlagToken('--a=b=c'), {name: 'a', value: 'b=c'});
  t.deepEqual(splitFlagToken('--epochs'), {name: 'epochs'});
});

test("oclif's multi-line parse messages become one line", (t) => {
  t.is(compactParseMessage('Parsing --size \n\tExpected an integer but received: abc\nSee more help with --help'), '--size: Expected an integer but received: abc');
  t.is(compactParseMessage('The following error occurred:\n  \u001B[2mMissing required flag name\u001B[22m\nSee more help with --help'), 'Missing required flag name');
  t.is(compactParseMessage('Expected --backend=wsam to be one of: wasm, cpu\nSee more help with --help'), 'Expected --backend=wsam to be one of: wasm, cpu');
});

test('errno text inside a wrapped message is said in words', (t) => {
  t.is(plainErrno('x.json: cannot read the split file: EISDIR: illegal operation on a directory, read'),
    'x.json: cannot read the split file: is a directory where a file is expected; pass a file path');
  t.is(plainErrno("cannot open: ENOTDIR: not a directory, open 'a/b'"),
    'cannot open: part of the path is a file where a folder is expected; pass a path inside a folder');
});

test('a short flag or a value-only --set guess gets no nonsense suggestion; a near key leaf gets --set', async (t) => {
  const setKeys = await runConfigKeys();
  const context = {command: 'train', flags: trainFlags, setKeys};
  t.is(unknownFlagMessage('-e', '3', context), 'unknown flag -e: see mslk train --help');
  t.is(unknownFlagMessage('--epoch', '3', context), 'unknown flag --epoch: did you mean --set train.epochs=3?');
  t.is(unknownFlagMessage('--se', '3', context).includes('--set 3'), false);
  t.is(unknownFlagMessage('--st', 'train.epochs=3', context), 'unknown flag --st: did you mean --set train.epochs=3?');
});

test('no suggestion ever reads --set <value without => (property)', async (t) => {
  const setKeys = await runConfigKeys();
  const context = {command: 'train', flags: trainFlags, setKeys};
  fc.assert(fc.property(fc.stringMatching(/^-{1,2}[a-z]{1,5}$/), fc.stringMatching(/^[0-9a-z.]{1,6}$/), (token, value) => {
    const line = unknownFlagMessage(token, value, context);
    return !line.includes(`--set ${value}?`);
  }));
  t.pass();
});
