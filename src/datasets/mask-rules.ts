// How a dataset's mask files become one binary mask (1 = foreground) per image. Every rule takes the union of all
// mask files of an image (BUSI has `_mask` and `_mask_1`), and an image with no foreground keeps an empty mask
// (BUSI's normal class). How each file's values become foreground is decided per file from its own encoding
// (bit depth, palette, alpha, the values present): see readMaskRaster. A layout's rule only says how to read masks
// with more than two values (threshold, or instance labels).

export type MaskRule =
  /** Masks with more than two values: foreground where the brightest channel is >= threshold (8-bit scale).
   * JPEG masks (Kvasir-SEG) carry compression noise, so some grey is expected; a mask with much mid-grey (more
   * than maxAmbiguousFraction of the pixels between 32 and 223) is not a binary mask at all and is reported.
   * Lossless masks whose values all stay below 128 are read as instance labels. Two-valued masks (0/1, 0/255,
   * 16-bit, palette, alpha) are read by their encoding first. */
  | {kind: 'threshold'; threshold: number; maxAmbiguousFraction: number}
  /** Instance labels (GlaS): every non-zero label is foreground; grey levels are expected. */
  | {kind: 'nonzero'}
  /** Polygon annotations in XML (MoNuSeg: Regions/Region/Vertices/Vertex X= Y=), filled, all regions united. */
  | {kind: 'xml-polygons'};

/**
 * Version of how mask files are read (readMaskRaster, EXIF orientation). It is part of every dataset's fingerprint,
 * so run ids change when the same files start to decode differently. 2: per-file encodings and EXIF orientation.
 */
export const MASK_DECODING_VERSION = 2;

const THRESHOLD_128_AMBIGUITY = 0.05;
export const THRESHOLD_128: MaskRule = {kind: 'threshold', threshold: 128, maxAmbiguousFraction: THRESHOLD_128_AMBIGUITY};
export const INSTANCE_LABELS: MaskRule = {kind: 'nonzero'};
export const XML_POLYGONS: MaskRule = {kind: 'xml-polygons'};

export function describeMaskRule(rule: MaskRule): string {
  switch (rule.kind) {
    case 'threshold':
      return `each file read by its encoding (0/1, 0/255, 16-bit, palette index, alpha); other masks: foreground where the brightest channel >= ${rule.threshold}, or non-zero for labels below 128; union of all masks of an image; empty masks kept`;
    case 'nonzero':
      return 'instance labels: every non-zero label is foreground; union of all masks of an image; empty masks kept';
    case 'xml-polygons':
      return 'XML polygon annotations filled and united into one binary mask; empty masks kept';
  }
}

/** Pixel values strictly between these (on the 8-bit scale) are "ambiguous" for a thresholded mask. */
const AMBIGUOUS_LOW = 32;
const AMBIGUOUS_HIGH = 223;

/** One mask file's pixels as stored (after EXIF orientation), before any reading rule. */
export interface MaskRaster {
  width: number;
  height: number;
  /** Samples, channels interleaved, row-major (HWC), at the file's own bit depth. */
  data: Uint8Array | Uint16Array;
  /** Channels in `data`: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA. */
  channels: number;
  /** Bits per sample of `data`. */
  bits: 8 | 16;
  /** Colour space the file declares ('grey' or 'RGB'), which may differ from `channels` (sharp widens grey16). */
  space: 'grey' | 'RGB';
  /** Container format in capitals for reports ('PNG', 'JPEG', 'TIFF', 'WEBP', 'GIF', 'BMP'). */
  format: string;
  /** Lossy compression (JPEG): the values around 0 and full scale are noisy, so only a threshold reads it. */
  lossy: boolean;
  /** Indexed images: every pixel's palette index, and which palette entries are background. */
  palette?: {indices: Uint8Array; background: readonly boolean[]};
}

/** How one mask file was read, decided from its own pixels. */
export interface MaskReading {
  /**
   * The decision in words that group files for reports: "8-bit grey 0/255", "16-bit grey 0/1",
   * "palette (2 colours)", "8-bit RGB+alpha: opaque = foreground", "JPEG 8-bit RGB threshold 128", ...
   */
  encoding: string;
  /** Foreground pixels of this file alone. */
  foreground: number;
  /** Share of pixels between clearly background and clearly foreground (thresholded readings only; else 0). */
  ambiguousFraction: number;
  /** Largest value (colour channels, native scale) among pixels read as background: > 0 flags a dim mask. */
  maxBackgroundValue: number;
}

/**
 * Reads one mask file into `out` (1 = foreground, OR-ed in so several files of an image unite), deciding per file:
 * - palette images: an index is foreground unless its entry is black or transparent (or, when none is, index 0);
 * - with an alpha channel that is not constant: transparent pixels (alpha below half scale) are background, and
 *   when every opaque pixel has the same colour, every opaque pixel is foreground (white drawn on transparent);
 * - one value only: 0 is an empty mask, any other value an all-foreground mask;
 * - two values, one of them 0 (0/1, 0/255, 0/65535, 0/128...): the non-zero value is foreground, whatever the
 *   bit depth;
 * - more values: lossy files (JPEG) and bright masks are thresholded at `threshold` on the 8-bit scale
 *   (x 257 for 16-bit) and must be mostly black and white; instance labels (rule `nonzero`, or a lossless file
 *   whose values all stay below half scale) have every non-zero value as foreground.
 * The value of a colour pixel is its brightest channel.
 */
