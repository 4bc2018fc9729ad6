// `prepare`: decode every pair once into the on-disk cache, keyed by the dataset's fingerprint, the size and the
// preprocessing version; and load it back. Any unreadable or inconsistent pair stops preparation with a one-line
// error naming the file before anything is written, so an existing cache is left as it was.
import {createHash} from 'node:crypto';
import {readdir, rm} from 'node:fs/promises';
import {join} from 'node:path';
import {performance} from 'node:perf_hooks';
import {packBits, readCacheFile, readCacheHeader, writeCacheFile, CACHE_FORMAT_VERSION, PREPARED_IMAGE_CHANNELS, type CachedSample} from './cache-file.js';
import {datasetWideMax, decodeImage, decodeMask, resizeMask} from './decode.js';
import {DatasetError} from './errors.js';
import {datasetFingerprint, digestPairs, wideImages} from './fingerprint.js';
import {canonicalJson, sha256Hex} from '../io/canonical-json.js';
import {defaultConcurrency, mapLimit} from './pool.js';
import {PreparedDataset} from './prepared-dataset.js';
import {resolveDataset, type ResolvedDataset, type ResolveOptions} from './resolve.js';

/** Bump whenever decoding, resizing or binarising changes: old caches then stop matching. 2: masks read per file
 * by their encoding (16-bit, palette, alpha), EXIF orientation applied to images and masks. */
export const PREPROCESSING_VERSION = 2;
/** Original-size masks are kept in the cache (bit-packed) up to this many bytes; beyond, they are re-decoded. */
export const ORIGINAL_MASKS_LIMIT = 256 * 1024 * 1024;
export const CACHE_FOLDER = '.cache';

export interface PrepareOptions extends ResolveOptions {
  size: number;
  concurrency?: number;
  /** Rebuild even when a valid cache exists. */
  force?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface PrepareResult {
  dataset: string;
  registryName?: string;
  detectedBy: string;
  layout: string;
  file: string;
  key: string;
  fingerprint: string;
  size: number;
  count: number;
  reused: boolean;
  originalMasksStored: boolean;
  seconds: number;
}

export function cacheFolder(dataRoot: string): string {
  return join(dataRoot, CACHE_FOLDER);
}

function cacheKey(dataset: ResolvedDataset, fingerprint: string, size: number): string {
  return sha256Hex(canonicalJson({fingerprint, size, preprocessingVersion: PREPROCESSING_VERSION, format: CACHE_FORMAT_VERSION, layout: dataset.layout.id}));
}

/** Caches of one folder at one size share a prefix, so a rebuilt cache replaces its stale predecessors. */
function cachePrefix(dataset: ResolvedDataset, size: number): string {
  const place = createHash('sha256').update(dataset.root).digest('hex').slice(0, 8);
  const safe = dataset.name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 48);
  return `${safe}-${place}-${size}px-`;
}

function validateSize(size: number): void {
  if (!Number.isInteger(size) || size < 8 || size > 4096) throw new DatasetError(String(size), 'size must be an integer from 8 to 4096 pixels');
}

