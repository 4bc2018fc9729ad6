// The reference folder ("std") in every mask encoding researchers actually have: images/case{i}.png
// (64x48 RGB) and masks/case{i}.png, a filled disc centred at (20 + 3i, 24) of radius 8 + i, for i = 0..7.
// PNGs are written byte by byte (a small writer with zlib) where sharp cannot write the encoding itself
// (16-bit values as given, palettes with chosen entries), so the decoder under test is not also the encoder.
import {mkdir, writeFile} from 'node:fs/promises';
import {dirname, join} from 'node:path';
import {crc32, deflateSync} from 'node:zlib';
import sharp from 'sharp';

export const STD_WIDTH = 64;
export const STD_HEIGHT = 48;
export const STD_CASES = 8;
/** The right foreground pixel count of each std mask (lattice points in the disc). */
export const STD_FOREGROUND = [197, 253, 317, 377, 441, 529, 613, 709] as const;

/** 1 inside the std disc of case i (pixel centres at integer coordinates, boundary included). */
export function stdDisc(i: number, width = STD_WIDTH, height = STD_HEIGHT): Uint8Array {
  const cx = 20 + 3 * i;
  const cy = 24;
  const r = 8 + i;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) out[y * width + x] = 1;
  return out;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** PNG colour types: 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
export interface PngSpec {
  width: number;
  height: number;
  colourType: 0 | 2 | 3 | 4 | 6;
  bitDepth: 8 | 16;
  /** Samples per pixel in order, one number per sample (0..255 or 0..65535; palette indices for type 3). */
  samples: ArrayLike<number>;
  /** Type 3: entries as [r, g, b, alpha?]. */
  palette?: ReadonlyArray<readonly number[]>;
  /** An sBIT chunk: significant bits per channel, as many bytes as the colour type has in sBIT. */
  significantBits?: readonly number[];
}

