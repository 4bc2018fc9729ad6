// Seeded epoch batches: starting an epoch at a later batch (a run resumed inside an epoch) gives exactly the
// batches the whole epoch gives from there, images and augmentation included.
import test from 'ava';
import fc from 'fast-check';
import {epochBatches} from '../../src/datasets/batches.js';
import {tinyDataset} from '../helpers/tiny-dataset.js';

const dataset = tinyDataset(9, 16);
const augment = {horizontalFlip: 0.5, verticalFlip: 0.5, rotate90: true, scaledCrop: 0.5, minScale: 0.75, brightness: 0.1, contrast: 0.1};

test('epochBatches from batch k equals the whole epoch\'s batches from k on, for every seed, epoch, batch size and k', (t) => {
  fc.assert(fc.property(
    fc.integer({min: 0, max: 1000}), fc.integer({min: 0, max: 20}), fc.integer({min: 1, max: 9}), fc.integer({min: 0, max: 10}),
    (seed, epoch, batchSize, fromBatch) => {
      const options = {seed, epoch, batchSize, shuffle: true, augment};
      const whole = [...epochBatches(dataset, [0, 1, 2, 3, 4, 5, 6, 7, 8], options)];
      const rest = [...epochBatches(dataset, [0, 1, 2, 3, 4, 5, 6, 7, 8], {...options, fromBatch})];
      t.is(whole.length, Math.ceil(9 / batchSize));
      t.deepEqual(rest, whole.slice(fromBatch));
    },
  ), {numRuns: 60});
});

test('augmentation differs between epochs, so the comparison above is not between unaugmented copies', (t) => {
  const options = {seed: 1, batchSize: 9, shuffle: false, augment};
  const [first] = [...epochBatches(dataset, [0, 1, 2, 3, 4, 5, 6, 7, 8], {...options, epoch: 0})];
  const [second] = [...epochBatches(dataset, [0, 1, 2, 3, 4, 5, 6, 7, 8], {...options, epoch: 1})];
  t.deepEqual(first!.indices, second!.indices);
  t.notDeepEqual(first!.images, second!.images);
});
