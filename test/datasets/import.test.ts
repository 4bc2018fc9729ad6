// `import`: every pair decoded before anything is registered, problems counted, names not silently repointed,
// registry names pointed at the command that installs them.
import test from 'ava';
import {readFile, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {importDataset} from '../../src/datasets/import.js';
import {readImportRecord} from '../../src/datasets/imported.js';
import {tempFolder, writeFolderDataset} from './helpers.js';

test('a text file named .png is refused (it does not decode), with the problem count; nothing is registered', async (t) => {
  const dir = await tempFolder('import-text');
  try {
    const data = join(dir.path, 'data');
    const dataRoot = join(dir.path, 'root');
    await writeFolderDataset(data, 4, 16, 16);
    await writeFile(join(data, 'images', 'case1.png'), 'hello, I am text');
    const error = await t.throwsAsync(importDataset(data, {dataRoot, name: 'mine'}));
    t.regex(error!.message, /images\/case1\.png: .*\(1 problem\); nothing imported$/);
    t.is(await readImportRecord(dataRoot, 'mine'), undefined);
    await writeFile(join(data, 'masks', 'case2.png'), 'text again');
    const two = await t.throwsAsync(importDataset(data, {dataRoot, name: 'mine'}));
    t.regex(two!.message, /\(2 problems; see them all with `mslk datasets verify .*data`\); nothing imported$/);
  } finally {
    await dir.cleanup();
  }
});

test('re-importing a name is refused without force, and repoints it with force', async (t) => {
  const dir = await tempFolder('import-again');
  try {
    const one = join(dir.path, 'one');
    const two = join(dir.path, 'two');
    const dataRoot = join(dir.path, 'root');
    await writeFolderDataset(one, 3, 16, 16);
    await writeFolderDataset(two, 4, 16, 16);
    await importDataset(one, {dataRoot, name: 'mine'});
    const error = await t.throwsAsync(importDataset(two, {dataRoot, name: 'mine'}));
    t.regex(error!.message, /^mine: is already imported \(from .*one\): pass --force/);
    t.is((await readImportRecord(dataRoot, 'mine'))!.root, one);
    const forced = await importDataset(two, {dataRoot, name: 'mine', force: true});
    t.is(forced.replaced, one);
    t.is(forced.pairs, 4);
    t.is(JSON.parse(await readFile(forced.recordFile, 'utf8')).root, two);
  } finally {
    await dir.cleanup();
  }
});

test('importing under a registry name points to the command that installs a downloaded copy', async (t) => {
  const dir = await tempFolder('import-registry');
  try {
    await writeFolderDataset(join(dir.path, 'data'), 3, 16, 16);
    const error = await t.throwsAsync(importDataset(join(dir.path, 'data'), {dataRoot: join(dir.path, 'root'), name: 'chase-db1'}));
    t.regex(error!.message, /^chase-db1: is a registry dataset name: .*`mslk datasets fetch chase-db1 --from .*data`/);
  } finally {
    await dir.cleanup();
  }
});
