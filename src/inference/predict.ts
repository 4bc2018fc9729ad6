// `mslk predict`: a run's model on new images. For each image: the binary mask at the image's original size
// (PNG, 0/255) and an overlay (the image with the prediction's contour in red and, when a ground truth is given,
// its contour in green), written as <out>/<stem>_mask.png and <out>/<stem>_overlay.png. The folder records which
// run (and checkpoint) wrote it (PREDICTIONS_MARKER), so that predictions of one run are never silently replaced by
// another's.
import {readFile, readdir, stat} from 'node:fs/promises';
import {basename, extname, join, resolve} from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import {datasetWideMax, decodeImage, decodeMask} from '../datasets/decode.js';
import {IMAGE_EXTENSIONS} from '../datasets/layout.js';
import {THRESHOLD_128} from '../datasets/mask-rules.js';
import {isJunk} from '../datasets/walk.js';
import {binarize, maskBoundary, resizeBilinear} from '../evaluation/index.js';
import {inferenceModel} from './inference-model.js';
import {openRun} from '../runs/open-run.js';
import {ensureOutputDir} from '../io/output-dir.js';
import {writeFileAtomic} from '../io/atomic-write.js';

/** What predictImages segments, with which run, and where it writes. */
export interface PredictOptions {
  /** The run: its directory, `<parent>/<run id>`, or a bare run id found in `runs` (see locateRun). */
  dir: string;
  /** Parent folder of run directories, for a bare run id (default `runs`). */
  runs?: string;
  /** An image file or a folder of images (png, jpg, tif, bmp, gif, webp; not recursive). */
  input: string;
  /**
   * Output folder, created when missing. Refused when it holds another run's predictions (or the files it would
   * write, from elsewhere), unless `force`; predictions of the same run and checkpoint are replaced.
   */
  out: string;
  /** Replace another run's predictions (or other files of the same names) in `out`. */
  force?: boolean;
  /** A mask file (for a single input) or a folder of masks named like the images (same stem, optional _mask). */
  groundTruth?: string;
  checkpoint: 'last' | 'best';
}

/** One predicted image: its path, the two files written, its original size in pixels. */
export interface PredictedImage {
  image: string;
  mask: string;
  overlay: string;
  width: number;
  height: number;
  /** Fraction of the image's pixels predicted foreground, in [0, 1]. */
  foreground: number;
  /** The ground-truth mask drawn in green, when --ground-truth had one for this image. */
  groundTruth?: string;
}

/** A predict input the command line got wrong (an --input or --ground-truth that is missing or matches nothing): exits 2. */
export class PredictUsageError extends Error {
  /** The usage exit code (src/cli/base-command.ts USAGE_EXIT_CODE), read by the base command. */
  readonly exitCode = 2;
}

/**
 * The image files to predict: `input` itself when it is a file, else the images directly in the folder, sorted,
 * skipping the junk files the dataset readers skip (`._case0.png` from macOS, Thumbs.db, hidden files).
 * Throws PredictUsageError (naming --input, exit 2) when the input does not exist or holds no image.
 */
export async function listImages(input: string): Promise<string[]> {
  const info = await stat(input).catch(() => undefined);
  if (!info) throw new PredictUsageError(`--input ${input}: no such file or folder; pass an image or a folder of images`);
  if (info.isFile()) return [resolve(input)];
  const names = (await readdir(input)).filter((n) => !isJunk(n) && IMAGE_EXTENSIONS.includes(extname(n).toLowerCase())).sort();
  if (names.length === 0) throw new PredictUsageError(`--input ${input}: no images (looked for ${IMAGE_EXTENSIONS.join(' ')}); pass an image or a folder of images`);
  return names.map((n) => resolve(input, n));
}

/** Mask stems that go with an image: `case0` takes `case0.*` or `case0_mask.*`. */
function masksOf(image: string, names: readonly string[]): string | undefined {
  // NFC on both sides: a mask saved on a Mac has its name decomposed (NFD), the image may not.
  const stem = basename(image, extname(image)).normalize('NFC');
  return names.find((n) => {
    const s = basename(n, extname(n)).normalize('NFC');
    return s === stem || s === `${stem}_mask`;
  });
}

