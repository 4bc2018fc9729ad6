import test from 'ava';
import {mkdtemp, writeFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {mergeConfigs} from '../../src/config/files.js';
import {resolveRunConfig} from '../../src/runs/config.js';

async function withFiles(files: Record<string, string>, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-config-'));
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    await fn(dir);
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
}

test('merge: mappings merge key by key, lists and scalars are replaced', (t) => {
  t.deepEqual(mergeConfigs({a: {b: 1, c: [1, 2]}, d: 1}, {a: {c: [3]}, e: 2}), {a: {b: 1, c: [3]}, d: 1, e: 2});
});

test('extends chains merge bases first, the file last, then --set, --dataset and --seed', async (t) => {
  await withFiles({
    'base.yaml': 'train: {epochs: 5, batchSize: 4}\ndata: {size: 64}\n',
    'run.yaml': 'extends: [models/unet.yaml, base.yaml]\nmodel: {baseWidth: 8}\ntrain: {epochs: 7}\n',
  }, async (dir) => {
    const c = await resolveRunConfig(join(dir, 'run.yaml'), {set: ['train.optimizer.lr=0.01', 'model.baseWidth=4'], dataset: 'busi', seed: 3});
    t.is(c.model.model, 'unet');
    t.like(c.model, {baseWidth: 4});
    t.is(c.train.epochs, 7);
    t.is(c.train.batchSize, 4);
    t.is(c.train.optimizer.lr, 0.01);
    t.is(c.data.size, 64);
    t.is(c.data.dataset, 'busi');
    t.is(c.seed, 3);
    t.is(c.train.loss.name, 'bce-dice');
  });
});

test('every shipped config resolves', async (t) => {
  for (const file of ['configs/quickstart.yaml', 'configs/quickstart-unet.yaml', 'configs/torch-twin/ms-lkseg.yaml', 'configs/torch-twin/unet.yaml', 'configs/torch-twin/emcad-b0.yaml']) {
    const c = await resolveRunConfig(file);
    t.true(c.train.epochs > 0, file);
  }
  const twin = await resolveRunConfig('configs/torch-twin/unet.yaml');
  t.deepEqual([twin.model.model, 'baseWidth' in twin.model ? twin.model.baseWidth : null, twin.data.size, twin.train.epochs, twin.train.optimizer.lr], ['unet', 16, 96, 10, 1e-3]);
});

test('bad input gets one line naming the key and the fix', async (t) => {
  await t.throwsAsync(resolveRunConfig('configs/quickstart.yaml', {set: ['train.epoch=3']}), {message: "unknown key 'train.epoch': did you mean 'train.epochs'?"});
  await t.throwsAsync(resolveRunConfig('configs/quickstart.yaml', {set: ['data.size=100']}), {message: /^data\.size: must be divisible by 16/});
  await t.throwsAsync(resolveRunConfig('configs/quickstart.yaml', {set: ['model.ld.largeKernel=20']}), {message: /^model\.ld\.largeKernel: kernel sizes must be odd/});
  await t.throwsAsync(resolveRunConfig('configs/nope.yaml'), {message: /cannot read config .*nope\.yaml.*no such file/});
  await withFiles({'a.yaml': 'extends: b.yaml\n', 'b.yaml': 'extends: a.yaml\n'}, async (dir) => {
    await t.throwsAsync(resolveRunConfig(join(dir, 'a.yaml')), {message: /^extends cycle: /});
  });
  await withFiles({'c.yaml': 'extends: missing.yaml\n', 'd.yaml': 'train: {epochs: 2}\n', 'e.yaml': 'model: [1\n'}, async (dir) => {
    await t.throwsAsync(resolveRunConfig(join(dir, 'c.yaml')), {message: /c\.yaml: extends 'missing\.yaml': no such file/});
    await t.throwsAsync(resolveRunConfig(join(dir, 'd.yaml')), {message: /no model: add 'extends: models\/<name>\.yaml'/});
    await t.throwsAsync(resolveRunConfig(join(dir, 'e.yaml')), {message: /not valid YAML/});
  });
});
