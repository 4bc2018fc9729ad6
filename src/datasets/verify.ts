// `verify`: checks every pair (paired, decodable, image and mask the same size, mask binary or binarisable,
// checksum where known) and reports all problems with their files, one entry per file.
import {createHash} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import type {SamplePair} from './collect.js';
import {decodeImage, decodeMask, type ImageSize} from './decode.js';
import {DatasetError, firstLine, type Problem} from './errors.js';
import {defaultConcurrency, mapLimit} from './pool.js';
import {resolveDataset, type ResolvedDataset, type ResolveOptions} from './resolve.js';

export interface VerifyReport {
  dataset: string;
  registryName?: string;
  root: string;
  detectedBy: string;
  layout: string;
  /** Pairs found (whether or not their content is sound). */
  pairs: number;
  expectedPairs?: number;
  checksums: {checked: number; matched: number};
  /** Every problem, one entry per file, paths relative to root. */
  problems: Problem[];
  /** Worth knowing, not wrong (a subset of a release, say). */
  warnings: string[];
}

export interface VerifyOptions extends ResolveOptions {
  concurrency?: number;
}

interface FileCheck {
  bytes?: Uint8Array;
  problems: string[];
}

async function readChecked(dataset: ResolvedDataset, path: string, counts: {checked: number; matched: number}): Promise<FileCheck> {
  const check: FileCheck = {problems: []};
  try {
    check.bytes = await readFile(join(dataset.root, path));
  } catch (error) {
    check.problems.push(`cannot read: ${firstLine(error)}`);
    return check;
  }
  const known = dataset.checksums?.get(path);
  if (known) {
    counts.checked++;
    const actual = createHash('sha256').update(check.bytes).digest('hex');
    if (actual === known.sha256) counts.matched++;
    else check.problems.push(`sha256 differs from ${known.source} (${actual.slice(0, 12)}... instead of ${known.sha256.slice(0, 12)}...)`);
  }
  return check;
}

function problemOf(error: unknown): string {
  return error instanceof DatasetError ? error.problem : firstLine(error);
}

async function verifyPair(dataset: ResolvedDataset, pair: SamplePair, counts: {checked: number; matched: number}): Promise<Problem[]> {
  const image = await readChecked(dataset, pair.image, counts);
  const masks = await Promise.all(pair.masks.map((m) => readChecked(dataset, m, counts)));
  let imageSize: ImageSize | undefined;
  if (image.bytes) {
    try {
      imageSize = (await decodeImage(join(dataset.root, pair.image), {bytes: image.bytes})).original;
    } catch (error) {
      image.problems.unshift(problemOf(error));
    }
  }
  const readable = masks.every((m) => m.bytes);
  if (readable && (imageSize || dataset.layout.maskRule.kind !== 'xml-polygons')) {
    try {
      await decodeMask(pair.masks.map((m) => join(dataset.root, m)), dataset.layout.maskRule, {
        ...(imageSize ? {imageSize} : {}),
        bytes: masks.map((m) => m.bytes),
      });
    } catch (error) {
      // The mask decoder names the mask file it failed on.
      const file = error instanceof DatasetError ? error.file : '';
      const index = Math.max(0, pair.masks.findIndex((m) => join(dataset.root, m) === file));
      masks[index]!.problems.unshift(problemOf(error));
    }
  }
  const out: Problem[] = [];
  if (image.problems.length) out.push({file: pair.image, problem: image.problems.join('; ')});
  for (const [i, check] of masks.entries()) if (check.problems.length) out.push({file: pair.masks[i]!, problem: check.problems.join('; ')});
  return out;
}

export async function verifyResolved(dataset: ResolvedDataset, options: {concurrency?: number} = {}): Promise<VerifyReport> {
  const counts = {checked: 0, matched: 0};
  const perPair = await mapLimit(dataset.pairs, options.concurrency ?? defaultConcurrency(), (pair) => verifyPair(dataset, pair, counts));
  const problems = [...dataset.problems, ...perPair.flat()];
  const warnings: string[] = [];
  const expected = dataset.entry?.expectedPairs;
  if (expected !== undefined && dataset.pairs.length !== expected) {
    warnings.push(`${dataset.pairs.length} pairs found; the full ${dataset.entry!.title} release has ${expected}`);
  }
  if (dataset.checksums && counts.checked === 0) warnings.push('no file here has a known checksum');
  return {
    dataset: dataset.name,
    ...(dataset.entry ? {registryName: dataset.entry.name} : {}),
    root: dataset.root,
    detectedBy: dataset.detectedBy,
    layout: dataset.layout.id,
    pairs: dataset.pairs.length,
    ...(expected !== undefined ? {expectedPairs: expected} : {}),
    checksums: counts,
    problems,
    warnings,
  };
}

export async function verifyDataset(ref: string, options: VerifyOptions): Promise<VerifyReport> {
  return verifyResolved(await resolveDataset(ref, options), options);
}
