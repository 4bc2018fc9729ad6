// The preprocessed cache file: 8-byte magic, u32 header length, a JSON header, padding to 8 bytes, then the data
// sections (images uint8 NHWC, masks uint8 NHW in {0,1}, optionally the original-size masks bit-packed). The header
// records every section's offset and a CRC-32 of the data, so a damaged or half-written file is refused, never
// used. Files are written atomically (temp + rename).
import {open, readFile} from 'node:fs/promises';
import {crc32} from 'node:zlib';
import {writeFileAtomic} from '../io/atomic-write.js';
import {DatasetError, firstLine} from './errors.js';
import type {MaskRule} from './mask-rules.js';
import type {SamplePair} from './collect.js';

export const CACHE_MAGIC = Buffer.from('MSLKDS\0\x01', 'latin1');
export const CACHE_FORMAT_VERSION = 1;

/** A sample pair as stored in the cache header, with what preparation learnt about it. */
export interface CachedSample extends SamplePair {
  /** Original size of the image (and its mask). */
  width: number;
  height: number;
  /** Foreground share of the original-size mask (0 for an empty mask). */
  foreground: number;
  /** How each mask file was read ("8-bit grey 0/1", "palette (2 colours)", ...), in the order of `masks`. */
  maskEncodings?: string[];
  /** EXIF orientation applied to the image (absent for none). */
  orientation?: number;
  /** Byte offset of this sample's bit-packed original mask inside the originalMasks section. */
  originalMaskOffset?: number;
}

export interface Section {
  offset: number;
  bytes: number;
}

/** Channels of every prepared image: RGB (grey images are replicated, alpha dropped); masks have one. */
export const PREPARED_IMAGE_CHANNELS = 3;

export interface CacheHeader {
  format: 'mslk-dataset-cache';
  formatVersion: number;
  preprocessingVersion: number;
  key: string;
  dataset: string;
  registryName?: string;
  layout: string;
  maskRule: MaskRule;
  /** Absolute layout root the sources were read from (to reload original masks when not stored). */
  root: string;
  fingerprint: string;
  /** Images and masks are size x size. */
  size: number;
  count: number;
  channels: typeof PREPARED_IMAGE_CHANNELS;
  createdAt: string;
  /** 16-bit images: how many, and the dataset maximum those without sBIT were scaled by (decode.ts wideFullScale);
   * absent when every image is 8-bit. */
  wideImages?: {count: number; datasetMax?: number};
  samples: CachedSample[];
  sections: {images: Section; masks: Section; originalMasks?: Section};
  /** CRC-32 of all data sections together. */
  crc32: number;
}

export interface CacheContents {
  header: CacheHeader;
  images: Uint8Array;
  masks: Uint8Array;
  originalMasks?: Uint8Array;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

export async function writeCacheFile(
  file: string,
  header: Omit<CacheHeader, 'sections' | 'crc32'>,
  data: {images: Uint8Array; masks: Uint8Array; originalMasks?: Uint8Array},
): Promise<void> {
  const sections: CacheHeader['sections'] = {
    images: {offset: 0, bytes: data.images.length},
    masks: {offset: align8(data.images.length), bytes: data.masks.length},
  };
  const pieces: Uint8Array[] = [data.images, new Uint8Array(sections.masks.offset - data.images.length), data.masks];
  let end = sections.masks.offset + data.masks.length;
  if (data.originalMasks) {
    const offset = align8(end);
    pieces.push(new Uint8Array(offset - end), data.originalMasks);
    sections.originalMasks = {offset, bytes: data.originalMasks.length};
    end = offset + data.originalMasks.length;
  }
  let crc = 0;
  for (const piece of pieces) crc = crc32(piece, crc);
  const json = Buffer.from(JSON.stringify({...header, sections, crc32: crc}), 'utf8');
  const prefix = Buffer.alloc(align8(CACHE_MAGIC.length + 4 + json.length));
  CACHE_MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(json.length, CACHE_MAGIC.length);
  json.copy(prefix, CACHE_MAGIC.length + 4);
  await writeFileAtomic(file, [prefix, ...pieces]);
}

/** Reads and checks a cache file: magic, header, sizes and (unless told not to) the CRC of the data. */
export async function readCacheFile(file: string, options: {checkCrc?: boolean} = {}): Promise<CacheContents> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new DatasetError(file, `cannot read the cache: ${firstLine(error)}`);
  }
  const damaged = (why: string) => new DatasetError(file, `damaged cache (${why}); run prepare again`);
  if (bytes.length < CACHE_MAGIC.length + 4 || !bytes.subarray(0, CACHE_MAGIC.length).equals(CACHE_MAGIC)) throw damaged('not an mslk cache file');
  const length = bytes.readUInt32LE(CACHE_MAGIC.length);
  const start = CACHE_MAGIC.length + 4;
  if (start + length > bytes.length) throw damaged('header cut short');
  let header: CacheHeader;
  try {
    header = JSON.parse(bytes.toString('utf8', start, start + length)) as CacheHeader;
  } catch {
    throw damaged('header is not JSON');
  }
  if (header.format !== 'mslk-dataset-cache' || header.formatVersion !== CACHE_FORMAT_VERSION) throw damaged(`format ${header.format} v${header.formatVersion}`);
  const dataStart = align8(start + length);
  const last = header.sections.originalMasks ?? header.sections.masks;
  if (dataStart + last.offset + last.bytes !== bytes.length) throw damaged(`expected ${dataStart + last.offset + last.bytes} bytes, found ${bytes.length}`);
  const pixels = header.count * header.size * header.size;
  if (header.sections.images.bytes !== pixels * header.channels || header.sections.masks.bytes !== pixels) throw damaged('section sizes do not match the header');
  if (options.checkCrc !== false && crc32(bytes.subarray(dataStart)) !== header.crc32) throw damaged('checksum mismatch');
  const view = (s: Section) => new Uint8Array(bytes.buffer, bytes.byteOffset + dataStart + s.offset, s.bytes);
  const contents: CacheContents = {header, images: view(header.sections.images), masks: view(header.sections.masks)};
  if (header.sections.originalMasks) contents.originalMasks = view(header.sections.originalMasks);
  return contents;
}

/** Only the header, without reading the data (to tell whether a cache matches); undefined when unreadable. */
export async function readCacheHeader(file: string): Promise<CacheHeader | undefined> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const prefix = Buffer.alloc(CACHE_MAGIC.length + 4);
    await handle.read(prefix, 0, prefix.length, 0);
    if (!prefix.subarray(0, CACHE_MAGIC.length).equals(CACHE_MAGIC)) return undefined;
    const length = prefix.readUInt32LE(CACHE_MAGIC.length);
    const json = Buffer.alloc(length);
    const {bytesRead} = await handle.read(json, 0, length, prefix.length);
    if (bytesRead !== length) return undefined;
    const header = JSON.parse(json.toString('utf8')) as CacheHeader;
    const last = header.sections.originalMasks ?? header.sections.masks;
    const {size} = await handle.stat();
    return align8(prefix.length + length) + last.offset + last.bytes === size ? header : undefined;
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/** Packs a {0,1} mask into bits, row-major, most significant bit first. */
export function packBits(mask: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(mask.length / 8));
  for (let i = 0; i < mask.length; i++) if (mask[i]) out[i >> 3]! |= 0x80 >> (i & 7);
  return out;
}

export function unpackBits(bits: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = (bits[i >> 3]! >> (7 - (i & 7))) & 1;
  return out;
}
