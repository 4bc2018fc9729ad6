// Decoding with sharp (JPEG, PNG, TIFF, GIF, WebP) plus the project's BMP reader. Images become 8-bit RGB
// (grey expanded to 3 channels, alpha dropped) and are resized with a linear kernel, which libvips widens when
// shrinking, so downscaling averages like an area filter. Masks become binary at their original size first, then
// are resized with nearest neighbour and re-binarised, so no grey edge is ever invented. Each mask file is read by
// its own encoding (bit depth, palette, alpha: mask-rules.ts), and EXIF orientation is applied to images and masks
// alike, as image viewers and annotation tools show them (a mask drawn on a phone photo matches what was shown).
import {readFile} from 'node:fs/promises';
import sharp, {type Sharp} from 'sharp';
import {decodeBmp, isBmp} from './bmp.js';
import {DatasetError, firstLine} from './errors.js';
import {maxAmbiguousFraction, readMaskRaster, type MaskRaster, type MaskReading, type MaskRule} from './mask-rules.js';
import {backgroundEntries, readPngPalette} from './png-palette.js';
import {fillPolygons, parsePolygonsXml} from './polygon-mask.js';

export interface ImageSize {
  width: number;
  height: number;
}

export interface DecodedImage extends ImageSize {
  /** RGB, 8 bits per channel, row-major (HWC). */
  data: Uint8Array;
}

export interface DecodedMask extends ImageSize {
  /** 0 or 1 per pixel, row-major, at the mask's original size. */
  data: Uint8Array;
  /** Share of pixels neither clearly 0 nor clearly foreground (thresholded readings only; 0 otherwise). */
  ambiguousFraction: number;
  /** How each mask file was read, in the order given (absent for polygon masks). */
  files?: MaskFileReading[];
}

/** How one mask file was read: the per-file decision and the EXIF orientation applied (absent when none). */
export interface MaskFileReading extends MaskReading {
  file: string;
  /** EXIF orientation 2-8 that was applied before reading (1 or none is absent). */
  orientation?: number;
}

/** An EXIF orientation that changes the pixels (2-8), or undefined. */
function appliedOrientation(orientation: number | undefined): number | undefined {
  return orientation && orientation >= 2 && orientation <= 8 ? orientation : undefined;
}

/** Options for every sharp input: a truncated file is an error, huge images are allowed, EXIF orientation applies. */
const SHARP_INPUT = {failOn: 'warning', limitInputPixels: 1 << 30, autoOrient: true} as const;

/**
 * A decoder failure in words. libvips' messages are terse ("Warning treated as error due to failOn setting") and
 * its error buffer is shared between concurrent decodes, so the kind of failure is named first.
 */
export function describeDecodeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const first = firstLine(error);
  if (/unsupported image format/i.test(text)) return 'not an image (unknown or unsupported format)';
  if (/premature end|truncat|failOn|read error|corrupt|bad huffman|invalid|unexpected end/i.test(text)) return `truncated or corrupt image data (${first})`;
  return first;
}

async function readBytes(file: string, bytes?: Uint8Array): Promise<Uint8Array> {
  if (bytes) return bytes;
  try {
    return await readFile(file);
  } catch (error) {
    throw new DatasetError(file, `cannot read: ${firstLine(error)}`);
  }
}

/**
 * A sharp pipeline over the file's pixels, already turned by its EXIF orientation, the size as displayed (width
 * and height swap for orientations 5-8) and the orientation applied.
 */
async function open(file: string, bytes: Uint8Array): Promise<{pipeline: Sharp; size: ImageSize; orientation?: number}> {
  if (bytes.length === 0) throw new DatasetError(file, 'file is empty');
  try {
    if (isBmp(bytes)) {
      const bmp = decodeBmp(bytes);
      const raw = {width: bmp.width, height: bmp.height, channels: bmp.channels};
      return {pipeline: sharp(bmp.data, {raw}), size: {width: bmp.width, height: bmp.height}};
    }
    // failOn 'warning': a truncated JPEG or PNG is an error, not a silently grey bottom half.
    const pipeline = sharp(bytes, SHARP_INPUT);
    const meta = await pipeline.metadata();
    if (!meta.width || !meta.height) throw new Error('image has no size');
    const orientation = appliedOrientation(meta.orientation);
    const size = meta.autoOrient ?? {width: meta.width, height: meta.height};
    return {pipeline, size: {width: size.width, height: size.height}, ...(orientation ? {orientation} : {})};
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    throw new DatasetError(file, `not a readable image: ${describeDecodeError(error)}`);
  }
}

