// Decoding with sharp (JPEG, PNG, TIFF, GIF, WebP) plus the project's BMP reader. Images become 8-bit RGB
// (grey expanded to 3 channels, alpha dropped) and are resized with a linear kernel, which libvips widens when
// shrinking, so downscaling averages like an area filter. 16-bit images are resized at 16 bits and then scaled by
// their real range (wideFullScale: the PNG sBIT chunk, else the dataset's maximum), never divided by 256: 12-bit
// data (0..4095, as DICOM exports write it) would keep 16 grey levels, near black. Masks become binary at their original size first, then
// are resized with nearest neighbour and re-binarised, so no grey edge is ever invented. Each mask file is read by
// its own encoding (bit depth, palette, alpha: mask-rules.ts), and EXIF orientation is applied to images and masks
// alike, as image viewers and annotation tools show them (a mask drawn on a phone photo matches what was shown).
import {readFile} from 'node:fs/promises';
import sharp, {type Sharp} from 'sharp';
import {decodeBmp, isBmp} from './bmp.js';
import {DatasetError, firstLine} from './errors.js';
import {maxAmbiguousFraction, readMaskRaster, THRESHOLD_128, type MaskRaster, type MaskReading, type MaskRule} from './mask-rules.js';
import {backgroundEntries, readPngPalette} from './png-palette.js';
import {readPngSignificantBits} from './png-sbit.js';
import {fillPolygons, parsePolygonsXml} from './polygon-mask.js';

export interface ImageSize {
  width: number;
  height: number;
}

export interface DecodedImage extends ImageSize {
  /** RGB, 8 bits per channel, row-major (HWC). */
  data: Uint8Array;
}

/**
 * Version of how image files become 8-bit RGB. Datasets with 16-bit images carry it in their fingerprint (see
 * fingerprint.ts), so their caches and run ids change when the scaling does; 8-bit images decode as they always
 * did. 2: 16-bit images scaled by sBIT or the dataset's maximum (1 divided them by 256).
 */
export const IMAGE_DECODING_VERSION = 2;

/** A 16-bit image's samples: what its file declares and holds, at full size (colour channels, alpha left out). */
export interface WideImageDepth {
  bits: 16;
  /** Significant bits its PNG sBIT chunk declares (the most of any colour channel); absent without one. */
  significantBits?: number;
  /** Smallest and largest colour sample, 0..65535. */
  min: number;
  max: number;
}

/** How a 16-bit image maps to 8 bits: `full` (a 16-bit value) becomes 255, and why that value. */
export interface WideScaling {
  full: number;
  by: 'sBIT' | 'sBIT, samples scaled to 16 bits' | 'dataset maximum' | 'image maximum';
}

/** A 16-bit image as decoded: its depth and the scaling applied. */
export interface WideImageReading extends WideImageDepth {
  scaling: WideScaling;
}

/**
 * The 16-bit value that becomes 255 for an image:
 * - with sBIT s < 16 and every sample within 0..2^s - 1: 2^s - 1 (12-bit data stored as it is, as DICOM exports do);
 * - with sBIT whose range the samples exceed, or sBIT 16: 65535 (the PNG spec's way: samples scaled up to 16 bits);
 * - without sBIT: `datasetMax`, the largest sample of the dataset's 16-bit images without sBIT (so every image of
 *   a dataset is scaled alike and brightness keeps its meaning), else the image's own maximum.
 * Never below 1, so an all-black image stays black.
 */
export function wideFullScale(depth: WideImageDepth, datasetMax?: number): WideScaling {
  const s = depth.significantBits;
  if (s !== undefined) {
    const range = 2 ** s - 1;
    return s < 16 && depth.max <= range ? {full: range, by: 'sBIT'} : {full: 65535, by: 'sBIT, samples scaled to 16 bits'};
  }
  return datasetMax !== undefined ? {full: Math.max(1, datasetMax), by: 'dataset maximum'} : {full: Math.max(1, depth.max), by: 'image maximum'};
}

