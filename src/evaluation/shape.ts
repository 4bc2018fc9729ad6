// The one shape every evaluation function shares: a 2-D image stored row-major, index = y * width + x.

/** Height and width in pixels of a row-major 2-D map. */
export interface ImageShape {
  readonly height: number;
  readonly width: number;
}

/** Number of pixels of `shape`; throws unless both sides are positive integers. */
export function pixelCount(shape: ImageShape): number {
  const {height, width} = shape;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new RangeError(`an image shape needs positive integer sides, got ${height}x${width}`);
  }
  return height * width;
}

/** Throws unless `data` holds exactly one value per pixel of `shape`; `what` names the array in the message. */
export function checkLength(data: ArrayLike<number>, shape: ImageShape, what: string): void {
  const expected = pixelCount(shape);
  if (data.length !== expected) {
    throw new RangeError(`${what} has ${data.length} values, expected ${shape.height}x${shape.width} = ${expected}`);
  }
}

/** Length of the image diagonal in pixels, sqrt(h^2 + w^2): the HD95 of a pair where exactly one mask is empty. */
export function imageDiagonal(shape: ImageShape): number {
  return Math.hypot(shape.height, shape.width);
}