/**
 * The ground-truth mask of each image that has one: `groundTruth` is a mask file (one input image) or a folder of
 * masks named like the images (same stem, optional `_mask`). Checked before any prediction is made. Throws
 * PredictUsageError (one line naming --ground-truth and the fix) when the path does not exist, is a file while the
 * input holds several images, or matches none of the images; a folder that matches some of them is accepted (the
 * caller says how many).
 */
export async function matchGroundTruth(groundTruth: string, images: readonly string[]): Promise<Map<string, string>> {
  const flag = `--ground-truth ${groundTruth}`;
  const info = await stat(groundTruth).catch(() => undefined);
  if (!info) throw new PredictUsageError(`${flag}: no such file or folder; pass the mask file, or the folder of masks named like the images`);
  if (info.isFile()) {
    if (images.length === 1) return new Map([[images[0]!, groundTruth]]);
    throw new PredictUsageError(`${flag}: is a file, but --input holds ${images.length} images; pass a folder of masks named like the images (case0.png -> case0.png or case0_mask.png)`);
  }
  if (!info.isDirectory()) throw new PredictUsageError(`${flag}: is neither a file nor a folder; pass a mask file or a folder of masks`);
  const names = (await readdir(groundTruth)).filter((n) => !isJunk(n)).sort();
  const matched = new Map<string, string>();
  for (const image of images) {
    const name = masksOf(image, names);
    if (name !== undefined) matched.set(image, join(groundTruth, name));
  }
  if (matched.size === 0) {
    const example = basename(images[0]!, extname(images[0]!));
    const found = names.length === 0 ? 'it is empty' : `it holds ${names.length} files (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''})`;
    throw new PredictUsageError(`${flag}: no mask there matches any of the ${images.length} input images (${found}): name each mask like its image (${example}.png or ${example}_mask.png)${images.length === 1 ? ', or pass the mask file itself' : ''}`);
  }
  return matched;
}

/** The file in a predict output folder that names the run whose predictions the folder holds. */
export const PREDICTIONS_MARKER = '.mslk-predictions.json';

/** What PREDICTIONS_MARKER holds (JSON). */
export interface PredictionsMarker {
  formatVersion: 1;
  runId: string;
  /** The run directory, absolute. */
  run: string;
  checkpoint: 'last' | 'best';
}

/**
 * Takes `out` for the predictions of `mine`: refuses (PredictUsageError, one line naming --out and both fixes) when
 * it holds another run's (or checkpoint's) predictions, or, without a marker, any of the files `names` would
 * replace; unless `force`. Then records `mine` in the marker (before any prediction is written, so a folder cut
 * short by a kill still says whose it is).
 */
async function claimOutputFolder(out: string, mine: PredictionsMarker, names: readonly string[], force: boolean): Promise<void> {
  const flag = `--out ${out}`;
  const fix = 'pass another --out, or --force to replace them';
  const marker = join(out, PREDICTIONS_MARKER);
  const text = await readFile(marker, 'utf8').catch(() => undefined);
  let theirs: Partial<PredictionsMarker> | undefined;
  try {
    theirs = text === undefined ? undefined : JSON.parse(text) as Partial<PredictionsMarker>;
  } catch {
    theirs = {};
  }
  if (!force && theirs !== undefined && (theirs.runId !== mine.runId || theirs.checkpoint !== mine.checkpoint)) {
    const whose = typeof theirs.runId === 'string' ? `run ${theirs.runId} (${theirs.run ?? '?'}, checkpoint ${theirs.checkpoint ?? '?'})` : 'a run it cannot name (its marker is damaged)';
    throw new PredictUsageError(`${flag}: holds the predictions of ${whose}; run ${mine.runId} (checkpoint ${mine.checkpoint}) would overwrite them: ${fix}`);
  }
  if (!force && theirs === undefined) {
    const present = new Set(await readdir(out).catch(() => []));
    const clashing = names.filter((n) => present.has(n));
    if (clashing.length > 0) {
      throw new PredictUsageError(`${flag}: already holds ${clashing[0]}${clashing.length > 1 ? ` and ${clashing.length - 1} more of the files predict writes` : ', a file predict writes'}, not written by mslk predict: ${fix}`);
    }
  }
  await writeFileAtomic(marker, JSON.stringify(mine, null, 2) + '\n');
}