/** 8-bit RGB pixels from a pipeline, whatever the input's channels and depth. */
async function toRgb(file: string, pipeline: Sharp): Promise<DecodedImage> {
  try {
    const {data, info} = await pipeline.removeAlpha().toColourspace('srgb').raw({depth: 'uchar'}).toBuffer({resolveWithObject: true});
    if (info.channels === 3) return {width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length)};
    const n = info.width * info.height;
    const rgb = new Uint8Array(n * 3);
    for (let p = 0; p < n; p++) {
      const v = data[p * info.channels]!;
      rgb[p * 3] = v;
      rgb[p * 3 + 1] = info.channels >= 3 ? data[p * info.channels + 1]! : v;
      rgb[p * 3 + 2] = info.channels >= 3 ? data[p * info.channels + 2]! : v;
    }
    return {width: info.width, height: info.height, data: rgb};
  } catch (error) {
    throw new DatasetError(file, `cannot decode: ${describeDecodeError(error)}`);
  }
}

/** The size as displayed, after EXIF orientation (reads the header only, except for BMP). */
export async function readImageSize(file: string, bytes?: Uint8Array): Promise<ImageSize> {
  return (await open(file, await readBytes(file, bytes))).size;
}

/**
 * The image as RGB at its original size, or resized to size x size (aspect not kept, as the models expect), turned
 * by its EXIF orientation as viewers show it; `original` is the displayed size, `orientation` the EXIF orientation
 * applied (absent for none or 1). Throws DatasetError naming the file when it cannot be read or decoded.
 */
export async function decodeImage(
  file: string,
  options: {size?: number; bytes?: Uint8Array} = {},
): Promise<{original: ImageSize; image: DecodedImage; orientation?: number}> {
  const {pipeline, size, orientation} = await open(file, await readBytes(file, options.bytes));
  const resized = options.size ? pipeline.resize(options.size, options.size, {fit: 'fill', kernel: 'linear'}) : pipeline;
  return {original: size, image: await toRgb(file, resized), ...(orientation ? {orientation} : {})};
}

/**
 * One mask file's pixels at their own bit depth (16-bit files stay 16-bit: sharp's 8-bit output divides by 256,
 * which turns 0/1 and 0/255 masks into empty ones), turned by the EXIF orientation, with the palette indices of
 * indexed PNGs.
 */
async function maskRaster(file: string, bytes: Uint8Array): Promise<{raster: MaskRaster; orientation?: number}> {
  if (bytes.length === 0) throw new DatasetError(file, 'file is empty');
  try {
    if (isBmp(bytes)) {
      const bmp = decodeBmp(bytes);
      return {raster: {width: bmp.width, height: bmp.height, data: bmp.data, channels: bmp.channels, bits: 8, space: 'RGB', format: 'BMP', lossy: false}};
    }
    const input = sharp(bytes, SHARP_INPUT);
    const meta = await input.metadata();
    const bits = meta.depth === 'ushort' ? 16 : 8;
    const grey = (meta.channels ?? 3) <= 2;
    // 16-bit output needs a 16-bit colour space too: sharp's default sRGB output rescales to 0..255 first.
    const pipeline = bits === 16 ? input.pipelineColourspace(grey ? 'grey16' : 'rgb16').toColourspace(grey ? 'grey16' : 'rgb16') : input;
    const {data, info} = await pipeline.raw({depth: bits === 16 ? 'ushort' : 'uchar'}).toBuffer({resolveWithObject: true});
    const samples = bits === 16 ? uint16Samples(data) : new Uint8Array(data.buffer, data.byteOffset, data.length);
    const format = (meta.format ?? 'image').toUpperCase();
    const raster: MaskRaster = {
      width: info.width,
      height: info.height,
      data: samples,
      channels: info.channels,
      bits,
      space: grey ? 'grey' : 'RGB',
      format,
      lossy: meta.format === 'jpeg',
    };
    if (meta.format === 'png' && meta.isPalette && bits === 8) {
      const palette = readPngPalette(bytes);
      if (palette) raster.palette = {indices: paletteIndices(raster, palette), background: backgroundEntries(palette)};
    }
    const orientation = appliedOrientation(meta.orientation);
    return orientation ? {raster, orientation} : {raster};
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    throw new DatasetError(file, `not a readable image: ${describeDecodeError(error)}`);
  }
}

/** 16-bit samples in native byte order (what sharp's raw ushort output holds), copied when misaligned. */
function uint16Samples(data: Buffer): Uint16Array {
  if (data.byteOffset % 2 === 0) return new Uint16Array(data.buffer, data.byteOffset, data.length / 2);
  const copy = new Uint8Array(data);
  return new Uint16Array(copy.buffer, 0, copy.length / 2);
}

/**
 * The palette index of every pixel of an indexed PNG decoded to RGB(A): each colour maps back to the first palette
 * entry of that colour. Throws when a colour is not in the palette (the decoder changed colours).
 */