/** True when the image's scaling depends on the dataset's maximum (16-bit without a usable sBIT). */
export function usesDatasetMax(depth: WideImageDepth): boolean {
  return depth.significantBits === undefined;
}

/** sharp's metadata depth of a file that holds 16 bits per sample; BMP and unreadable headers are not wide. */
function isWideDepth(depth: string | undefined): boolean {
  return depth === 'ushort';
}

/**
 * Bits per sample of an image file from its header: 16, or 8 for everything else (8-bit, BMP, a header sharp
 * cannot read: decoding reports that). Cheap: no pixels are decoded.
 */
export async function imageSampleBits(bytes: Uint8Array): Promise<8 | 16> {
  if (bytes.length === 0 || isBmp(bytes)) return 8;
  try {
    return isWideDepth((await sharp(bytes, SHARP_INPUT).metadata()).depth) ? 16 : 8;
  } catch {
    return 8;
  }
}

/**
 * A 16-bit image's depth (sBIT and sample range at full size), or undefined for any other image. Throws
 * DatasetError naming the file when it cannot be read or decoded.
 */
export async function readWideImageDepth(file: string, bytes?: Uint8Array): Promise<WideImageDepth | undefined> {
  const data = await readBytes(file, bytes);
  if (data.length === 0) throw new DatasetError(file, 'file is empty');
  if (isBmp(data)) return undefined;
  try {
    const input = sharp(data, SHARP_INPUT);
    const meta = await input.metadata();
    if (!isWideDepth(meta.depth)) return undefined;
    const stats = await input.stats();
    const colours = stats.channels.slice(0, meta.hasAlpha ? stats.channels.length - 1 : stats.channels.length);
    const significantBits = meta.format === 'png' ? readPngSignificantBits(data) : undefined;
    return {
      bits: 16,
      min: Math.min(...colours.map((c) => c.min)),
      max: Math.max(...colours.map((c) => c.max)),
      ...(significantBits !== undefined ? {significantBits} : {}),
    };
  } catch (error) {
    throw new DatasetError(file, `not a readable image: ${describeDecodeError(error)}`);
  }
}

/**
 * The dataset maximum of a set of images (wideFullScale): the largest sample over its 16-bit images without sBIT,
 * or undefined when there is none. Reads every file given (pass only the 16-bit ones when known).
 */
