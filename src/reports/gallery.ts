// The prediction gallery (like Fig. 4 of the MS-LKSeg paper): a few test images picked by a stated rule, shown as
// image | ground truth | each variant's prediction, contours over the image. Predictions are made again from each
// run's checkpoint by the project's own inference code (openRun + inferenceModel), at the run's prepared size, so
// what is shown is exactly what the evaluated model outputs before it is resized back for the metrics.
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import {maskBoundary} from '../evaluation/boundary.js';
import {inferenceModel} from '../inference/inference-model.js';
import {parseRunConfig} from '../runs/config.js';
import {openRun, runData} from '../runs/open-run.js';
import {RunDir} from '../runs/run-dir.js';
import {imageMeans} from './chart-data.js';
import {GALLERY_COLOURS, type GalleryCell, type GalleryRow, type GalleryRule} from './gallery-rows.js';
import type {ReportModel, RunRow} from './model.js';

export {GALLERY_COLOURS, GALLERY_LEGEND, type GalleryCell, type GalleryRow, type GalleryRule} from './gallery-rows.js';

/** Options of buildGallery. */
export interface GalleryOptions {
  dataRoot?: string;
  /** Nearest-neighbour upscaling of each picture (default: to at least 192 px). */
  minimumPixels?: number;
  /** Why a variant is left out of the gallery (its run's checkpoint is gone), one line each. */
  onWarning?: (message: string) => void;
}

/**
 * Gallery rows of every dataset's own test split: for the reference variant's worst, median and best image (distinct
 * images; fewer when the test split is smaller), the image, its ground truth and each variant's prediction from the
 * done run of its lowest seed (fold 0 / no fold). Returns [] when the model has no reference or no per-image rows. A
 * variant whose run cannot be opened (its checkpoint was deleted) is left out with a warning. Disposes every model
 * it builds.
 */
export async function buildGallery(model: ReportModel, o: GalleryOptions = {}): Promise<GalleryRow[]> {
  if (model.reference === null) return [];
  const rows: GalleryRow[] = [];
  const datasets = [...new Set(model.summary.map((s) => s.dataset))];
  for (const dataset of datasets) {
    // With k-fold runs each image is a test image of one fold only: the gallery shows the lowest fold's test images,
    // predicted by each variant's run of that fold.
    const reference = representativeRun(model.runs, dataset, model.reference, null);
    const fold = reference?.fold ?? null;
    const picks = pickImages(model, dataset, fold);
    if (picks.length === 0) continue;
    const variants = [...new Set(model.summary.filter((s) => s.dataset === dataset && s.testSet === 'test').map((s) => s.variant))];
    const cells = new Map<string, GalleryCell[]>(picks.map((p) => [p.image, []]));
    let first = true;
    for (const variant of variants) {
      const run = representativeRun(model.runs, dataset, variant, fold);
      if (run === undefined) continue;
      let pictures: Map<string, GalleryCell[]>;
      try {
        pictures = await predictedPictures(run, picks.map((p) => p.image), first, o);
      } catch (error) {
        // A deleted checkpoint, a dataset no longer on this machine, a damaged file: the gallery is an illustration,
        // the report's numbers do not depend on it.
        o.onWarning?.(`gallery: ${variant} on ${dataset} left out: ${(error as Error).message.split('\n')[0]}`);
        continue;
      }
      first = false;
      for (const pick of picks) cells.get(pick.image)!.push(...(pictures.get(pick.image) ?? []));
    }
    for (const pick of picks) rows.push({dataset, image: pick.image, rule: pick.rule, referenceDice: pick.dice, cells: cells.get(pick.image)!});
  }
  return rows;
}

/**
 * The reference's worst, median and best test images of `dataset` (mean Dice over seeds; ties broken by image id),
 * among the test images of `fold` (null: the dataset's own split).
 */
export function pickImages(model: Pick<ReportModel, 'reference' | 'perImage'>, dataset: string, fold: number | null = null): Array<{image: string; rule: GalleryRule; dice: number}> {
  if (model.reference === null) return [];
  const ranked = imageMeans(model.perImage.filter((row) => row.fold === fold), model.reference, dataset, 'test')
    .sort((a, b) => a.dice - b.dice || (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));
  if (ranked.length === 0) return [];
  const chosen: Array<{image: string; rule: GalleryRule; dice: number}> = [];
  const positions: Array<[GalleryRule, number]> = [['worst', 0], ['median', Math.floor((ranked.length - 1) / 2)], ['best', ranked.length - 1]];
  for (const [rule, at] of positions) {
    const pick = ranked[at]!;
    if (!chosen.some((c) => c.image === pick.image)) chosen.push({...pick, rule});
  }
  return chosen;
}

