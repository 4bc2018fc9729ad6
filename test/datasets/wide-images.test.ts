// Issue 23: 16-bit images that hold 12-bit data (0..4095, as images exported from DICOM are) were cached with 16
// grey levels out of 4096 (sharp's 8-bit output divides by 256), near black, without a word. Now they are scaled by
// their real range: the PNG sBIT chunk when present, else the dataset's maximum, which `datasets verify` states
// with the bit depth; caches of such datasets made the old way are not reused (their fingerprint changed), while
// 8-bit datasets keep theirs.
import test from 'ava';
import {mkdir, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {datasetWideMax, decodeImage, wideFullScale} from '../../src/datasets/decode.js';
import {datasetFingerprint, digestPairs} from '../../src/datasets/fingerprint.js';
import {MASK_DECODING_VERSION} from '../../src/datasets/mask-rules.js';
import {openPreparedFile} from '../../src/datasets/prepare.js';
import {resolveDataset} from '../../src/datasets/resolve.js';
import {canonicalJson, sha256Hex} from '../../src/io/canonical-json.js';
import {runMslk} from '../helpers/cli.js';
import {tempFolder, writeFolderDataset, writeRectMask} from './helpers.js';
import {encodePng, encodeTiff} from './std-masks.js';

const W = 64;
const H = 48;

/** A horizontal ramp from 0 (left) to `top` (right), `channels` equal samples per pixel. */
function ramp(top: number, channels = 1, shift = 0): number[] {
  const out: number[] = [];
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < channels; c++) out.push(Math.round((x / (W - 1)) * top) << shift);
  return out;
}

type Kind = 'png-sbit' | 'png-no-sbit' | 'png-sbit-scaled' | 'png-rgb-no-sbit' | 'tiff';

/** images/case{i}.{png,tif} (16-bit ramps up to tops[i]) and 8-bit masks/case{i}.png. */
async function writeWideFolder(root: string, kind: Kind, tops: readonly number[]): Promise<void> {
  await mkdir(join(root, 'images'), {recursive: true});
  for (const [i, top] of tops.entries()) {
    let bytes: Buffer;
    if (kind === 'tiff') bytes = encodeTiff({width: W, height: H, channels: 1, bitDepth: 16, samples: ramp(top)});
    else if (kind === 'png-rgb-no-sbit') bytes = encodePng({width: W, height: H, colourType: 2, bitDepth: 16, samples: ramp(top, 3)});
    else if (kind === 'png-sbit-scaled') bytes = encodePng({width: W, height: H, colourType: 0, bitDepth: 16, samples: ramp(top, 1, 4), significantBits: [12]});
    else bytes = encodePng({width: W, height: H, colourType: 0, bitDepth: 16, samples: ramp(top), ...(kind === 'png-sbit' ? {significantBits: [12]} : {})});
    await writeFile(join(root, 'images', `case${i}.${kind === 'tiff' ? 'tif' : 'png'}`), bytes);
    await writeRectMask(join(root, 'masks', `case${i}.png`), W, H, {x: 10, y: 10, w: 20, h: 12});
  }
}

/** `datasets verify` then `datasets prepare --size 32` through the CLI: verify's output and the cached images. */
async function verifyAndPrepare(root: string, dataRoot: string): Promise<{verify: string; images: Uint8Array[]; wideImages: unknown}> {
  const verified = await runMslk(['datasets', 'verify', root], {MSLK_DATA_ROOT: dataRoot});
  if (verified.code !== 0) throw new Error(`verify failed: ${verified.stdout}${verified.stderr}`);
  const prepared = await runMslk(['datasets', 'prepare', root, '--size', '32', '--split', 'ratios', '--ratios', '0.5,0.25,0.25', '--json'], {MSLK_DATA_ROOT: dataRoot});
  if (prepared.code !== 0) throw new Error(`prepare failed: ${prepared.stdout}${prepared.stderr}`);
  const file = (JSON.parse(prepared.stdout) as {prepared: {file: string}}).prepared.file;
  const cache = await openPreparedFile(file);
  return {verify: verified.stdout, images: cache.samples.map((_, i) => cache.imageBytes(i)), wideImages: cache.header.wideImages};
}

