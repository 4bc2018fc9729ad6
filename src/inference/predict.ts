// `mslk predict`: a run's model on new images. For each image: the binary mask at the image's original size
// (PNG, 0/255) and an overlay (the image with the prediction's contour in red and, when a ground truth is given,
// its contour in green), written as <out>/<stem>_mask.png and <out>/<stem>_overlay.png.
import {mkdir, readFile, readdir, stat} from 'node:fs/promises';
import {basename, extname, join, resolve} from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import {decodeImage, decodeMask} from '../datasets/decode.js';
import {IMAGE_EXTENSIONS} from '../datasets/layout.js';
import {THRESHOLD_128} from '../datasets/mask-rules.js';
import {isJunk} from '../datasets/walk.js';
import {binarize, maskBoundary, resizeBilinear} from '../evaluation/index.js';
import {inferenceModel} from './inference-model.js';
import {openRun} from '../runs/open-run.js';


/** What predictImages segments, with which run, and where it writes. */
export interface PredictOptions {
  /** The run: its directory, `<parent>/<run id>`, or a bare run id found in `runs` (see locateRun). */
  dir: string;
  /** Parent folder of run directories, for a bare run id (default `runs`). */
  runs?: string;
  /** An image file or a folder of images (png, jpg, tif, bmp, gif, webp; not recursive). */
  input: string;
  /** Output folder, created when missing; existing files of the same names are replaced. */
  out: string;
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
}

/**
 * The image files to predict: `input` itself when it is a file, else the images directly in the folder, sorted,
 * skipping the junk files the dataset readers skip (`._case0.png` from macOS, Thumbs.db, hidden files).
 * Throws when the input does not exist or holds no image.
 */
export async function listImages(input: string): Promise<string[]> {
  const info = await stat(input).catch(() => undefined);
  if (!info) throw new Error(`${input}: no such file or folder`);
  if (info.isFile()) return [resolve(input)];
  const names = (await readdir(input)).filter((n) => !isJunk(n) && IMAGE_EXTENSIONS.includes(extname(n).toLowerCase())).sort();
  if (names.length === 0) throw new Error(`${input}: no images (looked for ${IMAGE_EXTENSIONS.join(' ')})`);
  return names.map((n) => resolve(input, n));
}

async function groundTruthFor(image: string, groundTruth: string | undefined, single: boolean): Promise<string | undefined> {
  if (!groundTruth) return undefined;
  if (single) return groundTruth;
  const stem = basename(image, extname(image));
  const names = (await readdir(groundTruth)).filter((n) => !isJunk(n));
  return names.map((n) => join(groundTruth, n)).find((p) => {
    const s = basename(p, extname(p));
    return s === stem || s === `${stem}_mask`;
  });
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
 * an Error naming the path when the input has no images. Disposes every tensor and model it makes.
 */
export async function predictImages(o: PredictOptions): Promise<PredictedImage[]> {
  const opened = await openRun(o.dir, o.checkpoint, o.runs);
  const model = inferenceModel(opened.model, opened.config);
  const size = opened.config.data.size;
  const threshold = opened.config.eval.threshold;
  try {
    const images = await listImages(o.input);
    await mkdir(o.out, {recursive: true});
    const results: PredictedImage[] = [];
    for (const file of images) {
      // One read: the bytes serve both the model's input size and the full-size overlay.
      const bytes = new Uint8Array(await readFile(file));
      const {original, image} = await decodeImage(file, {size, bytes});
      const probabilities = tf.tidy(() => {
        const x = tf.tensor4d(Float32Array.from(image.data, (v) => v / 255), [1, size, size, 3]);
        return tf.sigmoid(model.apply(x, {training: false}) as tf.Tensor4D);
      });
      const atSize = probabilities.dataSync() as Float32Array;
      probabilities.dispose();
      const shape = {height: original.height, width: original.width};
      const mask = binarize(resizeBilinear(atSize, {height: size, width: size}, shape), threshold);
      const stem = basename(file, extname(file));
      const maskFile = join(o.out, `${stem}_mask.png`);
      await sharp(Buffer.from(mask.map((v) => v * 255)), {raw: {width: shape.width, height: shape.height, channels: 1}}).png().toFile(maskFile);
      const full = (await decodeImage(file, {bytes})).image;
      const overlay = new Uint8Array(full.data);
      const truthFile = await groundTruthFor(file, o.groundTruth, images.length === 1);
      if (truthFile) {
        const truth = await decodeMask([truthFile], THRESHOLD_128, {imageSize: original});
        paint(overlay, maskBoundary(truth.data, shape), [0, 200, 0]);
      }
      paint(overlay, maskBoundary(mask, shape), [230, 20, 20]);
      const overlayFile = join(o.out, `${stem}_overlay.png`);
      await sharp(Buffer.from(overlay), {raw: {width: shape.width, height: shape.height, channels: 3}}).png().toFile(overlayFile);
      results.push({image: file, mask: maskFile, overlay: overlayFile, width: shape.width, height: shape.height,
        foreground: mask.reduce((a, b) => a + b, 0) / mask.length});
    }
    return results;
  } finally {
    if (model !== opened.model) model.dispose();
    opened.model.dispose();
  }
}