function paint(rgb: Uint8Array, contour: Uint8Array, colour: [number, number, number]): void {
  for (let i = 0; i < contour.length; i++) {
    if (contour[i] === 0) continue;
    rgb[i * 3] = colour[0];
    rgb[i * 3 + 1] = colour[1];
    rgb[i * 3 + 2] = colour[2];
  }
}

/**
 * Segments each input image with the run's model at `checkpoint`: the image (RGB) is resized to the run's
 * data.size, the model's sigmoid output [1, size, size, 1] is resized back bilinearly to the image's original size
 * and thresholded at the run's eval.threshold, as evaluation does. Writes `<stem>_mask.png` (0/255, original size)
 * and `<stem>_overlay.png` per image, in name order. Throws RunNotFoundError when the run or checkpoint is missing,
 * an Error naming the path when the input has no images, PredictUsageError when --ground-truth is missing or matches
 * no image (see matchGroundTruth). Disposes every tensor and model it makes.
 */
export async function predictImages(o: PredictOptions): Promise<PredictedImage[]> {
  // The inputs are checked before the run is opened: a typo costs no model build.
  const images = await listImages(o.input);
  const truths = o.groundTruth === undefined ? new Map<string, string>() : await matchGroundTruth(o.groundTruth, images);
  const opened = await openRun(o.dir, o.checkpoint, o.runs);
  const model = inferenceModel(opened.model, opened.config);
  const size = opened.config.data.size;
  const threshold = opened.config.eval.threshold;
  try {
    await ensureOutputDir(o.out);
    const names = images.flatMap((file) => [`${basename(file, extname(file))}_mask.png`, `${basename(file, extname(file))}_overlay.png`]);
    await claimOutputFolder(o.out, {formatVersion: 1, runId: opened.runId, run: resolve(opened.run.path), checkpoint: o.checkpoint}, names, o.force ?? false);
    // 16-bit inputs are scaled by the rule a prepared dataset follows (decode.ts wideFullScale): sBIT, else the
    // largest sample over the inputs, never divided by 256.
    const datasetMax = await datasetWideMax(images);
    const scale = datasetMax !== undefined ? {datasetMax} : {};
    const results: PredictedImage[] = [];
    for (const file of images) {
      // One read: the bytes serve both the model's input size and the full-size overlay.
      const bytes = new Uint8Array(await readFile(file));
      const {original, image} = await decodeImage(file, {size, bytes, ...scale});
      const probabilities = tf.tidy(() => {
        const x = tf.tensor4d(Float32Array.from(image.data, (v) => v / 255), [1, size, size, 3]);
        return tf.sigmoid(model.apply(x, {training: false}) as tf.Tensor4D);
      });
      const atSize = await probabilities.data() as Float32Array;
      probabilities.dispose();
      const shape = {height: original.height, width: original.width};
      const mask = binarize(resizeBilinear(atSize, {height: size, width: size}, shape), threshold);
      const stem = basename(file, extname(file));
      const maskFile = join(o.out, `${stem}_mask.png`);
      await sharp(Buffer.from(mask.map((v) => v * 255)), {raw: {width: shape.width, height: shape.height, channels: 1}}).png().toFile(maskFile);
      const full = (await decodeImage(file, {bytes, ...scale})).image;
      const overlay = new Uint8Array(full.data);
      const truthFile = truths.get(file);
      if (truthFile) {
        const truth = await decodeMask([truthFile], THRESHOLD_128, {imageSize: original});
        paint(overlay, maskBoundary(truth.data, shape), [0, 200, 0]);
      }
      paint(overlay, maskBoundary(mask, shape), [230, 20, 20]);
      const overlayFile = join(o.out, `${stem}_overlay.png`);
      await sharp(Buffer.from(overlay), {raw: {width: shape.width, height: shape.height, channels: 3}}).png().toFile(overlayFile);
      results.push({image: file, mask: maskFile, overlay: overlayFile, width: shape.width, height: shape.height,
        foreground: mask.reduce((a, b) => a + b, 0) / mask.length, ...(truthFile ? {groundTruth: truthFile} : {})});
    }
    return results;
  } finally {
    if (model !== opened.model) model.dispose();
    opened.model.dispose();
  }
}