function range(image: Uint8Array): {min: number; max: number; levels: number; grey: boolean} {
  let min = 255;
  let max = 0;
  let grey = true;
  for (let p = 0; p < image.length; p += 3) {
    min = Math.min(min, image[p]!);
    max = Math.max(max, image[p]!);
    grey &&= image[p] === image[p + 1] && image[p] === image[p + 2];
  }
  return {min, max, levels: new Set(image).size, grey};
}

/** The right end of a ramp up to `top`, scaled so that `full` is 255; resizing to 32 px averages it down a little. */
function near(t: {true: (v: boolean, m?: string) => void}, actual: number, top: number, full: number, what: string): void {
  const expected = (top * 255) / full;
  t.true(Math.abs(actual - expected) <= 6, `${what}: brightest ${actual}, expected about ${expected.toFixed(1)}`);
}

test('12-bit data in 16-bit PNGs with sBIT 12: verify says so, and the cache spans 0..255 (4095 is 255)', async (t) => {
  const dir = await tempFolder('wide-sbit');
  try {
    const root = join(dir.path, 'data');
    await writeWideFolder(root, 'png-sbit', [4095, 3000, 2048, 1024]);
    const {verify, images, wideImages} = await verifyAndPrepare(root, join(dir.path, 'root'));
    t.true(verify.includes('\n  images: 16-bit: 4, values 0..4095; 4 scaled to 8 bits by their PNG sBIT chunk (significant bits)\n'), verify);
    const first = range(images[0]!);
    t.true(first.grey);
    t.true(first.min <= 5, `darkest ${first.min}`);
    near(t, first.max, 4095, 4095, 'case0');
    // The old decoder kept 16 levels (0..15): a ramp over 32 pixels has about 32.
    t.true(first.levels >= 30, `${first.levels} grey levels`);
    // Each image keeps its brightness relative to the 12-bit range, not stretched to its own maximum.
    near(t, range(images[1]!).max, 3000, 4095, 'case1');
    near(t, range(images[3]!).max, 1024, 4095, 'case3');
    t.deepEqual(wideImages, {count: 4});
  } finally {
    await dir.cleanup();
  }
});

test('16-bit PNGs without sBIT: scaled by the dataset maximum (3000 is 255 in every image), which verify states', async (t) => {
  const dir = await tempFolder('wide-max');
  try {
    const root = join(dir.path, 'data');
    await writeWideFolder(root, 'png-no-sbit', [3000, 1500, 750, 375]);
    const {verify, images, wideImages} = await verifyAndPrepare(root, join(dir.path, 'root'));
    t.true(verify.includes('\n  images: 16-bit: 4, values 0..3000; 4 without an sBIT chunk scaled to 8 bits by the dataset maximum 3000\n'), verify);
    near(t, range(images[0]!).max, 3000, 3000, 'case0');
    near(t, range(images[1]!).max, 1500, 3000, 'case1');
    near(t, range(images[2]!).max, 750, 3000, 'case2');
    t.true(range(images[0]!).min <= 5);
    t.deepEqual(wideImages, {count: 4, datasetMax: 3000});
  } finally {
    await dir.cleanup();
  }
});

test('16-bit RGB PNGs without sBIT and 16-bit TIFFs: the same dataset-maximum scaling', async (t) => {
  const dir = await tempFolder('wide-rgb-tiff');
  try {
    for (const kind of ['png-rgb-no-sbit', 'tiff'] as const) {
      const root = join(dir.path, kind);
      await writeWideFolder(root, kind, [4095, 2048, 1024, 512]);
      const {verify, images} = await verifyAndPrepare(root, join(dir.path, `root-${kind}`));
      t.true(verify.includes('\n  images: 16-bit: 4, values 0..4095; 4 without an sBIT chunk scaled to 8 bits by the dataset maximum 4095\n'), `${kind}: ${verify}`);
      const first = range(images[0]!);
      t.true(first.grey, kind);
      near(t, first.max, 4095, 4095, `${kind} case0`);
      near(t, range(images[1]!).max, 2048, 4095, `${kind} case1`);
    }
  } finally {
    await dir.cleanup();
  }
});

