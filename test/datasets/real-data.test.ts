// The real datasets in ../shared/datasets: counts, splits, mask rules and official checksums.
import {cp, readFile, rm, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import sharp from 'sharp';
import {decodeMask} from '../../src/datasets/decode.js';
import {resolveDataset} from '../../src/datasets/resolve.js';
import {makeSplit} from '../../src/datasets/splits.js';
import {verifyDataset} from '../../src/datasets/verify.js';
import {BUSI_SUBSET, KVASIR_352, KVASIR_SAMPLE, realDataTest, tempFolder} from './helpers.js';

const dataRoot = join(KVASIR_352, '..', '.no-data-root-needed');

realDataTest(KVASIR_352)('the 352 px Kvasir-SEG layout gives exactly 800/100/100 pairs, all masks binarisable and non-empty', async (t) => {
  const dataset = await resolveDataset(KVASIR_352, {dataRoot});
  t.is(dataset.entry?.name, 'kvasir-seg');
  t.is(dataset.layout.id, 'kvasir-seg-352');
  t.deepEqual(dataset.problems, []);
  t.is(dataset.pairs.length, 1000);
  const split = makeSplit(dataset.name, dataset.pairs, {method: 'auto', seed: 0});
  t.is(split.method, 'official');
  t.is(split.subsets.train.length, 800);
  t.is(split.subsets.validation.length, 100);
  t.is(split.subsets.test.length, 100);
  // splits.csv and the folders agree: every id lives in the folder of its split.
  for (const [subset, ids] of Object.entries(split.subsets)) for (const id of ids) t.true(id.startsWith(`${subset}/`), id);
  let worst = 0;
  for (const pair of dataset.pairs) {
    const mask = await decodeMask(pair.masks.map((m) => join(dataset.root, m)), dataset.layout.maskRule);
    worst = Math.max(worst, mask.ambiguousFraction);
    if (!mask.data.some((v) => v === 1)) t.fail(`${pair.id}: empty polyp mask`);
    if (mask.data.some((v) => v > 1)) t.fail(`${pair.id}: not binary`);
  }
  t.log(`largest share of mid-grey pixels in a Kvasir JPEG mask: ${(worst * 100).toFixed(2)}%`);
  t.true(worst < 0.05);
});

realDataTest(BUSI_SUBSET)('the BUSI subset gives 220 pairs: 20 empty masks (normal class), 10 unions of two masks', async (t) => {
  const dataset = await resolveDataset(BUSI_SUBSET, {dataRoot});
  t.is(dataset.entry?.name, 'busi');
  t.deepEqual(dataset.problems, []);
  t.is(dataset.pairs.length, 220);
  const classes = new Map<string, number>();
  for (const p of dataset.pairs) classes.set(p.className!, (classes.get(p.className!) ?? 0) + 1);
  t.deepEqual(Object.fromEntries(classes), {benign: 100, malignant: 100, normal: 20});
  const unions = dataset.pairs.filter((p) => p.masks.length === 2);
  t.is(unions.length, 10);
  t.true(dataset.pairs.every((p) => p.masks.length <= 2));
  let empty = 0;
  // Some second masks lie inside the first; most add foreground of their own.
  let unionAddsForeground = 0;
  for (const pair of dataset.pairs) {
    const files = pair.masks.map((m) => join(dataset.root, m));
    const mask = await decodeMask(files, dataset.layout.maskRule);
    const foreground = mask.data.reduce((s, v) => s + v, 0);
    if (foreground === 0) {
      empty++;
      t.is(pair.className, 'normal', `${pair.id} has an empty mask`);
    }
    if (files.length === 2) {
      // The union holds each mask's foreground and is more than either alone.
      const parts = await Promise.all(files.map((f) => decodeMask([f], dataset.layout.maskRule)));
      for (let i = 0; i < mask.data.length; i++) t.is(mask.data[i], parts[0]!.data[i]! | parts[1]!.data[i]!) || t.fail();
      const sums = parts.map((p) => p.data.reduce((s, v) => s + v, 0));
      t.true(foreground >= Math.max(...sums));
      if (foreground > sums[0]!) unionAddsForeground++;
    }
  }
  t.is(empty, 20);
  t.true(unionAddsForeground >= 5, `only ${unionAddsForeground} unions add to the first mask`);
  // Its seeded default split is stratified by class.
  const split = makeSplit(dataset.name, dataset.pairs, {method: 'auto', seed: 3});
  t.is(split.method, 'ratios');
  t.is(split.stratifiedBy, 'class');
  t.is(split.subsets.test.filter((id) => id.startsWith('normal')).length, 2);
});

realDataTest(KVASIR_SAMPLE)('the 5 original Kvasir-SEG pairs verify against the official checksums', async (t) => {
  const report = await verifyDataset(KVASIR_SAMPLE, {dataRoot});
  t.is(report.registryName, 'kvasir-seg');
  t.is(report.pairs, 5);
  t.deepEqual(report.problems, []);
  t.deepEqual(report.checksums, {checked: 10, matched: 10});
  const dataset = await resolveDataset(KVASIR_SAMPLE, {dataRoot});
  for (const pair of dataset.pairs) t.is(dataset.checksums?.get(pair.image)?.source, 'the official Kvasir-SEG release');
});

realDataTest(KVASIR_352)('verify on a copy with a corrupted JPEG, a deleted mask and a resized mask reports exactly those three problems', async (t) => {
  const copy = await tempFolder('verify');
  try {
    await cp(KVASIR_352, copy.path, {recursive: true});
    const corrupted = 'images/train/5.jpg';
    const deleted = 'masks/validation/7.jpg';
    const resized = 'masks/test/3.jpg';
    const bytes = await readFile(join(copy.path, corrupted));
    await writeFile(join(copy.path, corrupted), bytes.subarray(0, Math.floor(bytes.length / 2)));
    await rm(join(copy.path, deleted));
    const small = await sharp(join(KVASIR_352, resized)).resize(176, 176).jpeg().toBuffer();
    await writeFile(join(copy.path, resized), small);
    const report = await verifyDataset(copy.path, {dataRoot});
    t.log(report.problems.map((p) => `${p.file}: ${p.problem}`).join('\n'));
    t.is(report.problems.length, 3);
    const byFile = new Map(report.problems.map((p) => [p.file, p.problem]));
    t.regex(byFile.get(corrupted) ?? '', /not a readable image|cannot decode/);
    t.regex(byFile.get('images/validation/7.jpg') ?? '', /image has no mask/);
    t.regex(byFile.get(resized) ?? '', /mask is 176x176 but its image is 352x352/);
  } finally {
    await copy.cleanup();
  }
});
