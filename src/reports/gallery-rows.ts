// What a prediction gallery is made of (gallery.ts computes it from checkpoints; html.ts shows it): plain data, so
// the page writer does not load the inference code.

/** Which images the gallery shows: the reference variant's worst, median and best test images by mean Dice over seeds. */
export type GalleryRule = 'worst' | 'median' | 'best';

/** One picture of a gallery row: a label and a PNG as a data: URI. */
export interface GalleryCell {
  label: string;
  pngDataUri: string;
}

/** One test image across the variants. */
export interface GalleryRow {
  dataset: string;
  image: string;
  rule: GalleryRule;
  /** The reference variant's Dice on this image, averaged over its seeds (the value the rule ranks by). */
  referenceDice: number;
  /** Image, ground truth, then one cell per variant (summary order) that has a done run. */
  cells: GalleryCell[];
}

/** Contour colours (RGB): ground truth green, prediction yellow; explained in the legend. */
export const GALLERY_COLOURS = {truth: [0, 230, 64], prediction: [255, 210, 0]} as const;

/** The legend sentence shown under the gallery. */
export const GALLERY_LEGEND = 'Test images picked from the reference variant\'s per-image Dice (mean over seeds): its worst, median and best. Green: ground-truth contour; yellow: predicted contour (the lowest seed\'s run of each variant, at its training size).';

