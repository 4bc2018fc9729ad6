// The `synthetic` dataset: textured backgrounds with lesion-like blobs (wobbly ellipses with their own colour and
// texture), deterministic by (seed, index). Small and quick, for the quickstart and fast tests; no files shipped.
import {mkdir, rename, rm, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import sharp from 'sharp';
import {SeededRandom} from '../io/random.js';

export interface SyntheticOptions {
  count: number;
  size: number;
  seed: number;
}

export const SYNTHETIC_DEFAULTS: SyntheticOptions = {count: 120, size: 128, seed: 0};
/** Bump when the generator changes: the pictures are part of the dataset's identity. */
export const SYNTHETIC_VERSION = 1;

export interface SyntheticSample {
  id: string;
  /** RGB, 8 bits, size x size. */
  image: Uint8Array;
  /** 0 or 1, size x size. */
  mask: Uint8Array;
}

/** Smooth value noise in [0, 1]: random values on a cells x cells lattice, smoothstep-interpolated. */
function valueNoise(random: SeededRandom, size: number, cells: number): Float32Array {
  const lattice = new Float32Array((cells + 1) * (cells + 1));
  for (let i = 0; i < lattice.length; i++) lattice[i] = random.float();
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    const fy = (y / size) * cells;
    const y0 = Math.floor(fy);
    const ty = fy - y0;
    const sy = ty * ty * (3 - 2 * ty);
    for (let x = 0; x < size; x++) {
      const fx = (x / size) * cells;
      const x0 = Math.floor(fx);
      const tx = fx - x0;
      const sx = tx * tx * (3 - 2 * tx);
      // No closure here: tsx wraps every function it creates in a naming helper, which is slow in hot loops.
      const row0 = y0 * (cells + 1) + x0;
      const row1 = row0 + cells + 1;
      const top = lattice[row0]! * (1 - sx) + lattice[row0 + 1]! * sx;
      const bottom = lattice[row1]! * (1 - sx) + lattice[row1 + 1]! * sx;
      out[y * size + x] = top * (1 - sy) + bottom * sy;
    }
  }
  return out;
}

function texture(random: SeededRandom, size: number): Float32Array {
  const coarse = valueNoise(random, size, 4);
  const medium = valueNoise(random, size, 12);
  const fine = valueNoise(random, size, Math.max(16, size >> 2));
  const out = new Float32Array(size * size);
  for (let i = 0; i < out.length; i++) out[i] = 0.55 * coarse[i]! + 0.3 * medium[i]! + 0.15 * fine[i]!;
  return out;
}

interface Blob {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  angle: number;
  wobble: Array<{k: number; amplitude: number; phase: number}>;
}

function randomBlob(random: SeededRandom, size: number): Blob {
  const r = random.range(0.08, 0.22) * size;
  return {
    cx: random.range(0.2, 0.8) * size,
    cy: random.range(0.2, 0.8) * size,
    rx: r * random.range(0.8, 1.25),
    ry: r * random.range(0.8, 1.25),
    angle: random.range(0, Math.PI),
    wobble: [2, 3, 5].map((k) => ({k, amplitude: random.range(0, 0.12), phase: random.range(0, 2 * Math.PI)})),
  };
}

/** Signed distance-like value: < 1 inside the blob, 1 on its wobbly boundary. */
function blobRadius(blob: Blob, x: number, y: number): number {
  const dx = x - blob.cx;
  const dy = y - blob.cy;
  const c = Math.cos(blob.angle);
  const s = Math.sin(blob.angle);
  const u = (dx * c + dy * s) / blob.rx;
  const v = (-dx * s + dy * c) / blob.ry;
  const theta = Math.atan2(v, u);
  let edge = 1;
  for (const w of blob.wobble) edge += w.amplitude * Math.sin(w.k * theta + w.phase);
  return Math.hypot(u, v) / edge;
}

export function syntheticSample(options: {seed: number; index: number; size: number}): SyntheticSample {
  const {seed, index, size} = options;
  const random = SeededRandom.stream('synthetic', SYNTHETIC_VERSION, seed, index);
  const background = texture(random, size);
  const lesionTexture = texture(random, size);
  // Mucosa-like pink background; lesions darker and redder, with a texture of their own.
  const base = [random.range(0.65, 0.85), random.range(0.35, 0.5), random.range(0.3, 0.45)] as const;
  const lesion = [base[0] * random.range(0.75, 0.95), base[1] * random.range(0.45, 0.7), base[2] * random.range(0.5, 0.75)] as const;
  const blobCount = random.chance(0.1) ? 0 : 1 + random.int(3);
  const blobs = Array.from({length: blobCount}, () => randomBlob(random, size));
  const vignette = random.range(0.2, 0.45);
  const image = new Uint8Array(size * size * 3);
  const mask = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const p = y * size + x;
      let inside = 0;
      for (const blob of blobs) {
        // A soft 1.5 px edge in the image; the mask is the hard boundary.
        const r = blobRadius(blob, x + 0.5, y + 0.5);
        const soft = Math.min(1, Math.max(0, (1 - r) * Math.min(blob.rx, blob.ry) / 1.5 + 0.5));
        inside = Math.max(inside, soft);
        if (r < 1) mask[p] = 1;
      }
      const dx = (x + 0.5) / size - 0.5;
      const dy = (y + 0.5) / size - 0.5;
      const shade = 1 - vignette * (dx * dx + dy * dy) * 2;
      const b = 0.7 + 0.6 * background[p]!;
      const l = 0.6 + 0.8 * lesionTexture[p]!;
      for (let c = 0; c < 3; c++) {
        const value = ((1 - inside) * base[c]! * b + inside * lesion[c]! * l) * shade;
        image[p * 3 + c] = Math.round(255 * Math.min(1, Math.max(0, value)));
      }
    }
  }
  return {id: `synthetic_${String(index).padStart(4, '0')}`, image, mask};
}

export function* syntheticSamples(options: SyntheticOptions): Generator<SyntheticSample> {
  for (let index = 0; index < options.count; index++) yield syntheticSample({seed: options.seed, index, size: options.size});
}

/** Writes images/*.png and masks/*.png (0/255) plus synthetic.json; atomic: built beside, then renamed. */
export async function writeSyntheticDataset(dir: string, options: SyntheticOptions = SYNTHETIC_DEFAULTS): Promise<void> {
  const temp = `${dir}.partial-${process.pid}`;
  await rm(temp, {recursive: true, force: true});
  await mkdir(join(temp, 'images'), {recursive: true});
  await mkdir(join(temp, 'masks'), {recursive: true});
  try {
    for (const sample of syntheticSamples(options)) {
      const raw = {width: options.size, height: options.size};
      const maskPixels = Uint8Array.from(sample.mask, (v) => v * 255);
      await sharp(sample.image, {raw: {...raw, channels: 3}}).png().toFile(join(temp, 'images', `${sample.id}.png`));
      await sharp(maskPixels, {raw: {...raw, channels: 1}}).png().toFile(join(temp, 'masks', `${sample.id}.png`));
    }
    await writeFile(join(temp, 'synthetic.json'), JSON.stringify({generator: 'mslk synthetic', version: SYNTHETIC_VERSION, ...options}, null, 2) + '\n');
    await rename(temp, dir);
  } catch (error) {
    await rm(temp, {recursive: true, force: true});
    throw error;
  }
}