export function readMaskRaster(out: Uint8Array, raster: MaskRaster, rule: MaskRule): MaskReading {
  const n = raster.width * raster.height;
  if (out.length !== n) throw new Error(`mask buffer holds ${out.length} pixels, the raster ${n}`);
  const {data, channels} = raster;
  const full = raster.bits === 16 ? 65535 : 255;
  const scale = full / 255;
  const prefix = `${raster.format === 'PNG' ? '' : `${raster.format} `}${raster.bits}-bit ${raster.space}`;
  if (raster.palette) {
    const {indices, background} = raster.palette;
    let foreground = 0;
    for (let p = 0; p < n; p++) {
      if (!background[indices[p]!]) {
        out[p] = 1;
        foreground++;
      }
    }
    return {encoding: `palette (${background.length} colours)`, foreground, ambiguousFraction: 0, maxBackgroundValue: 0};
  }
  const hasAlpha = channels === 2 || channels === 4;
  const colours = hasAlpha ? channels - 1 : channels;
  const values = raster.bits === 16 ? new Uint16Array(n) : new Uint8Array(n);
  let alphaLow = false;
  let alphaHigh = false;
  const half = Math.ceil(full / 2);
  for (let p = 0, o = 0; p < n; p++, o += channels) {
    let value = data[o]!;
    for (let c = 1; c < colours; c++) value = Math.max(value, data[o + c]!);
    values[p] = value;
    if (hasAlpha) {
      if (data[o + channels - 1]! >= half) alphaHigh = true;
      else alphaLow = true;
    }
  }
  // Alpha that varies is the mask's shape: transparent is background (an alpha that is constant says nothing).
  const useAlpha = alphaLow && alphaHigh;
  const counted = (p: number) => !useAlpha || data[p * channels + channels - 1]! >= half;
  const histogram = new Uint32Array(full + 1);
  for (let p = 0; p < n; p++) if (counted(p)) histogram[values[p]!]!++;
  const levels: number[] = [];
  for (let v = 0; v <= full && levels.length < 3; v++) if (histogram[v]) levels.push(v);
  const alphaWords = useAlpha ? ', transparent = background' : '';
  let decide: (value: number) => boolean;
  let encoding: string;
  let ambiguousLimit = Infinity;
  let low = 0;
  let high = 0;
  if (useAlpha && levels.length === 1) {
    decide = () => true;
    encoding = `${prefix}+alpha: opaque = foreground`;
  } else if (levels.length <= 1) {
    const only = levels[0] ?? 0;
    decide = () => only > 0;
    encoding = only > 0 ? `${prefix} all ${only} (all foreground)${alphaWords}` : `${prefix} all 0 (empty)${alphaWords}`;
  } else if (levels.length === 2 && levels[0] === 0) {
    decide = (value) => value > 0;
    encoding = `${prefix} 0/${levels[1]}${alphaWords}`;
  } else {
    let max = 0;
    for (let v = full; v > 0; v--) {
      if (histogram[v]) {
        max = v;
        break;
      }
    }
    const labels = !raster.lossy && (rule.kind === 'nonzero' || max < 128 * scale);
    if (labels) {
      decide = (value) => value > 0;
      encoding = `${prefix} labels: non-zero${alphaWords}`;
    } else {
      const threshold = (rule.kind === 'threshold' ? rule.threshold : 128) * scale;
      ambiguousLimit = rule.kind === 'threshold' ? rule.maxAmbiguousFraction : THRESHOLD_128_AMBIGUITY;
      low = AMBIGUOUS_LOW * scale;
      high = AMBIGUOUS_HIGH * scale;
      decide = (value) => value >= threshold;
      encoding = `${prefix} threshold ${threshold / scale}${alphaWords}`;
    }
  }
  let foreground = 0;
  let ambiguous = 0;
  let maxBackgroundValue = 0;
  for (let p = 0; p < n; p++) {
    if (!counted(p)) continue;
    const value = values[p]!;
    if (decide(value)) {
      out[p] = 1;
      foreground++;
    } else if (value > maxBackgroundValue) {
      maxBackgroundValue = value;
    }
    if (ambiguousLimit !== Infinity && value > low && value < high) ambiguous++;
  }
  return {encoding, foreground, ambiguousFraction: n === 0 ? 0 : ambiguous / n, maxBackgroundValue};
}

/** The share of ambiguous pixels above which a thresholded mask is refused as not binary. */
export function maxAmbiguousFraction(rule: MaskRule): number {
  return rule.kind === 'threshold' ? rule.maxAmbiguousFraction : THRESHOLD_128_AMBIGUITY;
}

/** Forces values of a resized mask back to {0, 1} (nearest-neighbour keeps them, this guards other kernels). */
export function rebinarise(mask: Uint8Array, threshold = 1): Uint8Array {
  for (let i = 0; i < mask.length; i++) mask[i] = mask[i]! >= threshold ? 1 : 0;
  return mask;
}