/** The bytes of a non-interlaced PNG, every row with filter 0. */
export function encodePng(spec: PngSpec): Buffer {
  const perPixel = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[spec.colourType];
  const bytesPerSample = spec.bitDepth / 8;
  const rowBytes = spec.width * perPixel * bytesPerSample;
  const raw = Buffer.alloc((rowBytes + 1) * spec.height);
  for (let y = 0; y < spec.height; y++) {
    for (let s = 0; s < spec.width * perPixel; s++) {
      const value = spec.samples[y * spec.width * perPixel + s]!;
      const at = y * (rowBytes + 1) + 1 + s * bytesPerSample;
      if (bytesPerSample === 2) raw.writeUInt16BE(value, at);
      else raw[at] = value;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(spec.width, 0);
  ihdr.writeUInt32BE(spec.height, 4);
  ihdr[8] = spec.bitDepth;
  ihdr[9] = spec.colourType;
  const chunks = [chunk('IHDR', ihdr)];
  if (spec.significantBits) chunks.push(chunk('sBIT', Uint8Array.from(spec.significantBits)));
  if (spec.palette) {
    chunks.push(chunk('PLTE', Uint8Array.from(spec.palette.flatMap((e) => [e[0]!, e[1]!, e[2]!]))));
    if (spec.palette.some((e) => e[3] !== undefined && e[3] !== 255)) chunks.push(chunk('tRNS', Uint8Array.from(spec.palette.map((e) => e[3] ?? 255))));
  }
  chunks.push(chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks]);
}

/** Samples for every pixel: `inside` where the disc is, `outside` elsewhere (each an array of channel values). */
export function discSamples(disc: Uint8Array, inside: readonly number[], outside: readonly number[]): number[] {
  const out: number[] = [];
  for (const v of disc) out.push(...(v ? inside : outside));
  return out;
}

/** The std mask encodings the issue names, and more of each kind. */
export type StdEncoding =
  | 'grey8-0-255'
  | 'grey8-0-1'
  | 'grey16-0-1'
  | 'grey16-0-255'
  | 'grey16-0-65535'
  | 'rgb16-0-65535'
  | 'palette-black-red'
  | 'palette-white-3-colours'
  | 'palette-transparent'
  | 'rgba-white-alpha'
  | 'grey-alpha'
  | 'mixed-0-255-and-0-1'
  | 'tiff16-0-1'
  | 'webp-0-255'
  | 'jpeg-mask';

/** The mask PNG (or other format) bytes of std case i in the given encoding, with the file extension. */
export async function stdMask(encoding: StdEncoding, i: number): Promise<{ext: string; bytes: Buffer}> {
  const disc = stdDisc(i);
  const size = {width: STD_WIDTH, height: STD_HEIGHT};
  const png = (colourType: PngSpec['colourType'], bitDepth: 8 | 16, inside: number[], outside: number[], palette?: number[][]) => ({
    ext: 'png',
    bytes: encodePng({...size, colourType, bitDepth, samples: discSamples(disc, inside, outside), ...(palette ? {palette} : {})}),
  });
  switch (encoding) {
    case 'grey8-0-255':
      return png(0, 8, [255], [0]);
    case 'grey8-0-1':
      return png(0, 8, [1], [0]);
    case 'grey16-0-1':
      return png(0, 16, [1], [0]);
    case 'grey16-0-255':
      return png(0, 16, [255], [0]);
    case 'grey16-0-65535':
      return png(0, 16, [65535], [0]);
    case 'rgb16-0-65535':
      return png(2, 16, [65535, 65535, 65535], [0, 0, 0]);
    case 'palette-black-red':
      return png(3, 8, [1], [0], [[0, 0, 0], [128, 0, 0]]);
    case 'palette-white-3-colours':
      // White background at index 0, two lesion classes: every non-background index is foreground.
      return png(3, 8, [i % 2 ? 2 : 1], [0], [[255, 255, 255], [128, 0, 0], [0, 128, 0]]);
    case 'palette-transparent':
      // A transparent white background that is not index 0.
      return png(3, 8, [0], [1], [[200, 30, 30], [255, 255, 255, 0]]);
    case 'rgba-white-alpha':
      return png(6, 8, [255, 255, 255, 255], [255, 255, 255, 0]);
    case 'grey-alpha':
      return png(4, 8, [255, 255], [255, 0]);
    case 'mixed-0-255-and-0-1':
      return png(0, 8, [i === 2 || i === 5 ? 1 : 255], [0]);
    case 'tiff16-0-1':
      return {ext: 'tiff', bytes: await sharp((await png(0, 16, [1], [0])).bytes).pipelineColourspace('grey16').toColourspace('grey16').tiff({compression: 'lzw'}).toBuffer()};
    case 'webp-0-255':
      return {ext: 'webp', bytes: await sharp((await png(0, 8, [255], [0])).bytes).webp({lossless: true}).toBuffer()};
    case 'jpeg-mask':
      return {ext: 'jpg', bytes: await sharp((await png(0, 8, [255], [0])).bytes).jpeg({quality: 90}).toBuffer()};
  }
}

/** A 64x48 RGB image whose red channel is bright inside the std disc of case i (so alignment can be checked). */
export function stdImagePixels(i: number): Uint8Array {
  const disc = stdDisc(i);
  const out = new Uint8Array(STD_WIDTH * STD_HEIGHT * 3);
  for (let p = 0; p < disc.length; p++) {
    out[p * 3] = disc[p] ? 230 : 30;
    out[p * 3 + 1] = 60 + ((p * 7) % 40);
    out[p * 3 + 2] = 90;
  }
  return out;
}

/**
 * Writes the std folder with masks in `encoding`. With `exifOrientation6`, each image is a JPEG whose stored
 * pixels are the displayed image turned 90 degrees anticlockwise (48x64) and tagged EXIF orientation 6, as a phone
 * writes it; the masks are drawn on the displayed image.
 */
export async function writeStdFolder(root: string, encoding: StdEncoding, options: {exifOrientation6?: boolean} = {}): Promise<string[]> {
  const maskFiles: string[] = [];
  for (let i = 0; i < STD_CASES; i++) {
    const raw = {width: STD_WIDTH, height: STD_HEIGHT, channels: 3 as const};
    const imageFile = join(root, 'images', `case${i}.${options.exifOrientation6 ? 'jpg' : 'png'}`);
    await mkdir(dirname(imageFile), {recursive: true});
    if (options.exifOrientation6) {
      const stored = await sharp(stdImagePixels(i), {raw}).rotate(270).raw().toBuffer();
      await sharp(stored, {raw: {width: STD_HEIGHT, height: STD_WIDTH, channels: 3}}).jpeg({quality: 95}).withMetadata({orientation: 6}).toFile(imageFile);
    } else {
      await sharp(stdImagePixels(i), {raw}).png().toFile(imageFile);
    }
    const mask = await stdMask(encoding, i);
    const maskFile = join(root, 'masks', `case${i}.${mask.ext}`);
    await mkdir(dirname(maskFile), {recursive: true});
    await writeFile(maskFile, mask.bytes);
    maskFiles.push(maskFile);
  }
  return maskFiles;
}

/**
 * The bytes of an uncompressed little-endian TIFF with one strip: grey (1 sample) or RGB (3), 8 or 16 bits. Written
 * by hand because sharp saves TIFFs at 8 bits, so a 16-bit fixture (12-bit data, as DICOM exports hold) needs it.
 */
export function encodeTiff(spec: {width: number; height: number; channels: 1 | 3; bitDepth: 8 | 16; samples: ArrayLike<number>}): Buffer {
  const bytesPerSample = spec.bitDepth / 8;
  const data = Buffer.alloc(spec.width * spec.height * spec.channels * bytesPerSample);
  for (let i = 0; i < spec.width * spec.height * spec.channels; i++) {
    if (bytesPerSample === 2) data.writeUInt16LE(spec.samples[i]!, i * 2);
    else data[i] = spec.samples[i]!;
  }
  // Tags (sorted): width, height, bits per sample, compression none, photometric, strip offsets, samples per
  // pixel, rows per strip, strip byte counts. BitsPerSample for RGB is an offset to three shorts.
  const tags: Array<[number, number, number, number]> = []; // tag, type (3 short, 4 long), count, value
  const entries = 9;
  const ifdOffset = 8;
  const ifdSize = 2 + entries * 12 + 4;
  const bitsOffset = ifdOffset + ifdSize;
  const dataOffset = bitsOffset + 8;
  tags.push([256, 4, 1, spec.width], [257, 4, 1, spec.height]);
  tags.push(spec.channels === 1 ? [258, 3, 1, spec.bitDepth] : [258, 3, 3, bitsOffset]);
  tags.push([259, 3, 1, 1], [262, 3, 1, spec.channels === 1 ? 1 : 2], [273, 4, 1, dataOffset], [277, 3, 1, spec.channels], [278, 4, 1, spec.height], [279, 4, 1, data.length]);
  const head = Buffer.alloc(dataOffset);
  head.write('II', 0, 'latin1');
  head.writeUInt16LE(42, 2);
  head.writeUInt32LE(ifdOffset, 4);
  head.writeUInt16LE(entries, ifdOffset);
  for (const [i, [tag, type, count, value]] of tags.entries()) {
    const at = ifdOffset + 2 + i * 12;
    head.writeUInt16LE(tag, at);
    head.writeUInt16LE(type, at + 2);
    head.writeUInt32LE(count, at + 4);
    if (type === 3 && count === 1) head.writeUInt16LE(value, at + 8);
    else head.writeUInt32LE(value, at + 8);
  }
  head.writeUInt32LE(0, ifdOffset + 2 + entries * 12);
  for (let c = 0; c < 3; c++) head.writeUInt16LE(spec.bitDepth, bitsOffset + c * 2);
  return Buffer.concat([head, data]);
}
