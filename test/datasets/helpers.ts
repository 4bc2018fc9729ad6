// Shared by the datasets tests: where the real data is (../shared/datasets beside the project), temporary
// folders, small image writers and a minimal zip writer (able to write the malicious names a real zip
// library refuses to create).
import test from 'ava';
import {existsSync} from 'node:fs';
import {mkdtemp, mkdir, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {crc32} from 'node:zlib';
import sharp from 'sharp';

const here = dirname(fileURLToPath(import.meta.url));
export const PROJECT_ROOT = resolve(here, '..', '..');
export const SHARED_DATASETS = resolve(PROJECT_ROOT, '..', 'shared', 'datasets');
export const KVASIR_352 = join(SHARED_DATASETS, 'kvasir-seg-352');
export const KVASIR_SAMPLE = join(SHARED_DATASETS, 'kvasir-seg-original-sample');
export const BUSI_SUBSET = join(SHARED_DATASETS, 'busi-subset');

/** `test` when the real data is there, else `test.skip`, with the reason printed once at load time. */
export function realDataTest(folder: string): typeof test {
  if (existsSync(folder)) return test;
  console.log(`Skipping tests that need ${folder}: the folder is absent (real datasets live in ../shared/datasets beside the project).`);
  return test.skip as unknown as typeof test;
}

export async function tempFolder(label: string): Promise<{path: string; cleanup: () => Promise<void>}> {
  const path = await mkdtemp(join(tmpdir(), `mslk-${label}-`));
  return {path, cleanup: () => rm(path, {recursive: true, force: true})};
}

/** Writes a PNG from raw 8-bit pixels. */
export async function writePng(file: string, width: number, height: number, channels: 1 | 2 | 3 | 4, pixels: Uint8Array): Promise<void> {
  await mkdir(dirname(file), {recursive: true});
  await sharp(pixels, {raw: {width, height, channels}}).png().toFile(file);
}

/** A w x h binary mask PNG (0/255) with a filled rectangle. */
export async function writeRectMask(file: string, width: number, height: number, rect: {x: number; y: number; w: number; h: number} | undefined): Promise<Uint8Array> {
  const pixels = new Uint8Array(width * height);
  if (rect) for (let y = rect.y; y < rect.y + rect.h; y++) for (let x = rect.x; x < rect.x + rect.w; x++) pixels[y * width + x] = 255;
  await writePng(file, width, height, 1, pixels);
  return pixels;
}

/** A smooth RGB test image. */
export async function writeRgbImage(file: string, width: number, height: number, ext: 'png' | 'jpg' = 'png'): Promise<void> {
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      pixels[o] = (x * 255) / Math.max(1, width - 1);
      pixels[o + 1] = (y * 255) / Math.max(1, height - 1);
      pixels[o + 2] = 128;
    }
  }
  await mkdir(dirname(file), {recursive: true});
  const image = sharp(pixels, {raw: {width, height, channels: 3}});
  await (ext === 'png' ? image.png() : image.jpeg({quality: 95})).toFile(file);
}

/** A small folder dataset: images/<id>.png + masks/<id>.png, n pairs of w x h. */
export async function writeFolderDataset(root: string, n: number, width = 24, height = 20): Promise<void> {
  for (let i = 0; i < n; i++) {
    await writeRgbImage(join(root, 'images', `case${i}.png`), width, height);
    await writeRectMask(join(root, 'masks', `case${i}.png`), width, height, i % 3 === 0 ? undefined : {x: 2 + i % 5, y: 3, w: 6, h: 5});
  }
}

/** A zip file with stored (uncompressed) entries, names written exactly as given. */
export function makeZip(entries: ReadonlyArray<{name: string; data: Uint8Array | string; symlink?: boolean}>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data) : Buffer.from(entry.data);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x031e, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((entry.symlink ? 0o120777 : 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const centralSize = centrals.reduce((s, b) => s + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/**
 * A CHASE_DB1-shaped folder (one folder: Image_NNL.jpg, Image_NNL_1stHO.png, Image_NNL_2ndHO.png, and R), tiny
 * images; children 1..n.
 */
export async function writeChaseLike(root: string, children = 14, width = 20, height = 16): Promise<void> {
  for (let child = 1; child <= children; child++) {
    for (const eye of ['L', 'R']) {
      const stem = `Image_${String(child).padStart(2, '0')}${eye}`;
      await writeRgbImage(join(root, `${stem}.jpg`), width, height, 'jpg');
      await writeRectMask(join(root, `${stem}_1stHO.png`), width, height, {x: 2, y: 2 + (child % 4), w: 5, h: 4});
      await writeRectMask(join(root, `${stem}_2ndHO.png`), width, height, {x: 3, y: 2, w: 5, h: 4});
    }
  }
}
