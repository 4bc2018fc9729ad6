// How a dataset's mask files become one binary mask (1 = foreground) per image. Every rule takes the union of all
// mask files of an image (BUSI has `_mask` and `_mask_1`), and an image with no foreground keeps an empty mask
// (BUSI's normal class).

export type MaskRule =
  /** Foreground where the brightest channel is >= threshold. JPEG masks (Kvasir-SEG) carry compression noise, so
   * some grey is expected; a mask with much mid-grey (more than maxAmbiguousFraction of the pixels between
   * 32 and 223) is not a binary mask at all and is reported. */
  | {kind: 'threshold'; threshold: number; maxAmbiguousFraction: number}
  /** Instance labels (GlaS): every non-zero label is foreground; grey levels are expected. */
  | {kind: 'nonzero'}
  /** Polygon annotations in XML (MoNuSeg: Regions/Region/Vertices/Vertex X= Y=), filled, all regions united. */
  | {kind: 'xml-polygons'};

export const THRESHOLD_128: MaskRule = {kind: 'threshold', threshold: 128, maxAmbiguousFraction: 0.05};
export const INSTANCE_LABELS: MaskRule = {kind: 'nonzero'};
export const XML_POLYGONS: MaskRule = {kind: 'xml-polygons'};

export function describeMaskRule(rule: MaskRule): string {
  switch (rule.kind) {
    case 'threshold':
      return `foreground where the brightest channel >= ${rule.threshold}; union of all masks of an image; empty masks kept`;
    case 'nonzero':
      return 'instance labels: every non-zero label is foreground; union of all masks of an image; empty masks kept';
    case 'xml-polygons':
      return 'XML polygon annotations filled and united into one binary mask; empty masks kept';
  }
}

/** Pixel values strictly between these are "ambiguous" for a thresholded mask. */
const AMBIGUOUS_LOW = 32;
const AMBIGUOUS_HIGH = 223;

export interface BinarisedMask {
  /** 0 or 1 per pixel, row-major. */
  data: Uint8Array;
  /** Share of pixels that were neither clearly background nor clearly foreground. */
  ambiguousFraction: number;
}

/**
 * Binarises raw decoded pixels (any channel count) into `out` (OR-ed in, for unions). Returns the share of
 * ambiguous pixels, which only a thresholded rule cares about.
 */
export function binariseInto(
  out: Uint8Array,
  pixels: Uint8Array,
  channels: number,
  rule: Exclude<MaskRule, {kind: 'xml-polygons'}>,
): number {
  const n = out.length;
  let ambiguous = 0;
  // Alpha is not a mask value: with 2 or 4 channels only the colour channels count.
  const colour = channels === 2 || channels === 4 ? channels - 1 : channels;
  for (let p = 0, o = 0; p < n; p++, o += channels) {
    let value = pixels[o]!;
    for (let c = 1; c < colour; c++) value = Math.max(value, pixels[o + c]!);
    if (rule.kind === 'threshold') {
      if (value >= rule.threshold) out[p] = 1;
      if (value > AMBIGUOUS_LOW && value < AMBIGUOUS_HIGH) ambiguous++;
    } else if (value > 0) {
      out[p] = 1;
    }
  }
  return n === 0 ? 0 : ambiguous / n;
}

/** Forces values of a resized mask back to {0, 1} (nearest-neighbour keeps them, this guards other kernels). */
export function rebinarise(mask: Uint8Array, threshold = 1): Uint8Array {
  for (let i = 0; i < mask.length; i++) mask[i] = mask[i]! >= threshold ? 1 : 0;
  return mask;
}
