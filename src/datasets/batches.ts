// Seeded batches from a prepared dataset: a per-epoch permutation of the chosen samples and, for training,
// augmentation keyed by (seed, epoch, sample index), so batches are the same on every run.
import {augmentSample, type AugmentOptions} from './augment.js';
import type {PreparedDataset} from './prepared-dataset.js';
import {SeededRandom} from '../io/random.js';

export interface Batch {
  /** Sample indices in the prepared dataset. */
  indices: number[];
  /** float32 NHWC in [0, 1]. */
  images: Float32Array;
  /** float32 NHW1 in {0, 1}. */
  masks: Float32Array;
  shape: [number, number, number, number];
}

/** The order of `indices` for one epoch (a seeded permutation; the same for the same seed and epoch). */
export function epochOrder(indices: readonly number[], seed: number, epoch: number): number[] {
  return SeededRandom.stream('shuffle', seed, epoch).shuffled(indices);
}

export function makeBatch(dataset: PreparedDataset, indices: readonly number[], options: {seed: number; epoch: number; augment?: AugmentOptions}): Batch {
  const size = dataset.size;
  const n = size * size;
  const images = new Float32Array(indices.length * n * 3);
  const masks = new Float32Array(indices.length * n);
  for (const [k, i] of indices.entries()) {
    if (options.augment) {
      const sample = augmentSample(dataset.imageBytes(i), dataset.maskBytes(i), size, {seed: options.seed, epoch: options.epoch, index: i}, options.augment);
      images.set(sample.image, k * n * 3);
      masks.set(sample.mask, k * n);
    } else {
      images.set(dataset.imagesFloat32([i]), k * n * 3);
      masks.set(dataset.maskBytes(i), k * n);
    }
  }
  return {indices: [...indices], images, masks, shape: [indices.length, size, size, 3]};
}

/**
 * Batches of one epoch over the chosen samples, shuffled when `shuffle`, the last one possibly smaller. From batch
 * `fromBatch` (0-based, default 0) on: the batches before it are not made, and the ones yielded are exactly those
 * of the whole epoch from that position, because the order is drawn once per (seed, epoch) and each sample's
 * augmentation from its own stream keyed by (seed, epoch, sample index), never from what earlier batches drew.
 * A resumed training run continues inside an epoch this way.
 */
export function* epochBatches(
  dataset: PreparedDataset,
  indices: readonly number[],
  options: {seed: number; epoch: number; batchSize: number; shuffle: boolean; augment?: AugmentOptions; fromBatch?: number},
): Generator<Batch> {
  const order = options.shuffle ? epochOrder(indices, options.seed, options.epoch) : [...indices];
  for (let start = (options.fromBatch ?? 0) * options.batchSize; start < order.length; start += options.batchSize) {
    yield makeBatch(dataset, order.slice(start, start + options.batchSize), options);
  }
}
