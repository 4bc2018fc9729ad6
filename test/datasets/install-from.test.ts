// A manually downloaded registry dataset (CHASE_DB1) installed into the data root with `fetch --from`: the
// command `fetch` prints for it works, the layout and every pair are verified first, the registry metadata stays.
import test from 'ava';
import {existsSync} from 'node:fs';
import {readdir, readFile, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {datasetInfo, listDatasets} from '../../src/datasets/catalog.js';
import {fetchDataset} from '../../src/datasets/fetch.js';
import {resolveDataset} from '../../src/datasets/resolve.js';
import {makeZip, tempFolder, writeChaseLike, writeFolderDataset} from './helpers.js';

test('fetch chase-db1 prints an install command that works on the unpacked folder; metadata and layout kept', async (t) => {
  const dir = await tempFolder('install-chase');
  try {
    const dataRoot = join(dir.path, 'root');
    const download = join(dir.path, 'CHASEDB1');
    await writeChaseLike(download, 3);
    const manual = await fetchDataset('chase-db1', {dataRoot});
    t.is(manual.status, 'manual');
    if (manual.status !== 'manual') return;
    const command = manual.importCommand.split(' ');
    t.deepEqual(command.slice(0, 5), ['mslk', 'datasets', 'fetch', 'chase-db1', '--from']);
    const installed = await fetchDataset('chase-db1', {dataRoot, from: download});
    t.is(installed.status, 'installed');
    if (installed.status !== 'installed') return;
    t.is(installed.pairs, 6);
    t.true(existsSync(join(download, 'Image_01L.jpg')), 'the source is left as it was');
    const dataset = await resolveDataset('chase-db1', {dataRoot});
    t.is(dataset.entry?.name, 'chase-db1');
    t.is(dataset.layout.id, 'chase-db1-official');
    const info = await datasetInfo('chase-db1', dataRoot);
    t.regex(info.modality, /fundus/);
    t.regex(info.citation, /Fraz/);
    t.is(info.state, 'present');
    t.is(info.foundPairs, 6);
    t.deepEqual(await readdir(dataRoot), ['chase-db1']);
  } finally {
    await dir.cleanup();
  }
});

test('fetch --from a zip with a top folder installs; a copy that is not that dataset or has a bad pair installs nothing', async (t) => {
  const dir = await tempFolder('install-zip');
  try {
    const dataRoot = join(dir.path, 'root');
    const unpacked = join(dir.path, 'unpacked');
    await writeChaseLike(unpacked, 2);
    const entries = [];
    for (const name of (await readdir(unpacked)).sort()) entries.push({name: `CHASEDB1/${name}`, data: new Uint8Array(await readFile(join(unpacked, name)))});
    const zip = join(dir.path, 'CHASEDB1.zip');
    await writeFile(zip, makeZip(entries));
    const installed = await fetchDataset('chase-db1', {dataRoot, from: zip});
    t.is(installed.status, 'installed');
    t.is((await resolveDataset('chase-db1', {dataRoot})).pairs.length, 4);

    const other = join(dir.path, 'other');
    await writeFolderDataset(other, 3, 16, 16);
    await t.throwsAsync(fetchDataset('drive', {dataRoot, from: other}), {message: /does not look like drive/});
    // A folder of another layout: the error names the folder given (not the scratch copy) and what it holds.
    const wrong = join(dir.path, 'wrong');
    await writeFolderDataset(join(wrong, 'nested'), 1, 16, 16);
    const error = await t.throwsAsync(fetchDataset('chase-db1', {dataRoot, from: wrong, force: true}));
    t.regex(error?.message ?? '', /wrong: no chase-db1 files found \(it holds nested\/; expected: .*Image_NNL.*\): pass the folder the download unpacks to/);
    t.notRegex(error?.message ?? '', /\.partial/);
    await writeFile(join(unpacked, 'Image_02R_1stHO.png'), 'not a png');
    await t.throwsAsync(fetchDataset('chase-db1', {dataRoot, from: unpacked, force: true}), {message: /Image_02R_1stHO\.png: .*\(1 problem in the copy; nothing installed\)/});
    t.is((await resolveDataset('chase-db1', {dataRoot})).pairs.length, 4, 'the installed copy is untouched');
    t.deepEqual((await readdir(dataRoot)).sort(), ['chase-db1']);
  } finally {
    await dir.cleanup();
  }
});

test('datasets list: a folder under the data root that cannot be read as that dataset is unreadable, not present', async (t) => {
  const dir = await tempFolder('list-unreadable');
  try {
    const dataRoot = join(dir.path, 'root');
    await writeFolderDataset(join(dataRoot, 'monuseg'), 4, 16, 16);
    await writeChaseLike(join(dataRoot, 'chase-db1'), 2);
    const rows = await listDatasets(dataRoot);
    const monuseg = rows.find((r) => r.name === 'monuseg')!;
    t.false(monuseg.present);
    t.is(monuseg.state, 'unreadable');
    t.regex(monuseg.reason!, /does not look like monuseg/);
    const chase = rows.find((r) => r.name === 'chase-db1')!;
    t.true(chase.present);
    t.is(chase.foundPairs, 4);
    t.is(chase.expectedPairs, 28);
    t.is(rows.find((r) => r.name === 'kvasir-seg')!.state, 'absent');
  } finally {
    await dir.cleanup();
  }
});
