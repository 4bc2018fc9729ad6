// The prepared cache: built once, reused, invalidated by a changed source, never used half-written, untouched by
// a failed preparation, and loaded back as TF.js-ready arrays with the original-size masks.
import test from 'ava';
import {readdir, readFile, stat, truncate, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {readCacheFile} from '../../src/datasets/cache-file.js';
import {decodeMask} from '../../src/datasets/decode.js';
import {THRESHOLD_128} from '../../src/datasets/mask-rules.js';
import {cacheFolder, loadPreparedDataset, openPreparedFile, prepareDataset} from '../../src/datasets/prepare.js';
import {tempFolder, writeFolderDataset, writeRgbImage} from './helpers.js';

async function setup(label: string) {
  const dir = await tempFolder(label);
  const data = join(dir.path, 'data');
  const dataRoot = join(dir.path, 'root');
  await writeFolderDataset(data, 6, 24, 20);
  return {dir, data, dataRoot};
}

test('prepare builds a cache, reuses it, and loads images in [0,1] NHWC and binary masks', async (t) => {
  const {dir, data, dataRoot} = await setup('cache');
  try {
    const first = await prepareDataset(data, {dataRoot, size: 16});
    t.false(first.reused);
    t.is(first.count, 6);
    const again = await prepareDataset(data, {dataRoot, size: 16});
    t.true(again.reused);
    t.is(again.file, first.file);
    const prepared = await loadPreparedDataset(data, {dataRoot, size: 16});
    t.is(prepared.count, 6);
    const images = prepared.imagesFloat32();
    t.is(images.length, 6 * 16 * 16 * 3);
    t.true(images.every((v) => v >= 0 && v <= 1));
    t.true(images.some((v) => v > 0.9) && images.some((v) => v < 0.1));
    const masks = prepared.masksFloat32();
    t.is(masks.length, 6 * 16 * 16);
    t.true(masks.every((v) => v === 0 || v === 1));
    // Original sizes are kept, and the original-size masks equal the source masks.
    const sample = prepared.samples[1]!;
    t.deepEqual([sample.width, sample.height], [24, 20]);
    const original = await prepared.originalMask(1);
    const source = await decodeMask([join(data, sample.masks[0]!)], THRESHOLD_128);
    t.deepEqual(original.data, source.data);
    t.is(prepared.samples[0]!.foreground, 0);
  } finally {
    await dir.cleanup();
  }
});

test('a changed source file gives a new cache key and the stale cache is removed', async (t) => {
  const {dir, data, dataRoot} = await setup('cache-change');
  try {
    const first = await prepareDataset(data, {dataRoot, size: 16});
    // Same name, same picture size, different bytes (JPEG-encoded now): the fingerprint must see it.
    await writeRgbImage(join(data, 'images', 'case2.png'), 24, 20, 'jpg');
    const changed = await prepareDataset(data, {dataRoot, size: 16});
    t.not(changed.fingerprint, first.fingerprint);
    t.false(changed.reused);
    t.deepEqual(await readdir(cacheFolder(dataRoot)), [changed.file.split('/').at(-1)]);
  } finally {
    await dir.cleanup();
  }
});

test('a truncated or damaged cache is refused and rebuilt, never used', async (t) => {
  const {dir, data, dataRoot} = await setup('cache-damage');
  try {
    const first = await prepareDataset(data, {dataRoot, size: 16});
    const size = (await stat(first.file)).size;
    await truncate(first.file, size - 100);
    await t.throwsAsync(readCacheFile(first.file), {message: /damaged cache/});
    const rebuilt = await prepareDataset(data, {dataRoot, size: 16});
    t.false(rebuilt.reused);
    t.is((await stat(rebuilt.file)).size, size);
    // Flip one data byte: the CRC catches it.
    const bytes = await readFile(first.file);
    bytes[bytes.length - 1] = bytes.at(-1)! ^ 0xff;
    await writeFile(first.file, bytes);
    await t.throwsAsync(openPreparedFile(first.file), {message: /checksum mismatch/});
  } finally {
    await dir.cleanup();
  }
});

test('a failed preparation names the bad file and leaves the existing cache as it was', async (t) => {
  const {dir, data, dataRoot} = await setup('cache-bad');
  try {
    const first = await prepareDataset(data, {dataRoot, size: 16});
    const before = await readFile(first.file);
    const bad = join(data, 'images', 'case4.png');
    const bytes = await readFile(bad);
    await writeFile(bad, bytes.subarray(0, bytes.length - 20));
    const error = await t.throwsAsync(prepareDataset(data, {dataRoot, size: 16}));
    t.regex(error!.message, /case4\.png: (not a readable image|cannot decode)/);
    t.false(error!.message.includes('\n'));
    t.deepEqual(await readFile(first.file), before);
    t.deepEqual(await readdir(cacheFolder(dataRoot)), [first.file.split('/').at(-1)]);
  } finally {
    await dir.cleanup();
  }
});
