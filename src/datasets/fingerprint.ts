// A dataset's fingerprint: sha256 over what the data is (each pair's file names, sizes and content hashes, the
// mask rule and the version of how masks are decoded), independent of where it sits on disk. Run ids and cache
// keys are built on it, so a changed, added or removed file, or a change in decoding, gives a new fingerprint.
import {createHash} from 'node:crypto';
import {canonicalJson, sha256Hex} from '../io/canonical-json.js';
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import type {SamplePair} from './collect.js';
import {DatasetError, firstLine} from './errors.js';
import {MASK_DECODING_VERSION, type MaskRule} from './mask-rules.js';
import {defaultConcurrency, mapLimit} from './pool.js';

export interface FileDigest {
  path: string;
  size: number;
  sha256: string;
}

export async function digestFile(root: string, path: string): Promise<FileDigest> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(root, path));
  } catch (error) {
    throw new DatasetError(path, `cannot read: ${firstLine(error)}`);
  }
  return {path, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex')};
}

/** Digests of every file of every pair, keyed by path. */
export async function digestPairs(root: string, pairs: readonly SamplePair[]): Promise<Map<string, FileDigest>> {
  const paths = pairs.flatMap((p) => [p.image, ...p.masks]);
  const digests = await mapLimit(paths, defaultConcurrency(), (path) => digestFile(root, path));
  return new Map(digests.map((d) => [d.path, d]));
}

export function datasetFingerprint(pairs: readonly SamplePair[], digests: ReadonlyMap<string, FileDigest>, maskRule: MaskRule): string {
  const files = (path: string) => {
    const d = digests.get(path);
    if (!d) throw new DatasetError(path, 'file was not digested');
    return [d.path, d.size, d.sha256];
  };
  return sha256Hex(canonicalJson({maskRule, maskDecoding: MASK_DECODING_VERSION, pairs: pairs.map((p) => ({id: p.id, image: files(p.image), masks: p.masks.map(files)}))}));
}
