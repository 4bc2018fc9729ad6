import test from 'ava';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {mergeConfigs, PACKAGE_CONFIGS, readConfigTree} from '../../src/config/files.js';
import {resolveRunConfig} from '../../src/runs/config.js';

/** Writes `files` (paths relative to a fresh temporary folder) and runs `fn` on that folder. */
async function withFiles(files: Record<string, string>, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-config-files-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, name)), {recursive: true});
      await writeFile(join(dir, name), text);
    }
    await fn(dir);
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
}

test("BUSI keeps its ratios split when a training base is merged after it (issue 9)", async (t) => {
  await withFiles({'busi-run.yaml': 'extends: [models/unet.yaml, datasets/busi.yaml, training/default.yaml]\n'}, async (dir) => {
    const c = await resolveRunConfig(join(dir, 'busi-run.yaml'));
    t.deepEqual(c.data.split, {method: 'ratios', seed: 0, ratios: [0.7, 0.1, 0.2]});
    t.is(c.data.dataset, 'busi');
    t.is(c.data.size, 256);
    t.is(c.train.optimizer.lr, 1e-4);
  });
});

test('shipped training bases set only train and eval keys', async (t) => {
  for (const name of ['default.yaml', 'sgd-poly.yaml']) {
    const tree = await readConfigTree(join(PACKAGE_CONFIGS, 'training', name));
    t.deepEqual(Object.keys(tree).sort(), ['eval', 'train'], name);
  }
});

test('two sibling bases setting the same key: one line naming the extending file, both bases and the key', async (t) => {
  await withFiles({
    'x.yaml': 'extends: [data.yaml, training.yaml]\n',
    'data.yaml': 'data: {size: 128, dataset: busi}\n',
    'training.yaml': 'data: {size: 256}\ntrain: {epochs: 3}\n',
  }, async (dir) => {
    const error = await t.throwsAsync(readConfigTree(join(dir, 'x.yaml')));
    t.regex(error.message, /x\.yaml: 'data\.size' is set by both \S*data\.yaml and \S*training\.yaml: keep it in one base, or set it in x\.yaml itself$/);
    t.false(error.message.includes('\n'));
  });
});

test("the file's own key settles a sibling conflict, and --set still overrides", async (t) => {
  await withFiles({
    'x.yaml': 'extends: [models/unet.yaml, data.yaml, training.yaml]\ndata: {size: 64}\n',
    'data.yaml': 'data: {size: 128}\n',
    'training.yaml': 'data: {size: 256}\n',
  }, async (dir) => {
    t.is((await resolveRunConfig(join(dir, 'x.yaml'))).data.size, 64);
    t.is((await resolveRunConfig(join(dir, 'x.yaml'), {set: ['data.size=32']})).data.size, 32);
  });
});

test('a scalar in one base and a group under the same key in another conflict; disjoint keys of one group do not', async (t) => {
  await withFiles({
    'scalar.yaml': 'extends: [a.yaml, b.yaml]\n',
    'a.yaml': 'data: {split: null}\n',
    'b.yaml': 'data: {split: {method: ratios}}\n',
    'disjoint.yaml': 'extends: [c.yaml, d.yaml]\n',
    'c.yaml': 'data: {split: {method: ratios}}\n',
    'd.yaml': 'data: {split: {seed: 3}}\n',
  }, async (dir) => {
    await t.throwsAsync(readConfigTree(join(dir, 'scalar.yaml')), {message: /'data\.split' is set by both \S*a\.yaml and \S*b\.yaml/});
    t.deepEqual(await readConfigTree(join(dir, 'disjoint.yaml')), {data: {split: {method: 'ratios', seed: 3}}});
  });
});

test('conflicts through nested extends name the file that set the key; a child overriding its parent is fine', async (t) => {
  await withFiles({
    'x.yaml': 'extends: [protocol.yaml, dataset.yaml]\n',
    'protocol.yaml': 'extends: [inner.yaml]\ntrain: {epochs: 5}\n',
    'inner.yaml': 'train: {epochs: 300}\ndata: {size: 96}\n',
    'dataset.yaml': 'data: {size: 352}\n',
    'child.yaml': 'extends: [protocol.yaml]\n',
  }, async (dir) => {
    await t.throwsAsync(readConfigTree(join(dir, 'x.yaml')), {message: /'data\.size' is set by both \S*inner\.yaml and \S*dataset\.yaml/});
    t.deepEqual(await readConfigTree(join(dir, 'child.yaml')), {train: {epochs: 5}, data: {size: 96}});
  });
});

