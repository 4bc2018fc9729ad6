// A dataset's fingerprint: sha256 over what the data is (each pair's file names, sizes and content hashes, the
// mask rule and the version of how masks are decoded), independent of where it sits on disk. Run ids and cache
// keys are built on it, so a changed, added or removed file, or a change in decoding, gives a new fingerprint.
// Image decoding (IMAGE_DECODING_VERSION) is part of it only for datasets with 16-bit images, the only ones whose
// pixels it changed: caches and runs made with 16-bit images divided by 256 are not reused, 8-bit ones keep theirs.
import {createHash} from 'node:crypto';
import {canonicalJson, sha256Hex} from '../io/canonical-json.js';
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import type {SamplePair} from './collect.js';
import {IMAGE_DECODING_VERSION, imageSampleBits} from './decode.js';
import {DatasetError, firstLine} from './errors.js';
import {MASK_DECODING_VERSION, type MaskRule} from './mask-rules.js';
import {defaultConcurrency, mapLimit} from './pool.js';

export interface FileDigest {
  path: string;
  size: number;
  sha256: string;
  /** 16 for an image file with 16 bits per sample (from its header); absent for 8-bit images and for masks. */
  bits?: 16;
}

/** The file's size and sha256; with `image`, also whether it holds 16 bits per sample (`bits`). */
export async function digestFile(root: string, path: string, options: {image?: boolean} = {}): Promise<FileDigest> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(root, path));
  } catch (error) {
    throw new DatasetError(path, `cannot read: ${firstLine(error)}`);
  }
  const digest: FileDigest = {path, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex')};
  if (options.image && (await imageSampleBits(bytes)) === 16) digest.bits = 16;
  return digest;
}

/** Digests of every file of every pair, keyed by path; image files say whether they are 16-bit. */
export async function digestPairs(root: string, pairs: readonly SamplePair[]): Promise<Map<string, FileDigest>> {
  const images = new Set(pairs.map((p) => p.image));
  const paths = pairs.flatMap((p) => [p.image, ...p.masks]);
  const digests = await mapLimit(paths, defaultConcurrency(), (path) => digestFile(root, path, {image: images.has(path)}));
  return new Map(digests.map((d) => [d.path, d]));
}

/** The images of the pairs that hold 16 bits per sample (by their digests), in pair order. */
export function wideImages(pairs: readonly SamplePair[], digests: ReadonlyMap<string, FileDigest>): string[] {
  return pairs.filter((p) => digests.get(p.image)?.bits === 16).map((p) => p.image);
}

export function datasetFingerprint(pairs: readonly SamplePair[], digests: ReadonlyMap<string, FileDigest>, maskRule: MaskRule): string {
  const files = (path: string) => {
    const d = digests.get(path);
    if (!d) throw new DatasetError(path, 'file was not digested');
    return [d.path, d.size, d.sha256];
  };
  const imageDecoding = wideImages(pairs, digests).length ? {imageDecoding: IMAGE_DECODING_VERSION} : {};
  return sha256Hex(canonicalJson({maskRule, maskDecoding: MASK_DECODING_VERSION, ...imageDecoding, pairs: pairs.map((p) => ({id: p.id, image: files(p.image), masks: p.masks.map(files)}))}));
}
