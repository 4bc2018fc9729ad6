// Issue 23: MoNuSeg as distributed by the UCTransNet/MedT line of work (img/*.tif + labelcol/*.png) was refused by
// `datasets import` with "no masks folder": labelcol is in no list of mask folder names. The masks folder is now
// found by content (the images' names, mask-like pixels: few distinct values) and the import line names it. The
// TIFF images decode (sharp's LZW TIFF and a plain uncompressed one).
import test from 'ava';
import {mkdir, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import sharp from 'sharp';
import {openPreparedFile} from '../../src/datasets/prepare.js';
import {runMslk} from '../helpers/cli.js';
import {tempFolder, writeRectMask, writeRgbImage} from './helpers.js';
import {encodeTiff} from './std-masks.js';

const SIDE = 32;
const N = 6;

/** Tissue-like RGB pixels for image i (many distinct values, as an H&E tile has). */
function tissue(i: number): Uint8Array {
  const out = new Uint8Array(SIDE * SIDE * 3);
  for (let p = 0; p < SIDE * SIDE; p++) {
    const x = p % SIDE;
    const y = Math.floor(p / SIDE);
    out[p * 3] = (150 + 3 * x + i) % 256;
    out[p * 3 + 1] = (40 + 5 * y + 7 * i) % 256;
    out[p * 3 + 2] = (90 + 2 * x + 3 * y) % 256;
  }
  return out;
}

/** img/TCGA-<i>.tif (LZW TIFFs from sharp, one uncompressed by hand) + labelcol/TCGA-<i>.png (0/255). */
async function writeMonusegUct(root: string): Promise<void> {
  await mkdir(join(root, 'img'), {recursive: true});
  for (let i = 0; i < N; i++) {
    const file = join(root, 'img', `TCGA-${i}.tif`);
    if (i === 0) await writeFile(file, encodeTiff({width: SIDE, height: SIDE, channels: 3, bitDepth: 8, samples: tissue(i)}));
    else await sharp(tissue(i), {raw: {width: SIDE, height: SIDE, channels: 3}}).tiff({compression: 'lzw'}).toFile(file);
    await writeRectMask(join(root, 'labelcol', `TCGA-${i}.png`), SIDE, SIDE, {x: 4 + i, y: 6, w: 8, h: 9});
  }
}

test('MoNuSeg img/ + labelcol/: import takes labelcol/ by its content and says so in one line', async (t) => {
  const dir = await tempFolder('monuseg-uct');
  try {
    const root = join(dir.path, 'MoNuSeg');
    await writeMonusegUct(root);
    const env = {MSLK_DATA_ROOT: join(dir.path, 'data-root')};
    const imported = await runMslk(['datasets', 'import', root, '--name', 'monuseg-uct'], env);
    t.is(imported.code, 0, imported.stdout + imported.stderr);
    const lines = imported.stdout.split('\n');
    t.is(lines[0], `Imported monuseg-uct: ${N} pairs from ${root}`);
    t.true(lines[1]!.startsWith(`  layout: img/ + labelcol/ with equal stems (labelcol/ taken as the masks folder by its content: ${N} files named like the images, 5 of 5 sampled with at most 2 distinct values); masks: `), lines[1]);
    // The TIFF images decode to their own pixels (prepared at their own size).
    const prepared = await runMslk(['datasets', 'prepare', 'monuseg-uct', '--size', String(SIDE), '--split', 'ratios', '--ratios', '0.5,0.25,0.25', '--json'], env);
    t.is(prepared.code, 0, prepared.stdout + prepared.stderr);
    const cache = await openPreparedFile((JSON.parse(prepared.stdout) as {prepared: {file: string}}).prepared.file);
    t.is(cache.count, N);
    for (let i = 0; i < N; i++) {
      const cached = cache.imageBytes(cache.samples.findIndex((s) => s.id === `TCGA-${i}`));
      const source = tissue(i);
      let worst = 0;
      for (let k = 0; k < source.length; k++) worst = Math.max(worst, Math.abs(cached[k]! - source[k]!));
      t.true(worst <= 2, `TCGA-${i}: cached pixels differ from the TIFF's by up to ${worst}`);
    }
  } finally {
    await dir.cleanup();
  }
});

test('a sibling folder of photos named like the images is not taken as masks: the error names it', async (t) => {
  const dir = await tempFolder('previews');
  try {
    const root = join(dir.path, 'data');
    for (let i = 0; i < 3; i++) {
      await writeRgbImage(join(root, 'img', `case${i}.png`), SIDE, SIDE);
      await writeRgbImage(join(root, 'previews', `case${i}.png`), SIDE, SIDE);
    }
    const result = await runMslk(['datasets', 'import', root, '--name', 'previews'], {MSLK_DATA_ROOT: join(dir.path, 'data-root')});
    t.is(result.code, 1);
    t.is(
      result.stderr,
      `Error: ${root}: no image/mask pairs found: found img/ (3 image files), previews/ (3 image files): no masks folder (looked for masks/, labels/, gt/, ground_truth/, annotations/, segmentations/ and names ending in those, and for any folder whose files are named like the images and look like masks); previews/ holds no mask-like files named like the images (masks have at most 32 distinct values and little mid-grey); import it with \`mslk datasets import ${root} --name <name> --images "<glob>" --masks "<glob>"\` (or --mask-suffix <suffix> when masks sit beside their images), then use <name>\n`,
    );
  } finally {
    await dir.cleanup();
  }
});

test('images/ + masks/ + a folder of photos named like the images: masks/ is taken, not the photos', async (t) => {
  const dir = await tempFolder('three');
  try {
    const root = join(dir.path, 'data');
    for (let i = 0; i < 3; i++) {
      await writeRgbImage(join(root, 'images', `case${i}.png`), SIDE, SIDE);
      await writeRgbImage(join(root, 'thumbnails', `case${i}.png`), SIDE, SIDE);
      await writeRectMask(join(root, 'masks', `case${i}.png`), SIDE, SIDE, {x: 2, y: 2, w: 5, h: 5});
    }
    const result = await runMslk(['datasets', 'verify', root], {MSLK_DATA_ROOT: join(dir.path, 'data-root')});
    t.is(result.code, 0, result.stdout);
    t.true(result.stdout.includes('\n  layout: images/ + masks/ with equal stems; masks: '), result.stdout);
  } finally {
    await dir.cleanup();
  }
});
