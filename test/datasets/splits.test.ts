import test from 'ava';
import fc from 'fast-check';
import {join} from 'node:path';
import {writeFile} from 'node:fs/promises';
import {makeSplit, readSplitFile, writeSplitFile, SUBSETS, type SplitFile, type SplitItem} from '../../src/datasets/splits.js';
import {tempFolder} from './helpers.js';

const itemsArbitrary = fc
  .array(fc.constantFrom('benign', 'malignant', 'normal', undefined), {minLength: 3, maxLength: 80})
  .map((classes) => classes.map((c, i): SplitItem => (c ? {id: `img${i}`, className: c} : {id: `img${i}`})));

function assertPartition(split: SplitFile, items: readonly SplitItem[]): void {
  const all = SUBSETS.flatMap((s) => split.subsets[s]);
  if (new Set(all).size !== all.length) throw new Error('an id is in two subsets');
  if (all.length !== items.length || !items.every((i) => all.includes(i.id))) throw new Error('subsets do not cover every id');
}

test('seeded ratio splits are disjoint, cover every image, and repeat for the same seed', (t) => {
  fc.assert(
    fc.property(itemsArbitrary, fc.integer(), fc.tuple(fc.nat(10), fc.nat(10), fc.nat(10)).filter(([a, b, c]) => a + b + c > 0), (items, seed, ratios) => {
      const split = makeSplit('d', items, {method: 'ratios', seed, ratios});
      assertPartition(split, items);
      return JSON.stringify(makeSplit('d', items, {method: 'ratios', seed, ratios})) === JSON.stringify(split);
    }),
  );
  t.pass();
});

test('k-fold: every fold is a partition and the test folds together cover every image exactly once', (t) => {
  fc.assert(
    fc.property(itemsArbitrary, fc.integer(), fc.integer({min: 2, max: 6}), (items, seed, folds) => {
      fc.pre(folds <= items.length);
      const tests: string[] = [];
      for (let fold = 0; fold < folds; fold++) {
        const split = makeSplit('d', items, {method: 'kfold', seed, folds, fold});
        assertPartition(split, items);
        tests.push(...split.subsets.test);
      }
      return tests.length === items.length && new Set(tests).size === items.length;
    }),
  );
  t.pass();
});

test('ratio splits are stratified by class', (t) => {
  const items: SplitItem[] = [];
  for (let i = 0; i < 100; i++) items.push({id: `b${i}`, className: 'benign'});
  for (let i = 0; i < 20; i++) items.push({id: `n${i}`, className: 'normal'});
  const split = makeSplit('d', items, {method: 'ratios', seed: 1, ratios: [0.8, 0.1, 0.1]});
  t.is(split.subsets.test.filter((id) => id.startsWith('n')).length, 2);
  t.is(split.subsets.test.filter((id) => id.startsWith('b')).length, 10);
  t.not(JSON.stringify(makeSplit('d', items, {method: 'ratios', seed: 2, ratios: [0.8, 0.1, 0.1]}).subsets), JSON.stringify(split.subsets));
});

test('an official split without validation takes a seeded validation set from training (GlaS, DRIVE)', (t) => {
  const items: SplitItem[] = [
    ...Array.from({length: 85}, (_, i) => ({id: `train_${i}`, split: 'train'})),
    ...Array.from({length: 60}, (_, i) => ({id: `testA_${i}`, split: 'test', group: 'testA'})),
    ...Array.from({length: 20}, (_, i) => ({id: `testB_${i}`, split: 'test', group: 'testB'})),
  ];
  const split = makeSplit('glas', items, {method: 'auto', seed: 0});
  t.is(split.method, 'official');
  t.is(split.subsets.test.length, 80);
  t.is(split.subsets.train.length + split.subsets.validation.length, 85);
  t.true(split.subsets.validation.length > 0);
  t.is(split.groups?.['testA']?.length, 60);
  assertPartition(split, items);
});

test('split files round-trip and a file naming an unknown image or an image twice is refused', async (t) => {
  const dir = await tempFolder('split');
  try {
    const items = Array.from({length: 10}, (_, i) => ({id: `i${i}`}));
    const split = makeSplit('d', items, {method: 'ratios', seed: 0, ratios: [0.6, 0.2, 0.2]});
    const file = join(dir.path, 'split.json');
    await writeSplitFile(file, split);
    t.deepEqual(await readSplitFile(file, items.map((i) => i.id)), split);
    await t.throwsAsync(readSplitFile(file, ['i0']), {message: /is not an image of this dataset/});
    await writeFile(file, JSON.stringify({...split, subsets: {...split.subsets, test: [...split.subsets.test, split.subsets.train[0]]}}));
    await t.throwsAsync(readSplitFile(file), {message: /is in both train and test/});
  } finally {
    await dir.cleanup();
  }
});
