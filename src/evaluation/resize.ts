// Bilinear resize of a probability map with half-pixel centres, to bring a prediction made at the model's input size
// back to the image's original resolution before thresholding (metrics are computed there, not at model size).
// Same sampling as TF `resize_bilinear(half_pixel_centers=True)`, `tf.image.resizeBilinear(..., false, true)` and
// PyTorch `interpolate(mode='bilinear', align_corners=False)`: output pixel centre y + 0.5 maps to source coordinate
// (y + 0.5) * inHeight / outHeight - 0.5, clamped to the edge pixels.
import {checkLength, pixelCount, type ImageShape} from './shape.js';

/** `source` ([from.height, from.width], row-major) resampled to `to`; a copy when the sizes already match. */
export function resizeBilinear(source: Float32Array, from: ImageShape, to: ImageShape): Float32Array {
  checkLength(source, from, 'the map to resize');
  const outCount = pixelCount(to);
  if (from.height === to.height && from.width === to.width) return source.slice();
  const rows = samplingAxis(from.height, to.height);
  const columns = samplingAxis(from.width, to.width);
  const out = new Float32Array(outCount);
  const inWidth = from.width;
  for (let y = 0; y < to.height; y++) {
    const upper = rows.low[y]! * inWidth;
    const lower = rows.high[y]! * inWidth;
    const wy = rows.weight[y]!;
    const outRow = y * to.width;
    for (let x = 0; x < to.width; x++) {
      const left = columns.low[x]!;
      const right = columns.high[x]!;
      const wx = columns.weight[x]!;
      const top = source[upper + left]! + (source[upper + right]! - source[upper + left]!) * wx;
      const bottom = source[lower + left]! + (source[lower + right]! - source[lower + left]!) * wx;
      out[outRow + x] = top + (bottom - top) * wy;
    }
  }
  return out;
}

/** Per output index along one axis: the two source indices around its sample point and the weight of the second. */
interface AxisSampling {
  readonly low: Int32Array;
  readonly high: Int32Array;
  readonly weight: Float64Array;
}

function samplingAxis(inSize: number, outSize: number): AxisSampling {
  const low = new Int32Array(outSize);
  const high = new Int32Array(outSize);
  const weight = new Float64Array(outSize);
  const scale = inSize / outSize;
  const last = inSize - 1;
  for (let i = 0; i < outSize; i++) {
    const position = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), last);
    const floor = Math.floor(position);
    low[i] = floor;
    high[i] = Math.min(floor + 1, last);
    weight[i] = position - floor;
  }
  return {low, high, weight};
}