export async function datasetWideMax(files: readonly string[], concurrency = 4): Promise<number | undefined> {
  let max: number | undefined;
  const queue = [...files];
  const worker = async (): Promise<void> => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const depth = await readWideImageDepth(file);
      if (depth && usesDatasetMax(depth)) max = Math.max(max ?? 0, depth.max);
    }
  };
  await Promise.all(Array.from({length: Math.max(1, Math.min(concurrency, files.length))}, worker));
  return max;
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
async function open(file: string, bytes: Uint8Array): Promise<{pipeline: Sharp; size: ImageSize; orientation?: number; wide?: {grey: boolean}}> {
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
    const wide = isWideDepth(meta.depth) ? {wide: {grey: (meta.channels ?? 3) <= 2}} : {};
    return {pipeline, size: {width: size.width, height: size.height}, ...(orientation ? {orientation} : {}), ...wide};
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

/**
 * 8-bit RGB pixels from a 16-bit pipeline: the samples are kept at 16 bits through resizing (sharp's 8-bit output
 * would divide them by 256 first), then `full` becomes 255 and values above it saturate.
 */
async function toRgbScaled(file: string, pipeline: Sharp, full: number): Promise<DecodedImage> {
  try {
    const {data, info} = await pipeline.removeAlpha().raw({depth: 'ushort'}).toBuffer({resolveWithObject: true});
    const samples = uint16Samples(data);
    const n = info.width * info.height;
    const rgb = new Uint8Array(n * 3);
    const to8 = (v: number) => Math.round((Math.min(v, full) * 255) / full);
    for (let p = 0; p < n; p++) {
      const o = p * info.channels;
      const v = to8(samples[o]!);
      rgb[p * 3] = v;
      rgb[p * 3 + 1] = info.channels >= 3 ? to8(samples[o + 1]!) : v;
      rgb[p * 3 + 2] = info.channels >= 3 ? to8(samples[o + 2]!) : v;
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
 * applied (absent for none or 1). A 16-bit image is scaled by wideFullScale with `datasetMax` (pass the dataset's,
 * from datasetWideMax, wherever a dataset's images are decoded, so every image maps alike); `wide` says how.
 * Throws DatasetError naming the file when it cannot be read or decoded.
 */
export async function decodeImage(
  file: string,
  options: {size?: number; bytes?: Uint8Array; datasetMax?: number} = {},
): Promise<{original: ImageSize; image: DecodedImage; orientation?: number; wide?: WideImageReading}> {
  const bytes = await readBytes(file, options.bytes);
  const {pipeline, size, orientation, wide} = await open(file, bytes);
  const extra = orientation ? {orientation} : {};
  if (wide) {
    const depth = (await readWideImageDepth(file, bytes))!;
    const scaling = wideFullScale(depth, options.datasetMax);
    const space = wide.grey ? 'grey16' : 'rgb16';
    // 16-bit output needs a 16-bit colour space too: sharp's default sRGB output rescales to 0..255 first.
    const at16 = pipeline.pipelineColourspace(space).toColourspace(space);
    const resized = options.size ? at16.resize(options.size, options.size, {fit: 'fill', kernel: 'linear'}) : at16;
    return {original: size, image: await toRgbScaled(file, resized, scaling.full), ...extra, wide: {...depth, scaling}};
  }
  const resized = options.size ? pipeline.resize(options.size, options.size, {fit: 'fill', kernel: 'linear'}) : pipeline;
  return {original: size, image: await toRgb(file, resized), ...extra};
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

/** Distinct values at most, for a lossless file to look like a mask (binary, a few classes or instances). */
export const MASK_LIKE_MAX_VALUES = 32;

/** Whether a file's pixels look like a mask, and how many distinct values (brightest colour channel) it holds. */
export interface MaskLikeness {
  maskLike: boolean;
  /** Distinct values (palette indices for indexed PNGs), counted up to 257. */
  values: number;
  /** A lossy file (JPEG) judged by being mostly black and white rather than by its count of values. */
  lossy: boolean;
}

/**
 * Whether a file's content looks like a mask rather than a photo, for telling which folder holds the masks when
 * its name does not say (MoNuSeg's labelcol/): a palette image, or a file that decodeMask reads without much
 * mid-grey and that holds at most MASK_LIKE_MAX_VALUES distinct values (any number for lossy files, whose noise
 * adds values). Both are needed: a small smooth image can have few values, a dark photo little mid-grey. An
 * unreadable file is not mask-like.
 */
export async function maskLikeness(file: string): Promise<MaskLikeness> {
  let raster: MaskRaster;
  try {
    raster = (await maskRaster(file, await readBytes(file))).raster;
  } catch {
    return {maskLike: false, values: 0, lossy: false};
  }
  const n = raster.width * raster.height;
  if (raster.palette) return {maskLike: true, values: new Set(raster.palette.indices).size, lossy: false};
  const {data, channels} = raster;
  const colours = channels === 2 || channels === 4 ? channels - 1 : channels;
  const seen = new Set<number>();
  for (let p = 0, o = 0; p < n && seen.size <= 256; p++, o += channels) {
    let value = data[o]!;
    for (let c = 1; c < colours; c++) value = Math.max(value, data[o + c]!);
    seen.add(value);
  }
  const reading = readMaskRaster(new Uint8Array(n), raster, THRESHOLD_128);
  const littleGrey = reading.ambiguousFraction <= maxAmbiguousFraction(THRESHOLD_128);
  return {maskLike: littleGrey && (raster.lossy || seen.size <= MASK_LIKE_MAX_VALUES), values: seen.size, lossy: raster.lossy};
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
