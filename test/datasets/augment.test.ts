import test from 'ava';
import fc from 'fast-check';
import {augmentSample, DEFAULT_AUGMENTATION, NO_AUGMENTATION, type AugmentOptions} from '../../src/datasets/augment.js';

const sampleArbitrary = fc.integer({min: 2, max: 12}).chain((size) =>
  fc.record({
    size: fc.constant(size),
    image: fc.uint8Array({minLength: size * size * 3, maxLength: size * size * 3}),
    mask: fc.array(fc.constantFrom(0, 1), {minLength: size * size, maxLength: size * size}).map((a) => Uint8Array.from(a)),
    key: fc.record({seed: fc.integer(), epoch: fc.nat(1000), index: fc.nat(100000)}),
  }),
);

const optionsArbitrary: fc.Arbitrary<AugmentOptions> = fc.record({
  horizontalFlip: fc.double({min: 0, max: 1, noNaN: true}),
  verticalFlip: fc.double({min: 0, max: 1, noNaN: true}),
  rotate90: fc.boolean(),
  scaledCrop: fc.double({min: 0, max: 1, noNaN: true}),
  minScale: fc.double({min: 0.3, max: 1, noNaN: true}),
  brightness: fc.double({min: 0, max: 0.5, noNaN: true}),
  contrast: fc.double({min: 0, max: 0.5, noNaN: true}),
});

test('the same (seed, epoch, index) gives the same sample; masks stay binary; images stay in [0, 1]', (t) => {
  fc.assert(
    fc.property(sampleArbitrary, optionsArbitrary, ({size, image, mask, key}, options) => {
      const a = augmentSample(image, mask, size, key, options);
      const b = augmentSample(image, mask, size, {...key}, options);
      if (Buffer.compare(Buffer.from(a.image.buffer), Buffer.from(b.image.buffer)) !== 0) return false;
      if (Buffer.compare(a.mask, b.mask) !== 0) return false;
      return a.mask.every((v) => v === 0 || v === 1) && a.image.every((v) => v >= 0 && v <= 1);
    }),
  );
  t.pass();
});

test('flips and rotations move image and mask together and keep every pixel', (t) => {
  const geometric: AugmentOptions = {...NO_AUGMENTATION, horizontalFlip: 0.5, verticalFlip: 0.5, rotate90: true};
  fc.assert(
    fc.property(sampleArbitrary, ({size, mask, key}) => {
      // An image that shows its mask: after any flip or rotation the two must still agree pixel for pixel.
      const image = new Uint8Array(size * size * 3);
      for (let p = 0; p < size * size; p++) image.fill(mask[p]! * 255, p * 3, p * 3 + 3);
      const out = augmentSample(image, mask, size, key, geometric);
      for (let p = 0; p < size * size; p++) if (out.image[p * 3] !== out.mask[p]) return false;
      return out.mask.reduce((s, v) => s + v, 0) === mask.reduce((s, v) => s + v, 0);
    }),
  );
  t.pass();
});

test('no augmentation is the identity (RGB / 255)', (t) => {
  const size = 5;
  const image = Uint8Array.from({length: size * size * 3}, (_, i) => (i * 37) % 256);
  const mask = Uint8Array.from({length: size * size}, (_, i) => i % 2);
  const out = augmentSample(image, mask, size, {seed: 1, epoch: 2, index: 3}, NO_AUGMENTATION);
  t.deepEqual([...out.image], [...image].map((v) => Math.fround(v / 255)));
  t.deepEqual(out.mask, mask);
});

test('different epochs give different samples with the default options', (t) => {
  const size = 16;
  const image = Uint8Array.from({length: size * size * 3}, (_, i) => (i * 7) % 256);
  const mask = Uint8Array.from({length: size * size}, (_, i) => (i % 5 === 0 ? 1 : 0));
  const outputs = new Set(Array.from({length: 8}, (_, epoch) => Buffer.from(augmentSample(image, mask, size, {seed: 0, epoch, index: 0}, DEFAULT_AUGMENTATION).image.buffer).toString('base64')));
  t.true(outputs.size > 4);
});
