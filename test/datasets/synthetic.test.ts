import test from 'ava';
import {readdir} from 'node:fs/promises';
import {join} from 'node:path';
import {resolveDataset} from '../../src/datasets/resolve.js';
import {syntheticSample, writeSyntheticDataset} from '../../src/datasets/synthetic.js';
import {tempFolder} from './helpers.js';

test('synthetic samples are deterministic by (seed, index), differ across seeds, and have binary lesion masks', (t) => {
  const a = syntheticSample({seed: 7, index: 3, size: 48});
  const b = syntheticSample({seed: 7, index: 3, size: 48});
  const c = syntheticSample({seed: 8, index: 3, size: 48});
  t.deepEqual(a, b);
  t.notDeepEqual(a.image, c.image);
  t.is(a.image.length, 48 * 48 * 3);
  let withLesions = 0;
  for (let index = 0; index < 20; index++) {
    const s = syntheticSample({seed: 1, index, size: 32});
    t.true(s.mask.every((v) => v === 0 || v === 1));
    const foreground = s.mask.reduce((sum, v) => sum + v, 0);
    if (foreground > 0) withLesions++;
    t.true(foreground < 32 * 32 * 0.9);
  }
  t.true(withLesions >= 15);
});

test('the synthetic dataset written to a folder reads back as a plain images/ + masks/ folder', async (t) => {
  const dir = await tempFolder('synthetic');
  try {
    const folder = join(dir.path, 'synthetic');
    await writeSyntheticDataset(folder, {count: 6, size: 24, seed: 2});
    t.deepEqual((await readdir(folder)).sort(), ['images', 'masks', 'synthetic.json']);
    const dataset = await resolveDataset(folder, {dataRoot: dir.path});
    t.is(dataset.pairs.length, 6);
    t.deepEqual(dataset.problems, []);
  } finally {
    await dir.cleanup();
  }
});