function paletteIndices(raster: MaskRaster, palette: ReadonlyArray<{r: number; g: number; b: number; a: number}>): Uint8Array {
  const {channels, data} = raster;
  const withAlpha = channels === 2 || channels === 4;
  const key = (r: number, g: number, b: number, a: number) => ((r * 256 + g) * 256 + b) * 256 + a;
  const byColour = new Map<number, number>();
  for (let i = palette.length - 1; i >= 0; i--) {
    const e = palette[i]!;
    byColour.set(key(e.r, e.g, e.b, withAlpha ? e.a : 255), i);
  }
  const n = raster.width * raster.height;
  const indices = new Uint8Array(n);
  for (let p = 0, o = 0; p < n; p++, o += channels) {
    const [r, g, b] = channels >= 3 ? [data[o]!, data[o + 1]!, data[o + 2]!] : [data[o]!, data[o]!, data[o]!];
    const index = byColour.get(key(r, g, b, withAlpha ? data[o + channels - 1]! : 255));
    if (index === undefined) throw new Error(`palette PNG has a pixel colour (${r}, ${g}, ${b}) that is not in its palette`);
    indices[p] = index;
  }
  return indices;
}

/**
 * The union of an image's mask files as one binary mask at the original (displayed) size, each file read by its
 * own encoding (readMaskRaster) after its EXIF orientation; `files` says how each was read. `imageSize` is needed
 * for polygon masks (they have no size of their own) and checked against every raster mask. Throws DatasetError
 * naming the file for an unreadable mask, a size that differs, or a thresholded mask with much mid-grey.
 */
export async function decodeMask(
  files: readonly string[],
  rule: MaskRule,
  options: {imageSize?: ImageSize; bytes?: ReadonlyArray<Uint8Array | undefined>} = {},
): Promise<DecodedMask> {
  if (files.length === 0) throw new DatasetError('(none)', 'no mask file given');
  if (rule.kind === 'xml-polygons') {
    const size = options.imageSize;
    if (!size) throw new DatasetError(files[0]!, 'polygon masks need the image size');
    const data = new Uint8Array(size.width * size.height);
    for (const [i, file] of files.entries()) {
      const text = Buffer.from(await readBytes(file, options.bytes?.[i])).toString('utf8');
      if (!/<Vertices\b/.test(text) && !/<Annotations?\b/.test(text)) throw new DatasetError(file, 'not a polygon annotation file (no <Annotation> or <Vertices>)');
      fillPolygons(data, size.width, size.height, parsePolygonsXml(text));
    }
    return {...size, data, ambiguousFraction: 0};
  }
  let out: DecodedMask | undefined;
  let first = '';
  let ambiguous = 0;
  const readings: MaskFileReading[] = [];
  const limit = maxAmbiguousFraction(rule);
  for (const [i, file] of files.entries()) {
    const {raster, orientation} = await maskRaster(file, await readBytes(file, options.bytes?.[i]));
    const {width, height} = raster;
    if (options.imageSize && (width !== options.imageSize.width || height !== options.imageSize.height)) {
      throw new DatasetError(file, `mask is ${width}x${height} but its image is ${options.imageSize.width}x${options.imageSize.height}`);
    }
    if (!out) {
      out = {width, height, data: new Uint8Array(width * height), ambiguousFraction: 0};
      first = file;
    } else if (out.width !== width || out.height !== height) {
      throw new DatasetError(file, `mask is ${width}x${height} but ${first} is ${out.width}x${out.height}`);
    }
    const reading = readMaskRaster(out.data, raster, rule);
    if (reading.ambiguousFraction > limit) {
      throw new DatasetError(file, `mask is not binary: ${(reading.ambiguousFraction * 100).toFixed(1)}% of its pixels are mid-grey (read as ${reading.encoding}; expected black and white, 0/1 or a palette)`);
    }
    ambiguous = Math.max(ambiguous, reading.ambiguousFraction);
    readings.push({file, ...reading, ...(orientation ? {orientation} : {})});
  }
  out!.ambiguousFraction = ambiguous;
  out!.files = readings;
  return out!;
}

/**
 * A binary mask resized with nearest neighbour (each output pixel takes the source pixel under its centre), so
 * the result stays in {0, 1}. Done in JS: a lookup per pixel is cheaper than a libvips pipeline.
 */
export function resizeMask(mask: ImageSize & {data: Uint8Array}, size: number): Uint8Array {
  if (mask.width === size && mask.height === size) return mask.data.slice();
  const out = new Uint8Array(size * size);
  const columns = new Int32Array(size);
  for (let x = 0; x < size; x++) columns[x] = Math.min(mask.width - 1, Math.floor(((x + 0.5) * mask.width) / size));
  for (let y = 0; y < size; y++) {
    const row = Math.min(mask.height - 1, Math.floor(((y + 0.5) * mask.height) / size)) * mask.width;
    for (let x = 0; x < size; x++) out[y * size + x] = mask.data[row + columns[x]!]!;
  }
  return out;
}
