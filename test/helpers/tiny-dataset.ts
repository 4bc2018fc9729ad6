// An in-memory prepared dataset for tests of the training loop: no file, no decoding.
import {packBits, type CacheHeader} from '../../src/datasets/cache-file.js';
import {PreparedDataset} from '../../src/datasets/prepared-dataset.js';
import {SeededRandom} from '../../src/io/random.js';

/**
 * `count` seeded random 3-channel images of `size` px. Masks are random (about 30 % foreground), or with `learnable`
 * the pixels whose red value is above 160 (about 37 %), so that a few steps move the validation Dice. With
 * `originalMasks`, each sample's original mask (its prepared one, the image being `size` px) is held in memory, so
 * that evaluation at the original resolution runs without files.
 */
export function tinyDataset(count: number, size: number, o: {learnable?: boolean; originalMasks?: boolean} = {}): PreparedDataset {
  const rng = SeededRandom.stream('step-test-data', 0);
  const images = new Uint8Array(count * size * size * 3).map(() => Math.floor(rng.float() * 256));
  const masks = o.learnable === true
    ? new Uint8Array(count * size * size).map((_, p) => (images[p * 3]! > 160 ? 1 : 0))
    : new Uint8Array(count * size * size).map(() => (rng.float() < 0.3 ? 1 : 0));
  const header: CacheHeader = {
    format: 'mslk-dataset-cache', formatVersion: 1, preprocessingVersion: 1, key: 'test', dataset: 'test', layout: 'test',
    maskRule: {kind: 'nonzero'}, root: 'in-memory', fingerprint: 'test', size, count,
    channels: 3, createdAt: '', crc32: 0, sections: {images: {offset: 0, bytes: images.length}, masks: {offset: 0, bytes: masks.length}},
    samples: Array.from({length: count}, (_, i) => ({id: `s${i}`, image: `s${i}.png`, masks: [`s${i}.png`], width: size, height: size, foreground: 0.3})) as CacheHeader['samples'],
  };
  if (o.originalMasks !== true) return new PreparedDataset({header, images, masks});
  const bytesPerMask = Math.ceil((size * size) / 8);
  const originalMasks = new Uint8Array(count * bytesPerMask);
  header.samples.forEach((sample, i) => {
    originalMasks.set(packBits(masks.subarray(i * size * size, (i + 1) * size * size)), i * bytesPerMask);
    sample.originalMaskOffset = i * bytesPerMask;
  });
  return new PreparedDataset({header, images, masks, originalMasks});
}
