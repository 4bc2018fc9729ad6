// Seeded augmentation for training: flips, rot90, a random scaled crop, brightness and contrast. Every random
// number comes from a generator seeded by (seed, epoch, index), and the same number of values is drawn whatever
// is enabled, so the same triple gives the same sample on every run and machine. Geometry is one inverse map from
// output to source pixels: images are sampled bilinearly, masks by nearest neighbour, so masks stay binary.
import {SeededRandom} from '../io/random.js';

export interface AugmentOptions {
  /** Probability of a horizontal flip, and of a vertical flip. */
  horizontalFlip: number;
  verticalFlip: number;
  /** Rotate by a random multiple of 90 degrees. */
  rotate90: boolean;
  /** Probability of a random crop of side scale x size (scale uniform in [minScale, 1]), resized back. */
  scaledCrop: number;
  minScale: number;
  /** Brightness offset uniform in [-brightness, brightness] (in [0, 1] units). */
  brightness: number;
  /** Contrast factor uniform in [1 - contrast, 1 + contrast], around the image mean. */
  contrast: number;
}

export const DEFAULT_AUGMENTATION: AugmentOptions = {
  horizontalFlip: 0.5,
  verticalFlip: 0.5,
  rotate90: true,
  scaledCrop: 0.5,
  minScale: 0.75,
  brightness: 0.1,
  contrast: 0.1,
};

export const NO_AUGMENTATION: AugmentOptions = {horizontalFlip: 0, verticalFlip: 0, rotate90: false, scaledCrop: 0, minScale: 1, brightness: 0, contrast: 0};

export interface SampleKey {
  seed: number;
  epoch: number;
  index: number;
}

export interface AugmentParameters {
  flipX: boolean;
  flipY: boolean;
  quarterTurns: number;
  /** Crop in source pixels: side and top-left corner (side = size when not cropping). */
  cropSide: number;
  cropX: number;
  cropY: number;
  brightness: number;
  contrast: number;
}

/** The random choices for one sample; a fixed number of draws in a fixed order. */
export function augmentParameters(key: SampleKey, size: number, options: AugmentOptions): AugmentParameters {
  const random = SeededRandom.stream('augment', key.seed, key.epoch, key.index);
  const draws = Array.from({length: 9}, () => random.float());
  const crop = draws[3]! < options.scaledCrop;
  const scale = crop ? options.minScale + (1 - options.minScale) * draws[4]! : 1;
  const cropSide = scale * size;
  return {
    flipX: draws[0]! < options.horizontalFlip,
    flipY: draws[1]! < options.verticalFlip,
    quarterTurns: options.rotate90 ? Math.min(3, Math.floor(draws[2]! * 4)) : 0,
    cropSide,
    cropX: (size - cropSide) * draws[5]!,
    cropY: (size - cropSide) * draws[6]!,
    brightness: (draws[7]! * 2 - 1) * options.brightness,
    contrast: 1 + (draws[8]! * 2 - 1) * options.contrast,
  };
}

export interface AugmentedSample {
  /** HWC float32 in [0, 1]. */
  image: Float32Array;
  /** HW, values 0 or 1. */
  mask: Uint8Array;
}

/**
 * Augments one square sample. `image` is HWC with 3 channels, uint8 (0..255) or float32 (0..1); `mask` is HW
 * in {0,1}. Inputs are not modified.
 */
export function augmentSample(image: Uint8Array | Float32Array, mask: Uint8Array, size: number, key: SampleKey, options: AugmentOptions = DEFAULT_AUGMENTATION): AugmentedSample {
  const p = augmentParameters(key, size, options);
  const unit = image instanceof Uint8Array ? 1 / 255 : 1;
  const outImage = new Float32Array(size * size * 3);
  const outMask = new Uint8Array(size * size);
  const step = p.cropSide / size;
  const last = size - 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Undo rotation and flips: which pixel (u, v) of the cropped-and-resized picture lands at (x, y).
      let u = x;
      let v = y;
      for (let t = 0; t < p.quarterTurns; t++) {
        const w = u;
        u = v;
        v = last - w;
      }
      if (p.flipX) u = last - u;
      if (p.flipY) v = last - v;
      // Then the crop: the centre of (u, v) in source coordinates.
      const sx = p.cropX + (u + 0.5) * step - 0.5;
      const sy = p.cropY + (v + 0.5) * step - 0.5;
      const o = y * size + x;
      const nx = Math.min(last, Math.max(0, Math.round(sx)));
      const ny = Math.min(last, Math.max(0, Math.round(sy)));
      outMask[o] = mask[ny * size + nx]! ? 1 : 0;
      const cx = Math.min(last, Math.max(0, sx));
      const cy = Math.min(last, Math.max(0, sy));
      const x0 = Math.floor(cx);
      const y0 = Math.floor(cy);
      const x1 = Math.min(last, x0 + 1);
      const y1 = Math.min(last, y0 + 1);
      const fx = cx - x0;
      const fy = cy - y0;
      for (let c = 0; c < 3; c++) {
        const a = image[(y0 * size + x0) * 3 + c]!;
        const b = image[(y0 * size + x1) * 3 + c]!;
        const d = image[(y1 * size + x0) * 3 + c]!;
        const e = image[(y1 * size + x1) * 3 + c]!;
        outImage[o * 3 + c] = ((a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy) * unit;
      }
    }
  }
  if (p.brightness !== 0 || p.contrast !== 1) {
    let mean = 0;
    for (const value of outImage) mean += value;
    mean /= outImage.length;
    for (let i = 0; i < outImage.length; i++) outImage[i] = Math.min(1, Math.max(0, (outImage[i]! - mean) * p.contrast + mean + p.brightness));
  }
  return {image: outImage, mask: outMask};
}
