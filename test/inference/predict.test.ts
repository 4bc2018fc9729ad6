// predict's input listing skips the junk files the dataset readers skip (macOS `._` files, Thumbs.db, hidden).
import test from 'ava';
import {writeFile} from 'node:fs/promises';
import {basename, join} from 'node:path';
import {listImages} from '../../src/inference/predict.js';
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
    await t.throwsAsync(listImages(dir.path), {message: /: no images \(looked for/});
  } finally {
    await dir.cleanup();
  }
});