test('sBIT 12 with samples scaled up to 16 bits (the PNG spec\'s way): read at full scale, not saturated', async (t) => {
  const dir = await tempFolder('wide-sbit-scaled');
  try {
    const root = join(dir.path, 'data');
    await writeWideFolder(root, 'png-sbit-scaled', [4095, 2048, 1024, 512]);
    const {images} = await verifyAndPrepare(root, join(dir.path, 'root'));
    near(t, range(images[0]!).max, 4095 << 4, 65535, 'case0');
    near(t, range(images[1]!).max, 2048 << 4, 65535, 'case1');
  } finally {
    await dir.cleanup();
  }
});

test('8-bit images: verify says 8-bit, nothing else changes', async (t) => {
  const dir = await tempFolder('narrow');
  try {
    await writeFolderDataset(join(dir.path, 'data'), 3, 16, 16);
    const result = await runMslk(['datasets', 'verify', join(dir.path, 'data')], {MSLK_DATA_ROOT: join(dir.path, 'root')});
    t.is(result.code, 0);
    t.true(result.stdout.includes('\n  images: 8-bit: 3\n'), result.stdout);
  } finally {
    await dir.cleanup();
  }
});

/** The fingerprint as it was made before 16-bit scaling (no image decoding version in it). */
async function oldFingerprint(root: string, dataRoot: string): Promise<{old: string; now: string}> {
  const dataset = await resolveDataset(root, {dataRoot});
  const digests = await digestPairs(dataset.root, dataset.pairs);
  const files = (path: string) => {
    const d = digests.get(path)!;
    return [d.path, d.size, d.sha256];
  };
  const old = sha256Hex(canonicalJson({maskRule: dataset.layout.maskRule, maskDecoding: MASK_DECODING_VERSION, pairs: dataset.pairs.map((p) => ({id: p.id, image: files(p.image), masks: p.masks.map(files)}))}));
  return {old, now: datasetFingerprint(dataset.pairs, digests, dataset.layout.maskRule)};
}

test('caches and runs of 16-bit datasets made with the old scaling are not reused; 8-bit datasets keep theirs', async (t) => {
  const dir = await tempFolder('wide-fingerprint');
  try {
    await writeWideFolder(join(dir.path, 'wide'), 'png-no-sbit', [4095, 2048]);
    await writeFolderDataset(join(dir.path, 'narrow'), 3, 16, 16);
    const wide = await oldFingerprint(join(dir.path, 'wide'), join(dir.path, 'root'));
    t.not(wide.now, wide.old);
    const narrow = await oldFingerprint(join(dir.path, 'narrow'), join(dir.path, 'root'));
    t.is(narrow.now, narrow.old);
  } finally {
    await dir.cleanup();
  }
});

test('decodeImage and predict\'s scaling: a given dataset maximum is used for images without sBIT, sBIT wins over it', async (t) => {
  const dir = await tempFolder('wide-decode');
  try {
    const plain = join(dir.path, 'plain.png');
    const sbit = join(dir.path, 'sbit.png');
    await writeFile(plain, encodePng({width: W, height: H, colourType: 0, bitDepth: 16, samples: ramp(1000)}));
    await writeFile(sbit, encodePng({width: W, height: H, colourType: 0, bitDepth: 16, samples: ramp(1000), significantBits: [10]}));
    t.is(await datasetWideMax([plain, sbit]), 1000);
    const own = await decodeImage(plain);
    t.is(range(own.image.data).max, 255);
    t.deepEqual(own.wide?.scaling, {full: 1000, by: 'image maximum'});
    const byDataset = await decodeImage(plain, {datasetMax: 4000});
    t.is(range(byDataset.image.data).max, Math.round((1000 * 255) / 4000));
    const bySbit = await decodeImage(sbit, {datasetMax: 4000});
    t.deepEqual(bySbit.wide?.scaling, {full: 1023, by: 'sBIT'});
    t.is(range(bySbit.image.data).max, Math.round((1000 * 255) / 1023));
    t.deepEqual(wideFullScale({bits: 16, min: 0, max: 0}), {full: 1, by: 'image maximum'});
  } finally {
    await dir.cleanup();
  }
});
