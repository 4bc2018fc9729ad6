import test from 'ava';
import fc from 'fast-check';
import {join} from 'node:path';
import {writeFile} from 'node:fs/promises';
import {makeSplit, readSplitFile, splitTag, splitWarnings, writeSplitFile, SUBSETS, type SplitFile, type SplitItem} from '../../src/datasets/splits.js';
import {findDatasetEntry} from '../../src/datasets/registry.js';
import {withSubjects} from '../../src/datasets/subjects.js';
import {tempFolder} from './helpers.js';

const itemsArbitrary = fc
  .array(fc.constantFrom('benign', 'malignant', 'normal', undefined), {minLength: 3, maxLength: 80})
  .map((classes) => classes.map((c, i): SplitItem => (c ? {id: `img${i}`, className: c} : {id: `img${i}`})));

function assertPartition(split: SplitFile, items: readonly SplitItem[]): void {
  const all = SUBSETS.flatMap((s) => split.subsets[s]);
  if (new Set(all).size !== all.length) throw new Error('an id is in two subsets');
  if (all.length !== items.length || !items.every((i) => all.includes(i.id))) throw new Error('subsets do not cover every id');
}

test('seeded ratio splits are disjoint, cover every image, and repeat for the same seed (or refuse an empty train/test subset)', (t) => {
  fc.assert(
    fc.property(itemsArbitrary, fc.integer(), fc.tuple(fc.nat(10), fc.nat(10), fc.nat(10)).filter(([a, b, c]) => a + b + c > 0), (items, seed, weights) => {
      const sum = weights[0] + weights[1] + weights[2];
      const ratios = weights.map((w) => w / sum) as [number, number, number];
      let split: SplitFile;
      try {
        split = makeSplit('d', items, {method: 'ratios', seed, ratios});
      } catch (error) {
        return /the (train|test) subset of the split is empty/.test((error as Error).message);
      }
      assertPartition(split, items);
      if (split.subsets.test.length === 0 || split.subsets.train.length === 0) return false;
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

/** CHASE_DB1's 28 ids as the registry layout reads them: subject = child, class = eye. */
function chaseItems(): SplitItem[] {
  const layout = findDatasetEntry('chase-db1')!.layouts[0]!;
  const items: SplitItem[] = [];
  for (let child = 1; child <= 14; child++) {
    for (const eye of ['L', 'R']) items.push({id: `Image_${String(child).padStart(2, '0')}${eye}`, className: eye});
  }
  return withSubjects(layout, items);
}

function childOf(id: string): string {
  return id.slice(6, 8);
}

test('CHASE_DB1: both eyes of a child land in one subset, for every seed and method (the default was stratified by eye)', (t) => {
  const items = chaseItems();
  t.true(items.every((i) => i.subject === childOf(i.id)));
  const where = (split: SplitFile) => {
    const subsetOf = new Map<string, Set<string>>();
    for (const s of SUBSETS) for (const id of split.subsets[s]) (subsetOf.get(childOf(id)) ?? subsetOf.set(childOf(id), new Set()).get(childOf(id))!).add(s);
    return [...subsetOf.values()].every((set) => set.size === 1);
  };
  fc.assert(
    fc.property(fc.integer(), fc.integer({min: 2, max: 7}), (seed, folds) => {
      const auto = makeSplit('chase-db1', items, {method: 'auto', seed});
      const kfold = makeSplit('chase-db1', items, {method: 'kfold', seed, folds, fold: seed & 1 ? 1 : 0});
      return where(auto) && where(kfold) && auto.groupedBy === 'subject' && auto.stratifiedBy === undefined;
    }),
  );
  t.pass();
});

test('subjects are kept together for any grouping of images, and ratios hold over subjects', (t) => {
  const grouped = fc.array(fc.integer({min: 1, max: 4}), {minLength: 10, maxLength: 40}).map((sizes) =>
    sizes.flatMap((n, subject) => Array.from({length: n}, (_, k): SplitItem => ({id: `s${subject}_${k}`, subject: `s${subject}`}))),
  );
  fc.assert(
    fc.property(grouped, fc.integer(), (items, seed) => {
      const split = makeSplit('d', items, {method: 'ratios', seed, ratios: [0.6, 0.2, 0.2]});
      assertPartition(split, items);
      const subjectsIn = SUBSETS.map((s) => new Set(split.subsets[s].map((id) => id.split('_')[0])));
      const subjects = new Set(items.map((i) => i.subject)).size;
      const testSubjects = subjectsIn[2]!.size;
      return subjectsIn[0]!.size + subjectsIn[1]!.size + testSubjects === subjects && Math.abs(testSubjects - 0.2 * subjects) <= 1;
    }),
  );
  t.pass();
});

test('patient ids in names group a folder dataset; ids without them are left alone', (t) => {
  const {subjectFromStem: _, ...layout} = findDatasetEntry('chase-db1')!.layouts[0]!;
  const items = withSubjects<SplitItem>(layout, [{id: 'patient12_slice1'}, {id: 'patient12_slice2'}, {id: 'Patient-3_slice1'}]);
  t.deepEqual(items.map((i) => i.subject), ['patient12', 'patient12', 'patient3']);
  t.deepEqual(withSubjects<SplitItem>(layout, [{id: 'TCGA-18-5592-01Z-00-DX1'}, {id: 'TCGA-18-5592-01Z-00-DX2'}]).map((i) => i.subject), ['tcga185592', 'tcga185592']);
  t.deepEqual(withSubjects<SplitItem>(layout, [{id: 'cju0qkwl35piu0993l0dewei2'}, {id: 'patient1'}]).map((i) => i.subject), [undefined, undefined]);
});

test('CHASE_DB1 offers its customary split by name: children 1-10 train (20 images), 11-14 test (8)', (t) => {
  const named = findDatasetEntry('chase-db1')!.namedSplits!.find((s) => s.name === 'first-20')!;
  const split = makeSplit('chase-db1', chaseItems(), {method: 'named', seed: 0, split: named});
  t.is(split.method, 'named');
  t.deepEqual(split.subsets.test, ['Image_11L', 'Image_11R', 'Image_12L', 'Image_12R', 'Image_13L', 'Image_13R', 'Image_14L', 'Image_14R']);
  t.is(split.subsets.train.length + split.subsets.validation.length, 20);
  t.true(split.subsets.validation.length > 0);
  t.is(new Set(split.subsets.validation.map(childOf)).size * 2, split.subsets.validation.length);
  t.is(splitTag(split), 'named-first-20');
});

test('ratios that do not sum to 1 are an error, not silently normalised', (t) => {
  const items = Array.from({length: 20}, (_, i) => ({id: `i${i}`}));
  t.throws(() => makeSplit('d', items, {method: 'ratios', seed: 0, ratios: [0.8, 0.4, 0.3]}), {message: /^split ratios 0\.8,0\.4,0\.3: ratios sum to 1\.5, not 1: .*data\.split\.ratios of a run config\)$/});
  t.throws(() => makeSplit('d', items, {method: 'auto', seed: 0, ratios: [8, 1, 1]}), {message: /sum to 10, not 1/});
  t.notThrows(() => makeSplit('d', items, {method: 'ratios', seed: 0, ratios: [0.7, 0.2, 0.1]}));
});

test('a split with an empty test subset is refused (5 pairs at 80/10/10 gave 4/1/0); small subsets warn', (t) => {
  const five = Array.from({length: 5}, (_, i) => ({id: `i${i}`}));
  t.throws(() => makeSplit('kvasir-sample', five, {method: 'auto', seed: 0}), {message: /the test subset of the split is empty \(.*5 images\)/});
  const split = makeSplit('d', five, {method: 'ratios', seed: 0, ratios: [0.6, 0.2, 0.2]});
  const warnings = splitWarnings(split);
  t.deepEqual(warnings.map((w) => [w.subset, w.count]), [['validation', 1], ['test', 1]]);
  t.regex(warnings[1]!.message, /WARNING: the test subset has only 1 image \(fewer than 10\)/);
  const big = makeSplit('d', Array.from({length: 100}, (_, i) => ({id: `i${i}`})), {method: 'auto', seed: 0});
  t.deepEqual(splitWarnings(big), []);
});

test('split tags differ whenever the ratios differ', (t) => {
  fc.assert(
    fc.property(fc.tuple(fc.integer({min: 1, max: 98}), fc.integer({min: 1, max: 98})), fc.tuple(fc.integer({min: 1, max: 98}), fc.integer({min: 1, max: 98})), ([a, b], [c, d]) => {
      fc.pre(a + b < 100 && c + d < 100);
      const items = Array.from({length: 200}, (_, i) => ({id: `i${i}`}));
      const one = makeSplit('d', items, {method: 'ratios', seed: 0, ratios: [a / 100, b / 100, (100 - a - b) / 100]});
      const two = makeSplit('d', items, {method: 'ratios', seed: 0, ratios: [c / 100, d / 100, (100 - c - d) / 100]});
      return (a === c && b === d) === (splitTag(one) === splitTag(two));
    }),
  );
  t.pass();
});