test('the same base reached through two siblings is no conflict', async (t) => {
  await withFiles({
    'x.yaml': 'extends: [a.yaml, b.yaml]\n',
    'a.yaml': 'extends: common.yaml\nseed: 1\n',
    'b.yaml': 'extends: common.yaml\ntrain: {epochs: 2}\n',
    'common.yaml': 'eval: {threshold: 0.4}\n',
  }, async (dir) => {
    t.deepEqual(await readConfigTree(join(dir, 'x.yaml')), {eval: {threshold: 0.4}, seed: 1, train: {epochs: 2}});
  });
});

test('a folder or a missing file in extends: one line naming the extending file, the entry and the fix', async (t) => {
  await withFiles({
    'x.yaml': 'extends: [models/unet.yaml, sub]\n',
    'sub/a.yaml': 'seed: 1\n',
    'y.yaml': 'extends: [nope.yaml]\n',
    'z.yaml': 'extends: [3]\n',
  }, async (dir) => {
    const folder = await t.throwsAsync(readConfigTree(join(dir, 'x.yaml'), {fallbackDir: PACKAGE_CONFIGS}));
    t.regex(folder.message, /x\.yaml: extends 'sub' names a folder \(.*sub\), not a config file: name a YAML file in it, e.g. 'sub\/<name>\.yaml'$/);
    t.notRegex(folder.message, /EISDIR/);
    const missing = await t.throwsAsync(readConfigTree(join(dir, 'y.yaml'), {fallbackDir: PACKAGE_CONFIGS}));
    t.regex(missing.message, /y\.yaml: extends 'nope\.yaml': no such file \(looked for .*nope\.yaml and .*nope\.yaml\): fix the name/);
    await t.throwsAsync(readConfigTree(join(dir, 'z.yaml')), {message: /z\.yaml: extends takes a file name or a list of file names, not 3/});
    const top = await t.throwsAsync(readConfigTree(join(dir, 'sub')));
    t.regex(top.message, /^cannot read config '.*sub': it is a folder: name a YAML file in it$/);
  });
});

test('a YAML key __proto__, constructor or prototype is refused and pollutes nothing', async (t) => {
  await withFiles({
    'proto.yaml': '__proto__: {polluted: 1}\n',
    'nested.yaml': 'train:\n  optimizer:\n    constructor: {polluted: 1}\n',
    'list.yaml': 'model: {stages: [{prototype: 1}]}\n',
  }, async (dir) => {
    await t.throwsAsync(readConfigTree(join(dir, 'proto.yaml')), {message: /proto\.yaml: '__proto__', a reserved name/});
    await t.throwsAsync(readConfigTree(join(dir, 'nested.yaml')), {message: /nested\.yaml: 'train\.optimizer\.constructor' contains 'constructor'/});
    await t.throwsAsync(readConfigTree(join(dir, 'list.yaml')), {message: /'model\.stages\[0\]\.prototype' contains 'prototype'/});
  });
  t.false('polluted' in {});
});

test('mergeConfigs refuses a reserved key instead of setting the prototype', (t) => {
  const over = JSON.parse('{"__proto__": {"polluted": 1}}') as Record<string, unknown>;
  t.throws(() => mergeConfigs({}, over), {message: /'__proto__', a reserved name/});
  t.false('polluted' in {});
});

test('a config file with a BOM is read; a key holding a zero-width character or a byte that is not UTF-8 is refused, naming it', async (t) => {
  await withFiles({
    'bom.yaml': '\uFEFFextends: [models/unet.yaml]\ntrain:\n  epochs: 2\n',
    'zw.yaml': 'extends: [models/unet.yaml]\ntrain\u200b:\n  epochs: 2\n',
    'nested.yaml': 'extends: [models/unet.yaml]\ntrain:\n  \uFEFFepochs: 2\n',
  }, async (dir) => {
    t.is((await resolveRunConfig(join(dir, 'bom.yaml'))).train.epochs, 2);
    await t.throwsAsync(resolveRunConfig(join(dir, 'zw.yaml')), {message: `${join(dir, 'zw.yaml')}: the key 'train\\u200b' holds an invisible character (U+200B): retype the key`});
    await t.throwsAsync(resolveRunConfig(join(dir, 'nested.yaml')), {message: `${join(dir, 'nested.yaml')}: the key 'train.\\ufeffepochs' holds an invisible character (U+FEFF): retype the key`});
    const latin1 = join(dir, 'latin1.yaml');
    await writeFile(latin1, Buffer.concat([Buffer.from('extends: [models/unet.yaml]\n# caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    await t.throwsAsync(resolveRunConfig(latin1), {message: `${latin1}: not valid UTF-8: byte 0xE9 at line 2, column 6 (byte offset 33): save the file as UTF-8`});
  });
});
