// Issue 23: an image named in NFC and its mask in NFD (macOS writes names decomposed) are one pair. Before, the
// mask had "no matching image", the image "no mask", and that one name refused the whole folder of 12 pairs.
import test from 'ava';
import {join} from 'node:path';
import {pairFiles} from '../../src/datasets/pairing.js';
import {runMslk} from '../helpers/cli.js';
import {tempFolder, writeRectMask, writeRgbImage} from './helpers.js';

const ACCENTED = 'patiënte-é';
const NFC = ACCENTED.normalize('NFC');
const NFD = ACCENTED.normalize('NFD');

test('the names differ byte for byte (the fixture is what a Mac writes)', (t) => {
  t.not(NFC, NFD);
  t.is(NFC.normalize('NFD'), NFD);
});

/** 11 ASCII pairs plus one whose image is named in NFC and whose mask in NFD. */
async function writeMixedFolder(root: string): Promise<void> {
  for (let i = 0; i < 11; i++) {
    await writeRgbImage(join(root, 'images', `case${i}.png`), 16, 16);
    await writeRectMask(join(root, 'masks', `case${i}.png`), 16, 16, {x: 2, y: 3, w: 5, h: 4});
  }
  await writeRgbImage(join(root, 'images', `${NFC}.png`), 16, 16);
  await writeRectMask(join(root, 'masks', `${NFD}.png`), 16, 16, {x: 4, y: 4, w: 6, h: 6});
}

test('mslk datasets verify: all 12 pairs pair, no problem', async (t) => {
  const dir = await tempFolder('nfd');
  try {
    await writeMixedFolder(join(dir.path, 'data'));
    const result = await runMslk(['datasets', 'verify', join(dir.path, 'data')], {MSLK_DATA_ROOT: join(dir.path, 'root')});
    t.is(result.code, 0, result.stdout + result.stderr);
    t.true(result.stdout.includes('  12 pairs; checksums: none known for these files\n'), result.stdout);
    t.true(result.stdout.endsWith('OK: no problems\n'), result.stdout);
    t.notRegex(result.stdout, /no matching image|has no mask/);
  } finally {
    await dir.cleanup();
  }
});

test('mslk datasets import: the 12 pairs are imported, and prepare reads the NFD mask from disk', async (t) => {
  const dir = await tempFolder('nfd-import');
  try {
    await writeMixedFolder(join(dir.path, 'data'));
    const env = {MSLK_DATA_ROOT: join(dir.path, 'root')};
    const imported = await runMslk(['datasets', 'import', join(dir.path, 'data'), '--name', 'accents'], env);
    t.is(imported.code, 0, imported.stderr);
    t.true(imported.stdout.startsWith(`Imported accents: 12 pairs from ${join(dir.path, 'data')}\n`), imported.stdout);
    const prepared = await runMslk(['datasets', 'prepare', 'accents', '--size', '16', '--json'], env);
    t.is(prepared.code, 0, prepared.stderr);
    t.is((JSON.parse(prepared.stdout) as {prepared: {count: number}}).prepared.count, 12);
  } finally {
    await dir.cleanup();
  }
});

test('pairFiles: NFC and NFD names pair under every rule, the id is NFC, the paths stay as on disk', (t) => {
  const same = pairFiles({kind: 'same-stem'}, [{path: `images/${NFC}.png`, sub: ''}], [{path: `masks/${NFD}.png`, sub: ''}]);
  t.deepEqual(same.problems, []);
  t.deepEqual(same.pairs, [{id: NFC, image: `images/${NFC}.png`, masks: [`masks/${NFD}.png`]}]);
  const suffix = pairFiles({kind: 'suffix', suffix: '_mask', numbered: true}, [{path: `${NFD}.png`, sub: ''}], [{path: `${NFC}_mask.png`, sub: ''}]);
  t.deepEqual(suffix.pairs.map((p) => p.id), [NFC]);
  const any = pairFiles({kind: 'any-suffix'}, [{path: `i/${NFC}.png`, sub: NFC}], [{path: `m/${NFD}_a.png`, sub: NFD}]);
  t.deepEqual(any.problems, []);
  t.is(any.pairs.length, 1);
  const sub = pairFiles({kind: 'same-stem'}, [{path: `images/${NFC}/x.png`, sub: NFC}], [{path: `masks/${NFD}/x.png`, sub: NFD}]);
  t.deepEqual(sub.problems, []);
});
