// `verify`: checks every pair (paired, decodable, image and mask the same size, mask binary or binarisable,
// checksum where known) and reports all problems with their files, one entry per file; says how each mask file was
// read and which files were turned by their EXIF orientation, the images' bit depth and (16-bit) value range and
// scaling, and warns about degenerate samples.
import {createHash} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import type {SamplePair} from './collect.js';
import {decodeImage, decodeMask, usesDatasetMax, type ImageSize, type MaskFileReading, type WideImageDepth} from './decode.js';
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
  /** Worth knowing, not wrong (a subset of a release, a degenerate sample, say). */
  warnings: string[];
  /** Mask files per way they were read ("8-bit grey 0/255": 790, "8-bit grey 0/1": 10, ...), most common first. */
  maskEncodings: Record<string, number>;
  /** Files turned by their EXIF orientation (2-8) before use, as image viewers and annotation tools show them. */
  reoriented: {images: number; masks: number};
  /** Bits per sample of the images, and how 16-bit ones become 8-bit (decode.ts wideFullScale). */
  imageDepth: ImageDepthSummary;
  /** Every pair whose image and masks decoded, in dataset order. */
  samples: VerifiedSample[];
}

/** The images' bit depths, and over the 16-bit ones their range and how they map to 8 bits. */
export interface ImageDepthSummary {
  /** Decoded images per bits per sample: {"8-bit": 990, "16-bit": 10}. */
  bits: Record<string, number>;
  /** Absent when no image is 16-bit. */
  wide?: {
    /** Smallest and largest colour sample over the 16-bit images (0..65535). */
    min: number;
    max: number;
    /** Images scaled by their PNG sBIT chunk. */
    bySbit: number;
    /** Images without sBIT, scaled by the dataset maximum. */
    byDatasetMax: number;
    /** The largest sample over the images without sBIT: the value that becomes 255 for them. */
    datasetMax?: number;
  };
}

/** One decoded pair: its displayed size and how many mask pixels are foreground. */
export interface VerifiedSample {
  id: string;
  /** Path relative to the dataset root. */
  image: string;
  /** Displayed size (after EXIF orientation) in pixels. */
  width: number;
  height: number;
  /** Foreground pixels of the united mask at the original size. */
  foreground: number;
  /** EXIF orientation applied to the image (absent for none). */
  orientation?: number;
  /** Bits per sample of the image file (8 for everything that is not 16-bit). */
  bits: 8 | 16;
  /** A 16-bit image's value range and sBIT (absent for 8-bit images). */
  wide?: Omit<WideImageDepth, 'bits'>;
  /** How each mask file was read (paths relative to the root); absent for polygon masks. */
  masks?: Array<{
    file: string;
    encoding: string;
    /** Foreground pixels of this file alone. */
    foreground: number;
    orientation?: number;
    /** Read as empty although its values go up to this (a dim mask under threshold 128); absent otherwise. */
    emptyDespiteValuesUpTo?: number;
  }>;
}

export interface VerifyOptions extends ResolveOptions {
  concurrency?: number;
  /** The size the data will be prepared at (pixels), for the "image far smaller than the training size" warning. */
  size?: number;
}

/** Below this side (pixels) an image is reported as degenerate when no training size is given. */
export const TINY_IMAGE_SIDE = 16;

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