function firstProblemError(dataset: ResolvedDataset): DatasetError | undefined {
  const first = dataset.problems[0];
  if (!first) return undefined;
  const more = dataset.problems.length - 1;
  return new DatasetError(first.file, `${first.problem}${more ? ` (and ${more} more problem${more === 1 ? '' : 's'}: run \`mslk datasets verify\`)` : ''}`);
}

export interface CacheLocation {
  file: string;
  key: string;
  fingerprint: string;
  /** The images with 16 bits per sample (paths relative to the root). */
  wideImages: string[];
}

export async function locateCache(dataset: ResolvedDataset, options: {dataRoot: string; size: number}): Promise<CacheLocation> {
  const digests = await digestPairs(dataset.root, dataset.pairs);
  const fingerprint = datasetFingerprint(dataset.pairs, digests, dataset.layout.maskRule);
  const key = cacheKey(dataset, fingerprint, options.size);
  return {file: join(cacheFolder(options.dataRoot), `${cachePrefix(dataset, options.size)}${key.slice(0, 16)}.mslkds`), key, fingerprint, wideImages: wideImages(dataset.pairs, digests)};
}

async function isValidCache(file: string, key: string): Promise<boolean> {
  return (await readCacheHeader(file))?.key === key;
}

export async function prepareResolved(dataset: ResolvedDataset, options: PrepareOptions): Promise<PrepareResult> {
  const started = performance.now();
  validateSize(options.size);
  const problem = firstProblemError(dataset);
  if (problem) throw problem;
  if (dataset.pairs.length === 0) throw new DatasetError(dataset.root, 'no image/mask pairs');
  const {file, key, fingerprint, wideImages: wide} = await locateCache(dataset, options);
  const result = (reused: boolean, originalMasksStored: boolean): PrepareResult => ({
    dataset: dataset.name,
    ...(dataset.entry ? {registryName: dataset.entry.name} : {}),
    detectedBy: dataset.detectedBy,
    layout: dataset.layout.id,
    file,
    key,
    fingerprint,
    size: options.size,
    count: dataset.pairs.length,
    reused,
    originalMasksStored,
    seconds: (performance.now() - started) / 1000,
  });
  if (!options.force && (await isValidCache(file, key))) {
    const header = await readCacheHeader(file);
    return result(true, header?.sections.originalMasks !== undefined);
  }
  const {size} = options;
  const count = dataset.pairs.length;
  const images = new Uint8Array(count * size * size * 3);
  const masks = new Uint8Array(count * size * size);
  const packed: Uint8Array[] = new Array(count);
  const samples: CachedSample[] = new Array(count);
  let done = 0;
  // 16-bit images without sBIT are all scaled by the dataset's maximum, found before any is decoded.
  const datasetMax = wide.length ? await datasetWideMax(wide.map((p) => join(dataset.root, p)), options.concurrency ?? defaultConcurrency()) : undefined;
  await mapLimit(dataset.pairs, options.concurrency ?? defaultConcurrency(), async (pair, i) => {
    const {original, image, orientation} = await decodeImage(join(dataset.root, pair.image), {size, ...(datasetMax !== undefined ? {datasetMax} : {})});
    const mask = await decodeMask(pair.masks.map((m) => join(dataset.root, m)), dataset.layout.maskRule, {imageSize: original});
    images.set(image.data, i * size * size * 3);
    masks.set(resizeMask(mask, size), i * size * size);
    packed[i] = packBits(mask.data);
    let foreground = 0;
    for (const v of mask.data) foreground += v;
    const sample: CachedSample = {id: pair.id, image: pair.image, masks: pair.masks, width: original.width, height: original.height, foreground: foreground / mask.data.length};
    if (mask.files) sample.maskEncodings = mask.files.map((f) => f.encoding);
    if (orientation) sample.orientation = orientation;
    if (pair.split) sample.split = pair.split;
    if (pair.group) sample.group = pair.group;
    if (pair.className) sample.className = pair.className;
    samples[i] = sample;
    options.onProgress?.(++done, count);
  });
  const packedBytes = packed.reduce((sum, p) => sum + p.length, 0);
  let originalMasks: Uint8Array | undefined;
  if (packedBytes <= ORIGINAL_MASKS_LIMIT) {
    originalMasks = new Uint8Array(packedBytes);
    let offset = 0;
    for (const [i, p] of packed.entries()) {
      samples[i]!.originalMaskOffset = offset;
      originalMasks.set(p, offset);
      offset += p.length;
    }
  }
  await writeCacheFile(
    file,
    {
      format: 'mslk-dataset-cache',
      formatVersion: CACHE_FORMAT_VERSION,
      preprocessingVersion: PREPROCESSING_VERSION,
      key,
      dataset: dataset.name,
      ...(dataset.entry ? {registryName: dataset.entry.name} : {}),
      layout: dataset.layout.id,
      maskRule: dataset.layout.maskRule,
      root: dataset.root,
      fingerprint,
      size,
      count,
      channels: PREPARED_IMAGE_CHANNELS,
      createdAt: new Date().toISOString(),
      ...(wide.length ? {wideImages: {count: wide.length, ...(datasetMax !== undefined ? {datasetMax} : {})}} : {}),
      samples,
    },
    originalMasks ? {images, masks, originalMasks} : {images, masks},
  );
  await removeStaleCaches(file, cachePrefix(dataset, size), options.dataRoot);
  return result(false, originalMasks !== undefined);
}

async function removeStaleCaches(keep: string, prefix: string, dataRoot: string): Promise<void> {
  const folder = cacheFolder(dataRoot);
  for (const name of await readdir(folder).catch(() => [] as string[])) {
    const path = join(folder, name);
    if (name.startsWith(prefix) && name.endsWith('.mslkds') && path !== keep) await rm(path, {force: true});
  }
}

export async function prepareDataset(ref: string, options: PrepareOptions): Promise<PrepareResult> {
  return prepareResolved(await resolveDataset(ref, options), options);
}

export interface LoadOptions extends PrepareOptions {
  /** Build the cache when it is missing or stale (default true). */
  prepareIfMissing?: boolean;
  /** Check the CRC of the cached data (default true). */
  checkCrc?: boolean;
}

/** The dataset's prepared arrays, from the cache (building it first if needed and allowed). */
export async function loadPreparedDataset(ref: string, options: LoadOptions): Promise<PreparedDataset> {
  const dataset = await resolveDataset(ref, options);
  const problem = firstProblemError(dataset);
  if (problem) throw problem;
  const location = await locateCache(dataset, options);
  if (!(await isValidCache(location.file, location.key))) {
    if (options.prepareIfMissing === false) throw new DatasetError(location.file, 'no prepared cache for this dataset and size: run `mslk datasets prepare`');
    await prepareResolved(dataset, options);
  }
  return openPreparedFile(location.file, options);
}

export async function openPreparedFile(file: string, options: {checkCrc?: boolean} = {}): Promise<PreparedDataset> {
  return new PreparedDataset(await readCacheFile(file, options), file);
}
