import test from 'ava';
import {applyOverride, parseAssignment} from '../../src/config/overrides.js';
import {resolveRunConfig} from '../../src/runs/config.js';

test('assignments parse their value as YAML', (t) => {
  const cases: Array<[string, string[], unknown]> = [
    ['train.epochs=3', ['train', 'epochs'], 3],
    ['data.split.ratios=[0.8, 0.1, 0.1]', ['data', 'split', 'ratios'], [0.8, 0.1, 0.1]],
    ['model.midm.window=null', ['model', 'midm', 'window'], null],
    ["data.dataset='[1'", ['data', 'dataset'], '[1'],
    ['data.dataset=a=b', ['data', 'dataset'], 'a=b'],
    [' train.epochs =4', ['train', 'epochs'], 4],
  ];
  for (const [assignment, path, value] of cases) t.deepEqual(parseAssignment(assignment), {path, value}, assignment);
});

test('bad assignments: one line naming the flag, the assignment, the problem and the fix', (t) => {
  const cases: Array<[string, string]> = [
    ['train.epochs=[1', "--set train.epochs=[1: the value '[1' is not valid YAML (flow sequence must end with a ]): quote it or fix it"],
    ['data.dataset={a', "--set data.dataset={a: the value '{a' is not valid YAML (flow map must end with a }): quote it or fix it"],
    ['data.dataset="abc', `--set data.dataset="abc: the value '"abc' is not valid YAML (missing closing "quote): quote it or fix it`],
    ['train.epochs', '--set train.epochs: expected key.path=value (e.g. train.epochs=3)'],
    ['=3', "--set =3: the key before '=' is empty: expected key.path=value (e.g. train.epochs=3)"],
    [' =3', "--set  =3: the key before '=' is empty: expected key.path=value (e.g. train.epochs=3)"],
    ['train..epochs=3', "--set train..epochs=3: the key 'train..epochs' has an empty part: write it as a.b.c"],
    ['train.=3', "--set train.=3: the key 'train.' has an empty part: write it as a.b.c"],
    ['constructor=1', "--set constructor=1: 'constructor', a reserved name that reaches the object prototype, not a setting: remove or rename it"],
    ['train.epochs.x=1', "--set train.epochs.x=1: 'train.epochs' is not a group of settings"],
  ];
  for (const [assignment, message] of cases) {
    t.throws(() => applyOverride({train: {epochs: 3}}, assignment), {message}, assignment);
  }
  t.throws(() => applyOverride({}, 'a=[1', {source: 'suite.yaml: set'}), {message: /^suite\.yaml: set a=\[1: the value/});
});

test('--set errors reach the run config unchanged, model overrides included', async (t) => {
  await t.throwsAsync(resolveRunConfig('configs/quickstart.yaml', {set: ['train.epochs=[1']}), {message: /^--set train\.epochs=\[1: the value '\[1' is not valid YAML/});
  await t.throwsAsync(resolveRunConfig('configs/quickstart.yaml', {set: ['model.baseWidth=[8']}), {message: /^--set model\.baseWidth=\[8: the value '\[8' is not valid YAML/});
  await t.throwsAsync(resolveRunConfig('configs/quickstart.yaml', {set: ['model.__proto__.x=1']}), {message: /^--set model\.__proto__\.x=1: 'model\.__proto__'/});
  await t.throwsAsync(resolveRunConfig('configs/quickstart.yaml', {set: ['__proto__.x=1']}), {message: /^--set __proto__\.x=1: '__proto__', a reserved name/});
  t.false('x' in {});
  t.like((await resolveRunConfig('configs/quickstart.yaml', {set: ['model.baseWidth=4']})).model, {baseWidth: 4});
});

test('a CRLF script: the CR or LF at the end of an assignment is dropped, so the value is what was meant', (t) => {
  t.deepEqual(parseAssignment('train.epochs=2\r'), {path: ['train', 'epochs'], value: 2});
  t.deepEqual(parseAssignment('eval.checkpoint=best\r\n'), {path: ['eval', 'checkpoint'], value: 'best'});
  t.deepEqual(parseAssignment('data.dataset=x\r'), {path: ['data', 'dataset'], value: 'x'});
  // Spaces inside a quoted value stay.
  t.deepEqual(parseAssignment("data.dataset='a '\r"), {path: ['data', 'dataset'], value: 'a '});
});

test('an assignment with a control or zero-width character: the message shows it escaped, never raw', (t) => {
  const key = t.throws(() => parseAssignment('train\u200b.epochs=3'))!.message;
  t.is(key, "--set train\\u200b.epochs=3: the key 'train\\u200b' holds an invisible character (U+200B): retype the key");
  const value = t.throws(() => parseAssignment('train.epochs=[1\r2'))!.message;
  t.notRegex(value, /[\r\n]/);
  t.regex(value, /^--set train\.epochs=\[1\\r2: the value '\[1\\r2' is not valid YAML/);
});
