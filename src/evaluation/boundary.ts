// Mask boundaries for surface distances: boundary = mask XOR erode(mask), erosion with the 4-connected cross, as
// MONAI (`get_mask_edges`) and medpy (`__surface_distances`) both do with scipy's `binary_erosion`, whose default
// border value 0 treats pixels outside the image as background: foreground on the image border is boundary.
import {checkLength, type ImageShape} from './shape.js';

/** 1 where `mask` is foreground (non-zero) and some 4-neighbour is background or outside the image, else 0. */
export function maskBoundary(mask: Uint8Array, shape: ImageShape): Uint8Array {
  checkLength(mask, shape, 'the mask');
  const {height, width} = shape;
  const boundary = new Uint8Array(height * width);
  const lastRow = height - 1;
  const lastColumn = width - 1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const rowOnBorder = y === 0 || y === lastRow;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      if (mask[i] === 0) continue;
      if (
        rowOnBorder ||
        x === 0 ||
        x === lastColumn ||
        mask[i - 1] === 0 ||
        mask[i + 1] === 0 ||
        mask[i - width] === 0 ||
        mask[i + width] === 0
      ) {
        boundary[i] = 1;
      }
    }
  }
  return boundary;
}

/** Inclusive pixel rectangle. */
export interface PixelBox {
  readonly top: number;
  readonly left: number;
  readonly bottom: number;
  readonly right: number;
}

/** Smallest rectangle holding every non-zero pixel of `mask`, or undefined when the mask is empty. */
export function boundingBox(mask: Uint8Array, shape: ImageShape): PixelBox | undefined {
  checkLength(mask, shape, 'the mask');
  const {height, width} = shape;
  let top = height;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    let last = -1;
    for (let x = 0; x < width; x++) {
      if (mask[row + x] !== 0) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first < 0) continue;
    if (y < top) top = y;
    bottom = y;
    if (first < left) left = first;
    if (last > right) right = last;
  }
  return bottom < 0 ? undefined : {top, left, bottom, right};
}
