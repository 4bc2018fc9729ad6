// predict's input listing skips the junk files the dataset readers skip (macOS `._` files, Thumbs.db, hidden).
import test from 'ava';
import {mkdir, writeFile} from 'node:fs/promises';
import {basename, join} from 'node:path';
import {listImages, matchGroundTruth, PredictUsageError} from '../../src/inference/predict.js';
import {tempFolder, writeRgbImage} from '../datasets/helpers.js';

test('the input folder listing skips ._case0.png, .DS_Store, Thumbs.db and hidden files', async (t) => {
  const dir = await tempFolder('predict-junk');
  try {
    await writeRgbImage(join(dir.path, 'case0.png'), 8, 8);
    await writeRgbImage(join(dir.path, 'case1.jpg'), 8, 8, 'jpg');
    await writeFile(join(dir.path, '._case0.png'), Buffer.from([0, 5, 22, 7, 0, 2, 0, 0]));
    await writeFile(join(dir.path, '.hidden.png'), 'x');
    await writeFile(join(dir.path, '.DS_Store'), 'x');
    await writeFile(join(dir.path, 'Thumbs.db'), 'x');
    t.deepEqual((await listImages(dir.path)).map((f) => basename(f)), ['case0.png', 'case1.jpg']);
  } finally {
    await dir.cleanup();
  }
});

test('a folder holding only junk has no images: a one-line error', async (t) => {
  const dir = await tempFolder('predict-only-junk');
  try {
    await writeFile(join(dir.path, '._case0.png'), 'x');
    await t.throwsAsync(listImages(dir.path), {instanceOf: PredictUsageError, message: /^--input .*: no images \(looked for/});
    await t.throwsAsync(listImages(join(dir.path, 'absent')), {instanceOf: PredictUsageError, message: /^--input .*absent: no such file or folder; pass an image/});
  } finally {
    await dir.cleanup();
  }
});

test('--ground-truth: missing, empty, a file for several images, or matching nothing is refused naming the flag; a partial match is kept', async (t) => {
  const dir = await tempFolder('predict-truth');
  try {
    const images = ['case0', 'case1', 'case2', 'case3'].map((s) => join(dir.path, 'in', `${s}.png`));
    const truths = join(dir.path, 'truths');
    await mkdir(truths, {recursive: true});
    const refused = async (path: string, list: string[], pattern: RegExp): Promise<void> => {
      const error = await t.throwsAsync(matchGroundTruth(path, list), {instanceOf: PredictUsageError});
      t.regex(error?.message ?? '', pattern);
      t.is(error?.exitCode, 2);
      t.false(error?.message.includes('\n'));
    };
    await refused(join(dir.path, 'absent'), images, /^--ground-truth .*absent: no such file or folder; pass the mask file/);
    await refused(truths, images, /^--ground-truth .*truths: no mask there matches any of the 4 input images \(it is empty\): name each mask like its image \(case0\.png or case0_mask\.png\)/);
    await writeFile(join(truths, 'other.png'), 'x');
    await refused(truths, images, /matches any of the 4 input images \(it holds 1 files \(other\.png\)\)/);
    await writeFile(join(truths, 'case1_mask.png'), 'x');
    t.deepEqual([...(await matchGroundTruth(truths, images)).entries()], [[images[1], join(truths, 'case1_mask.png')]]);
    await refused(join(truths, 'case1_mask.png'), images, /^--ground-truth .*case1_mask\.png: is a file, but --input holds 4 images; pass a folder of masks/);
    // One image: its mask file, or a folder holding a mask of its name.
    t.deepEqual([...(await matchGroundTruth(join(truths, 'other.png'), [images[0]!])).values()], [join(truths, 'other.png')]);
    t.deepEqual([...(await matchGroundTruth(truths, [images[1]!])).values()], [join(truths, 'case1_mask.png')]);
    await refused(truths, [images[0]!], /or pass the mask file itself$/);
  } finally {
    await dir.cleanup();
  }
});
