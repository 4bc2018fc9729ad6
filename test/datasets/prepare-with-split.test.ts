// prepare + split as `datasets prepare` and `train` run them: split files named by their parameters and left alone
// when unchanged, sizes no model can use refused, customary splits by name, tiny datasets refused or warned, and
// a damaged dataset's error counting every problem.
import test from 'ava';
import {cp, readFile, stat, writeFile} from 'node:fs/promises';
import {basename, join} from 'node:path';
import {prepareSplit} from '../../src/datasets/prepare-with-split.js';
import {KVASIR_SAMPLE, SHARED_DATASETS, tempFolder, writeChaseLike, writeFolderDataset} from './helpers.js';
import {existsSync} from 'node:fs';

test('split files carry their ratios in the name, and an unchanged split is not rewritten', async (t) => {
  const dir = await tempFolder('split-names');
  try {
    const data = join(dir.path, 'data');
    const dataRoot = join(dir.path, 'root');
    await writeFolderDataset(data, 20, 16, 16);
    const a = await prepareSplit(data, {dataRoot, size: 16, split: {method: 'ratios', seed: 0, ratios: [0.8, 0.1, 0.1]}});
    const b = await prepareSplit(data, {dataRoot, size: 16, split: {method: 'ratios', seed: 0, ratios: [0.6, 0.2, 0.2]}});
    t.not(a.splitFile, b.splitFile);
    t.regex(basename(a.splitFile), /split-ratios80-10-10-seed0\.json$/);
    t.deepEqual(JSON.parse(await readFile(a.splitFile, 'utf8')).subsets, a.split.subsets);
    const before = (await stat(a.splitFile)).mtimeMs;
    await new Promise((r) => setTimeout(r, 30));
    const again = await prepareSplit(data, {dataRoot, size: 16, split: {method: 'ratios', seed: 0, ratios: [0.8, 0.1, 0.1]}});
    t.is(again.splitFile, a.splitFile);
    t.is((await stat(a.splitFile)).mtimeMs, before);
  } finally {
    await dir.cleanup();
  }
});

test('prepare refuses a size no model can use (17), naming the sizes that work', async (t) => {
  const dir = await tempFolder('size');
  try {
    await writeFolderDataset(join(dir.path, 'data'), 4, 16, 16);
    const error = await t.throwsAsync(prepareSplit(join(dir.path, 'data'), {dataRoot: join(dir.path, 'root'), size: 17, split: {method: 'auto', seed: 0}}));
    t.is(error!.message, '17: size must be a multiple of 16 pixels (models halve it four times): use 16 or 32');
    await t.throwsAsync(prepareSplit(join(dir.path, 'data'), {dataRoot: join(dir.path, 'root'), size: 8, split: {method: 'auto', seed: 0}}), {message: /multiple of 16/});
  } finally {
    await dir.cleanup();
  }
});

test('chase-db1 in the data root: --split first-20 gives children 1-10 / 11-14; the default keeps eyes together; unknown names are listed', async (t) => {
  const dir = await tempFolder('chase');
  try {
    const dataRoot = join(dir.path, 'root');
    await writeChaseLike(join(dataRoot, 'chase-db1'));
    const named = await prepareSplit('chase-db1', {dataRoot, size: 16, split: {method: 'named', name: 'first-20', seed: 0}});
    t.is(named.split.subsets.test.length, 8);
    t.true(named.split.subsets.test.every((id) => Number(id.slice(6, 8)) > 10));
    t.regex(basename(named.splitFile), /split-named-first-20-seed0\.json$/);
    // Method named without a name: the dataset, not an empty value, starts the line, and the key is named.
    await t.throwsAsync(prepareSplit('chase-db1', {dataRoot, size: 16, split: {method: 'named', seed: 0}}),
      {message: /^chase-db1: method named needs a split name \(data\.split\.name in a run config\): chase-db1 offers first-20$/});
    const auto = await prepareSplit('chase-db1', {dataRoot, size: 16, split: {method: 'auto', seed: 0}});
    const subsetOfChild = new Map<string, string>();
    for (const [subset, ids] of Object.entries(auto.split.subsets)) {
      for (const id of ids) {
        const child = id.slice(6, 8);
        t.true(!subsetOfChild.has(child) || subsetOfChild.get(child) === subset, `child ${child} straddles subsets`);
        subsetOfChild.set(child, subset);
      }
    }
    t.is(auto.split.groupedBy, 'subject');
    await t.throwsAsync(prepareSplit('chase-db1', {dataRoot, size: 16, split: {method: 'named', name: 'first20', seed: 0}}), {message: /first20: unknown split: chase-db1 offers first-20/});
  } finally {
    await dir.cleanup();
  }
});

test('a 5-pair dataset is refused at the default 80/10/10 (test would be empty) and warned about at 60/20/20', async (t) => {
  const dir = await tempFolder('tiny');
  try {
    const data = join(dir.path, 'data');
    await writeFolderDataset(data, 5, 16, 16);
    const dataRoot = join(dir.path, 'root');
    await t.throwsAsync(prepareSplit(data, {dataRoot, size: 16, split: {method: 'auto', seed: 0}}), {message: /the test subset of the split is empty/});
    const small = await prepareSplit(data, {dataRoot, size: 16, split: {method: 'ratios', seed: 0, ratios: [0.6, 0.2, 0.2]}});
    t.deepEqual(small.warnings.map((w) => w.subset), ['validation', 'test']);
  } finally {
    await dir.cleanup();
  }
});

const sampleTest = existsSync(KVASIR_SAMPLE) ? test : test.skip;
if (!existsSync(KVASIR_SAMPLE)) console.log(`Skipping the original Kvasir sample test: ${SHARED_DATASETS} is absent.`);
sampleTest('the 5 original Kvasir-SEG pairs: the default split is refused instead of "test mDice -, n = 0"', async (t) => {
  const dir = await tempFolder('kvasir-sample');
  try {
    await t.throwsAsync(prepareSplit(KVASIR_SAMPLE, {dataRoot: dir.path, size: 16, split: {method: 'auto', seed: 0}}), {message: /the test subset of the split is empty/});
  } finally {
    await dir.cleanup();
  }
});

test('a damaged dataset: prepare names the first problem, how many there are, and verify', async (t) => {
  const dir = await tempFolder('damaged');
  try {
    const data = join(dir.path, 'data');
    await writeFolderDataset(data, 12, 16, 16);
    await writeFile(join(data, 'images', 'case2.png'), 'not a png');
    await writeFile(join(data, 'masks', 'case5.png'), 'not a png either');
    await cp(join(data, 'images', 'case2.png'), join(data, 'images', 'case7.png'));
    const error = await t.throwsAsync(prepareSplit(data, {dataRoot: join(dir.path, 'root'), size: 16, split: {method: 'auto', seed: 0}}));
    t.regex(error!.message, /\(3 problems in data: see them all with `mslk datasets verify .*data`\)/);
    t.false(error!.message.includes('\n'));
  } finally {
    await dir.cleanup();
  }
});
