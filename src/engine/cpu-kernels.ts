// A corrected kernel of the reference `cpu` backend. tfjs-backend-cpu 4.22's ResizeNearestNeighborGrad reads the
// upstream gradient dy at the images' batch stride instead of dy's own (`dyROffset = batchOffset + dyR *
// dyStrides[1]` with `batchOffset = b * imagesStrides[0]`), so every image after the first of a batch gets the
// gradient of other pixels. wasm and webgpu compute it right; `cpu` is the reference every backend's self-check and
// the kernel property tests compare against, and it trains EMCAD's EUCB and `upsample: nearest` with batches > 1.
import * as tf from '@tensorflow/tfjs-core';

interface CpuBackendData {
  data: {get(id: object): {values: Float32Array}};
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

/**
 * ResizeNearestNeighborGrad on cpu: dx [B, H, W, C] (the shape of `images`, NHWC) is the sum of dy [B, h, w, C] over
 * the output pixels each input pixel was copied to. The source pixel of output row r is min(H - 1, floor(r * H / h)),
 * or with alignCorners round(r * (H - 1) / (h - 1)) (tf.image.resize_nearest_neighbor, halfPixelCenters false).
 */
const resizeNearestNeighborGrad: tf.KernelFunc = ({inputs, backend, attrs}) => {
  const {images, dy} = inputs as {images: tf.TensorInfo; dy: tf.TensorInfo};
  const cpu = backend as unknown as CpuBackendData;
  const {alignCorners} = attrs as unknown as {alignCorners: boolean};
  const [batch, xh, xw, depth] = images.shape as [number, number, number, number];
  const [, yh, yw] = dy.shape as [number, number, number, number];
  const upstream = cpu.data.get(dy.dataId).values;
  const dx = new Float32Array(batch * xh * xw * depth);
  const ratio = (x: number, y: number) => (alignCorners && y > 1 ? (x - 1) / (y - 1) : x / y);
  const source = (i: number, s: number, n: number) => Math.min(n - 1, alignCorners ? Math.round(i * s) : Math.floor(i * s));
  const rowScale = ratio(xh, yh);
  const colScale = ratio(xw, yw);
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < yh; r++) {
      const row = b * xh + source(r, rowScale, xh);
      for (let c = 0; c < yw; c++) {
        const at = (row * xw + source(c, colScale, xw)) * depth;
        const from = ((b * yh + r) * yw + c) * depth;
        for (let d = 0; d < depth; d++) dx[at + d]! += upstream[from + d]!;
      }
    }
  }
  return cpu.makeTensorInfo(images.shape, 'float32', dx);
};

let registered = false;

/** Replaces the cpu backend's ResizeNearestNeighborGrad with the corrected one (idempotent). */
export function registerCpuKernelFixes(): void {
  if (registered) return;
  registered = true;
  tf.unregisterKernel('ResizeNearestNeighborGrad', 'cpu');
  tf.registerKernel({kernelName: 'ResizeNearestNeighborGrad', backendName: 'cpu', kernelFunc: resizeNearestNeighborGrad});
}