/**
 * The done run of a variant on a dataset with the lowest fold, then the lowest seed; with `fold` given (not
 * null), a run of that fold only. Undefined when there is none.
 */
function representativeRun(runs: readonly RunRow[], dataset: string, variant: string | null, fold: number | null): RunRow | undefined {
  return runs.filter((r) => r.dataset === dataset && r.variant === variant && r.state === 'done' && r.dir !== '' && (fold === null || r.fold === fold))
    .sort((a, b) => (a.fold ?? -1) - (b.fold ?? -1) || a.seed - b.seed)[0];
}

/** The variant's prediction cell per image (plus the image and ground-truth cells when `withInputs`). */
async function predictedPictures(run: RunRow, images: readonly string[], withInputs: boolean, o: GalleryOptions): Promise<Map<string, GalleryCell[]>> {
  // The checkpoint the run's metrics were computed from (its eval.checkpoint).
  const {eval: evaluation} = parseRunConfig(await new RunDir(run.dir).readJson<unknown>('config'));
  const current = await openRun(run.dir, evaluation.checkpoint);
  const model = inferenceModel(current.model, current.config);
  const out = new Map<string, GalleryCell[]>();
  try {
    const {dataset} = await runData(current, o.dataRoot);
    const size = dataset.size;
    const scale = Math.max(1, Math.ceil((o.minimumPixels ?? 192) / size));
    for (const image of images) {
      const [index] = dataset.indicesOf([image]);
      if (index === undefined) continue;
      const probability = tf.tidy(() => {
        const x = tf.tensor4d(dataset.imagesFloat32([index]), [1, size, size, 3]);
        return tf.sigmoid(model.apply(x, {training: false}) as tf.Tensor4D);
      });
      const values = await probability.data() as Float32Array;
      probability.dispose();
      const predicted = Uint8Array.from(values, (p) => (p >= current.config.eval.threshold ? 1 : 0));
      const rgb = dataset.imageBytes(index);
      const truth = dataset.maskBytes(index);
      const cells: GalleryCell[] = [];
      if (withInputs) {
        cells.push({label: 'image', pngDataUri: await pictureUri(rgb, size, scale, [])});
        cells.push({label: 'ground truth', pngDataUri: await pictureUri(rgb, size, scale, [{mask: truth, colour: GALLERY_COLOURS.truth}])});
      }
      cells.push({label: run.variant, pngDataUri: await pictureUri(rgb, size, scale, [
        {mask: truth, colour: GALLERY_COLOURS.truth}, {mask: predicted, colour: GALLERY_COLOURS.prediction}])});
      out.set(image, cells);
    }
  } finally {
    if (model !== current.model) model.dispose();
    current.model.dispose();
  }
  return out;
}

/** Nearest-neighbour upscaling of an HW (channels 1) or HWC uint8 picture by an integer factor. */
export function upscale(pixels: Uint8Array, size: number, channels: number, scale: number): Uint8Array {
  const big = size * scale;
  const out = new Uint8Array(big * big * channels);
  for (let y = 0; y < big; y++) {
    const sy = Math.floor(y / scale);
    for (let x = 0; x < big; x++) {
      const from = (sy * size + Math.floor(x / scale)) * channels;
      const to = (y * big + x) * channels;
      for (let c = 0; c < channels; c++) out[to + c] = pixels[from + c]!;
    }
  }
  return out;
}

/** The image upscaled, each mask's contour (at the upscaled resolution: one pixel wide) painted over it, as a PNG data URI. */
async function pictureUri(rgb: Uint8Array, size: number, scale: number, contours: ReadonlyArray<{mask: Uint8Array; colour: readonly number[]}>): Promise<string> {
  const big = size * scale;
  const picture = upscale(rgb, size, 3, scale);
  for (const {mask, colour} of contours) {
    const edge = maskBoundary(upscale(mask, size, 1, scale), {height: big, width: big});
    for (let i = 0; i < edge.length; i++) {
      if (edge[i] === 0) continue;
      picture[i * 3] = colour[0]!;
      picture[i * 3 + 1] = colour[1]!;
      picture[i * 3 + 2] = colour[2]!;
    }
  }
  const png = await sharp(Buffer.from(picture), {raw: {width: big, height: big, channels: 3}}).png({compressionLevel: 9}).toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}
