// A prepared (decoded, resized, cached) dataset in memory, as TF.js wants it: images NHWC, RGB / 255 in [0, 1]
// (no mean/std normalisation), masks NHW1 in {0, 1}. Original-size binary masks for evaluation come from the cache
// when it stores them, else they are decoded again from the source files.
import {join} from 'node:path';
import type {CacheContents, CacheHeader, CachedSample} from './cache-file.js';
import {unpackBits} from './cache-file.js';
import type {BinaryMask} from '../evaluation/per-image.js';
import {decodeMask, readImageSize} from './decode.js';

// The mask type evaluation takes (one for the whole project), re-exported for the dataset's users.
export type {BinaryMask};

export class PreparedDataset {
  readonly header: CacheHeader;
  /** uint8 NHWC, count x size x size x 3. */
  readonly images: Uint8Array;
  /** uint8 NHW, count x size x size, values 0 or 1. */
  readonly masks: Uint8Array;
  private readonly originalMasks?: Uint8Array;

  constructor(contents: CacheContents, readonly file?: string) {
    this.header = contents.header;
    this.images = contents.images;
    this.masks = contents.masks;
    if (contents.originalMasks) this.originalMasks = contents.originalMasks;
  }

  get size(): number {
    return this.header.size;
  }

  get count(): number {
    return this.header.count;
  }

  get samples(): readonly CachedSample[] {
    return this.header.samples;
  }

  get fingerprint(): string {
    return this.header.fingerprint;
  }

  /** Sample indices of the given ids, in the given order; an unknown id is an error naming it. */
  indicesOf(ids: readonly string[]): number[] {
    const index = new Map(this.header.samples.map((s, i) => [s.id, i]));
    return ids.map((id) => {
      const i = index.get(id);
      if (i === undefined) throw new Error(`${id}: not in dataset ${this.header.dataset}`);
      return i;
    });
  }

  /** One image as uint8 HWC (a view, not a copy). */
  imageBytes(index: number): Uint8Array {
    const n = this.size * this.size * 3;
    return this.images.subarray(index * n, (index + 1) * n);
  }

  /** One resized mask as uint8 HW in {0,1} (a view). */
  maskBytes(index: number): Uint8Array {
    const n = this.size * this.size;
    return this.masks.subarray(index * n, (index + 1) * n);
  }

  /** Images of the given samples (all by default) as float32 NHWC in [0, 1]. */
  imagesFloat32(indices?: readonly number[]): Float32Array {
    const n = this.size * this.size * 3;
    const list = indices ?? [...Array(this.count).keys()];
    const out = new Float32Array(list.length * n);
    const images = this.images;
    for (let k = 0; k < list.length; k++) {
      const from = list[k]! * n;
      const to = k * n;
      // A division is cheaper than a table lookup here, and rounds to the same float32.
      for (let j = 0; j < n; j++) out[to + j] = images[from + j]! / 255;
    }
    return out;
  }

  /** Masks of the given samples (all by default) as float32 NHW1 in {0, 1}. */
  masksFloat32(indices?: readonly number[]): Float32Array {
    const n = this.size * this.size;
    const list = indices ?? [...Array(this.count).keys()];
    const out = new Float32Array(list.length * n);
    for (let k = 0; k < list.length; k++) out.set(this.maskBytes(list[k]!), k * n);
    return out;
  }

  /** The binary mask (0 or 1 per pixel) at the image's original size, for evaluation at the original resolution. */
  async originalMask(index: number): Promise<BinaryMask> {
    const sample = this.header.samples[index];
    if (!sample) throw new Error(`sample ${index} out of range (count ${this.count})`);
    const {width, height} = sample;
    if (this.originalMasks && sample.originalMaskOffset !== undefined) {
      const bytes = Math.ceil((width * height) / 8);
      return {width, height, data: unpackBits(this.originalMasks.subarray(sample.originalMaskOffset, sample.originalMaskOffset + bytes), width * height)};
    }
    const root = this.header.root;
    const imageSize = this.header.maskRule.kind === 'xml-polygons' ? await readImageSize(join(root, sample.image)) : {width, height};
    const mask = await decodeMask(sample.masks.map((m) => join(root, m)), this.header.maskRule, {imageSize});
    return {width: mask.width, height: mask.height, data: mask.data};
  }
}
