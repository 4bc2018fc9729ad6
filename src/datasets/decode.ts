// Decoding with sharp (JPEG, PNG, TIFF, GIF, WebP) plus the project's BMP reader. Images become 8-bit RGB
// (grey expanded to 3 channels, alpha dropped) and are resized with a linear kernel, which libvips widens when
// shrinking, so downscaling averages like an area filter. Masks become binary at their original size first, then
// are resized with nearest neighbour and re-binarised, so no grey edge is ever invented.
import {readFile} from 'node:fs/promises';
import sharp, {type Sharp} from 'sharp';
import {decodeBmp, isBmp} from './bmp.js';
import {DatasetError, firstLine} from './errors.js';
import {binariseInto, rebinarise, type MaskRule} from './mask-rules.js';
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
  /** Share of pixels neither clearly 0 nor clearly foreground (thresholded rules only; 0 otherwise). */
  ambiguousFraction: number;
}

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

/** A sharp pipeline over the file's pixels and the size of the stored image. */
async function open(file: string, bytes: Uint8Array): Promise<{pipeline: Sharp; size: ImageSize}> {
  if (bytes.length === 0) throw new DatasetError(file, 'file is empty');
  try {
    if (isBmp(bytes)) {
      const bmp = decodeBmp(bytes);
      const raw = {width: bmp.width, height: bmp.height, channels: bmp.channels};
      return {pipeline: sharp(bmp.data, {raw}), size: {width: bmp.width, height: bmp.height}};
    }
    // failOn 'warning': a truncated JPEG or PNG is an error, not a silently grey bottom half.
    const pipeline = sharp(bytes, {failOn: 'warning', limitInputPixels: 1 << 30});
    const meta = await pipeline.metadata();
    if (!meta.width || !meta.height) throw new Error('image has no size');
    return {pipeline, size: {width: meta.width, height: meta.height}};
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

/** Just the stored size (reads the header only, except for BMP). */
export async function readImageSize(file: string, bytes?: Uint8Array): Promise<ImageSize> {
  return (await open(file, await readBytes(file, bytes))).size;
}

/** The image as RGB at its original size, or resized to size x size (aspect not kept, as the models expect). */
export async function decodeImage(file: string, options: {size?: number; bytes?: Uint8Array} = {}): Promise<{original: ImageSize; image: DecodedImage}> {
  const {pipeline, size} = await open(file, await readBytes(file, options.bytes));
  const resized = options.size ? pipeline.resize(options.size, options.size, {fit: 'fill', kernel: 'linear'}) : pipeline;
  return {original: size, image: await toRgb(file, resized)};
}

/** Raw pixels of one mask file at its original size. */
async function maskPixels(file: string, bytes: Uint8Array): Promise<{size: ImageSize; data: Uint8Array; channels: number}> {
  if (bytes.length === 0) throw new DatasetError(file, 'file is empty');
  if (isBmp(bytes)) {
    try {
      const bmp = decodeBmp(bytes);
      return {size: {width: bmp.width, height: bmp.height}, data: bmp.data, channels: bmp.channels};
    } catch (error) {
      throw new DatasetError(file, `not a readable image: ${describeDecodeError(error)}`);
    }
  }
  try {
    const {data, info} = await sharp(bytes, {failOn: 'warning', limitInputPixels: 1 << 30}).raw({depth: 'uchar'}).toBuffer({resolveWithObject: true});
    return {size: {width: info.width, height: info.height}, data: new Uint8Array(data.buffer, data.byteOffset, data.length), channels: info.channels};
  } catch (error) {
    throw new DatasetError(file, `not a readable image: ${describeDecodeError(error)}`);
  }
}

/**
 * The union of an image's mask files as one binary mask at the original size. `imageSize` is needed for polygon
 * masks (they have no size of their own) and checked against every raster mask.
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
  for (const [i, file] of files.entries()) {
    const pixels = await maskPixels(file, await readBytes(file, options.bytes?.[i]));
    const {width, height} = pixels.size;
    if (options.imageSize && (width !== options.imageSize.width || height !== options.imageSize.height)) {
      throw new DatasetError(file, `mask is ${width}x${height} but its image is ${options.imageSize.width}x${options.imageSize.height}`);
    }
    if (!out) {
      out = {width, height, data: new Uint8Array(width * height), ambiguousFraction: 0};
      first = file;
    } else if (out.width !== width || out.height !== height) {
      throw new DatasetError(file, `mask is ${width}x${height} but ${first} is ${out.width}x${out.height}`);
    }
    ambiguous = Math.max(ambiguous, binariseInto(out.data, pixels.data, pixels.channels, rule));
  }
  out!.ambiguousFraction = ambiguous;
  if (rule.kind === 'threshold' && ambiguous > rule.maxAmbiguousFraction) {
    throw new DatasetError(files[0]!, `mask is not binary: ${(ambiguous * 100).toFixed(1)}% of its pixels are mid-grey (expected black and white)`);
  }
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