async function verifyPair(
  dataset: ResolvedDataset,
  pair: SamplePair,
  counts: {checked: number; matched: number},
): Promise<{problems: Problem[]; sample?: VerifiedSample}> {
  const image = await readChecked(dataset, pair.image, counts);
  const masks = await Promise.all(pair.masks.map((m) => readChecked(dataset, m, counts)));
  let imageSize: ImageSize | undefined;
  let imageOrientation: number | undefined;
  let wide: WideImageDepth | undefined;
  if (image.bytes) {
    try {
      const decoded = await decodeImage(join(dataset.root, pair.image), {bytes: image.bytes});
      imageSize = decoded.original;
      imageOrientation = decoded.orientation;
      if (decoded.wide) wide = {bits: 16, min: decoded.wide.min, max: decoded.wide.max, ...(decoded.wide.significantBits !== undefined ? {significantBits: decoded.wide.significantBits} : {})};
    } catch (error) {
      image.problems.unshift(problemOf(error));
    }
  }
  let sample: VerifiedSample | undefined;
  const readable = masks.every((m) => m.bytes);
  if (readable && (imageSize || dataset.layout.maskRule.kind !== 'xml-polygons')) {
    try {
      const mask = await decodeMask(pair.masks.map((m) => join(dataset.root, m)), dataset.layout.maskRule, {
        ...(imageSize ? {imageSize} : {}),
        bytes: masks.map((m) => m.bytes),
      });
      if (imageSize) {
        let foreground = 0;
        for (const v of mask.data) foreground += v;
        sample = {id: pair.id, image: pair.image, width: imageSize.width, height: imageSize.height, foreground, bits: wide ? 16 : 8};
        if (wide) sample.wide = {min: wide.min, max: wide.max, ...(wide.significantBits !== undefined ? {significantBits: wide.significantBits} : {})};
        if (imageOrientation) sample.orientation = imageOrientation;
        if (mask.files) sample.masks = mask.files.map((reading, i) => maskSummary(pair.masks[i]!, reading));
      }
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
  return sample && out.length === 0 ? {problems: out, sample} : {problems: out};
}

function maskSummary(file: string, reading: MaskFileReading): NonNullable<VerifiedSample['masks']>[number] {
  const summary: NonNullable<VerifiedSample['masks']>[number] = {file, encoding: reading.encoding, foreground: reading.foreground};
  if (reading.orientation) summary.orientation = reading.orientation;
  if (reading.foreground === 0 && reading.maxBackgroundValue > 0) summary.emptyDespiteValuesUpTo = reading.maxBackgroundValue;
  return summary;
}

/**
 * The checksum part of verify's summary: "checksums: 12 of 12 known files match", or, for a dataset whose files
 * have no published checksums (any plain folder), "checksums: none known for these files".
 */
export function checksumWords(checksums: {checked: number; matched: number}): string {
  return checksums.checked === 0 ? 'checksums: none known for these files' : `checksums: ${checksums.matched} of ${checksums.checked} known files match`;
}

/** The images' depths over the decoded samples (see ImageDepthSummary). */
export function summarizeImageDepth(samples: readonly VerifiedSample[]): ImageDepthSummary {
  const bits: Record<string, number> = {};
  let wide: ImageDepthSummary['wide'];
  for (const s of samples) {
    bits[`${s.bits}-bit`] = (bits[`${s.bits}-bit`] ?? 0) + 1;
    if (!s.wide) continue;
    wide ??= {min: s.wide.min, max: s.wide.max, bySbit: 0, byDatasetMax: 0};
    wide.min = Math.min(wide.min, s.wide.min);
    wide.max = Math.max(wide.max, s.wide.max);
    if (usesDatasetMax({bits: 16, ...s.wide})) {
      wide.byDatasetMax++;
      wide.datasetMax = Math.max(wide.datasetMax ?? 0, s.wide.max);
    } else {
      wide.bySbit++;
    }
  }
  return wide ? {bits, wide} : {bits};
}

/**
 * The image part of verify's summary: "images: 8-bit: 12", or for 16-bit images their range and scaling, e.g.
 * "images: 16-bit: 12, values 0..4095; 12 without an sBIT chunk scaled to 8 bits by the dataset maximum 4095".
 */
export function imageDepthWords(depth: ImageDepthSummary): string {
  const counts = Object.entries(depth.bits).sort((a, b) => a[0].localeCompare(b[0], 'en', {numeric: true})).map(([b, n]) => `${b}: ${n}`);
  const head = `images: ${counts.length ? counts.join(', ') : 'none decoded'}`;
  const w = depth.wide;
  if (!w) return head;
  const how: string[] = [];
  if (w.bySbit) how.push(`${w.bySbit} scaled to 8 bits by their PNG sBIT chunk (significant bits)`);
  if (w.byDatasetMax) how.push(`${w.byDatasetMax} without an sBIT chunk scaled to 8 bits by the dataset maximum ${w.datasetMax}`);
  return `${head}, values ${w.min}..${w.max}; ${how.join('; ')}`;
}

/** "3 masks are all foreground: a, b, c" with at most five names. */
function listed(what: string, files: readonly string[]): string {
  const shown = files.slice(0, 5).join(', ');
  return `${files.length} ${what}: ${shown}${files.length > 5 ? ` (and ${files.length - 5} more)` : ''}`;
}

/** Warnings about samples that decode but cannot be what the author meant, or teach nothing. */
function degenerateWarnings(samples: readonly VerifiedSample[], size: number | undefined): string[] {
  const warnings: string[] = [];
  // A warning about masks names the mask files (all of an image's, united), the image only for polygon masks.
  const maskFiles = (s: VerifiedSample): string => s.masks?.length ? s.masks.map((m) => m.file).join(' + ') : `${s.image} (polygons)`;
  const allForeground = samples.filter((s) => s.foreground === s.width * s.height).map(maskFiles);
  if (allForeground.length) warnings.push(listed(`mask${allForeground.length === 1 ? ' is' : 's are'} all foreground`, allForeground));
  const onePixel = samples.filter((s) => s.foreground === 1).map(maskFiles);
  if (onePixel.length) warnings.push(listed(`mask${onePixel.length === 1 ? ' has' : 's have'} a single foreground pixel`, onePixel));
  const smallest = size ? size / 4 : TINY_IMAGE_SIDE;
  const tiny = samples.filter((s) => Math.min(s.width, s.height) < smallest).map((s) => `${s.image} (${s.width}x${s.height})`);
  if (tiny.length) {
    const why = size ? `less than a quarter of the training size ${size} px` : `under ${TINY_IMAGE_SIDE} px`;
    warnings.push(listed(`image${tiny.length === 1 ? ' is' : 's are'} far smaller than training needs (${why})`, tiny));
  }
  const dim: string[] = [];
  for (const s of samples) for (const m of s.masks ?? []) if (m.emptyDespiteValuesUpTo) dim.push(`${m.file} (values up to ${m.emptyDespiteValuesUpTo})`);
  if (dim.length) warnings.push(listed(`mask${dim.length === 1 ? ' reads' : 's read'} as empty although not all 0 (threshold 128)`, dim));
  return warnings;
}

/**
 * Checks every pair of a resolved dataset and reports problems (per file), how masks were read, EXIF re-orientation
 * and degenerate samples. Never throws for bad data: everything wrong is in the report.
 */
export async function verifyResolved(dataset: ResolvedDataset, options: {concurrency?: number; size?: number} = {}): Promise<VerifyReport> {
  const counts = {checked: 0, matched: 0};
  const perPair = await mapLimit(dataset.pairs, options.concurrency ?? defaultConcurrency(), (pair) => verifyPair(dataset, pair, counts));
  const problems = [...dataset.problems, ...perPair.flatMap((p) => p.problems)];
  const samples = perPair.flatMap((p) => (p.sample ? [p.sample] : []));
  const warnings: string[] = [];
  const expected = dataset.entry?.expectedPairs;
  if (expected !== undefined && dataset.pairs.length !== expected) {
    warnings.push(`${dataset.pairs.length} pairs found; the full ${dataset.entry!.title} release has ${expected}`);
  }
  if (dataset.checksums && counts.checked === 0) warnings.push('no file here has a known checksum');
  const encodings = new Map<string, number>();
  const reoriented = {images: 0, masks: 0};
  for (const sample of samples) {
    if (sample.orientation) reoriented.images++;
    for (const mask of sample.masks ?? []) {
      encodings.set(mask.encoding, (encodings.get(mask.encoding) ?? 0) + 1);
      if (mask.orientation) reoriented.masks++;
    }
  }
  warnings.push(...degenerateWarnings(samples, options.size));
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
    maskEncodings: Object.fromEntries([...encodings].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))),
    reoriented,
    imageDepth: summarizeImageDepth(samples),
    samples,
  };
}

export async function verifyDataset(ref: string, options: VerifyOptions): Promise<VerifyReport> {
  return verifyResolved(await resolveDataset(ref, options), options);
}
