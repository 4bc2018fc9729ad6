// The gallery's rule (the reference's worst, median and best test image by mean Dice over seeds) and its picture
// scaling; pictures from real checkpoints are checked by the report's end-to-end test.
import test from 'ava';
import fc from 'fast-check';
import {pickImages, upscale} from '../../src/reports/gallery.js';
import type {PerImageRow} from '../../src/reports/model.js';

function row(variant: string, seed: number, image: string, dice: number, testSet = 'test', dataset = 'kvasir'): PerImageRow {
  return {runId: `${variant}${seed}`, variant, dataset, testSet, fold: null, seed, image, dice, iou: dice / (2 - dice), hd95: null};
}

test('the reference\'s worst, median and best image, by Dice averaged over its seeds; other variants and sets ignored', (t) => {
  const perImage = [
    row('full', 0, 'a', 0.9), row('full', 1, 'a', 0.7), // mean 0.8
    row('full', 0, 'b', 0.2), row('full', 1, 'b', 0.4), // 0.3
    row('full', 0, 'c', 0.6), row('full', 1, 'c', 0.6), // 0.6
    row('full', 0, 'd', 0.5), row('full', 1, 'd', 0.5), // 0.5
    row('full', 0, 'e', 0.95), row('full', 1, 'e', 0.95), // 0.95
    row('w/o LD', 0, 'b', 1), row('full', 0, 'z', 0, 'cvc'), row('full', 0, 'y', 0, 'test', 'busi'),
  ];
  const picks = pickImages({reference: 'full', perImage}, 'kvasir');
  t.deepEqual(picks.map((p) => [p.rule, p.image]), [['worst', 'b'], ['median', 'c'], ['best', 'e']]);
  t.true(Math.abs(picks[1]!.dice - 0.6) < 1e-12);
});

test('fewer images than rules: each image once', (t) => {
  t.deepEqual(pickImages({reference: 'full', perImage: [row('full', 0, 'only', 0.5)]}, 'kvasir').map((p) => p.rule), ['worst']);
  t.deepEqual(pickImages({reference: 'full', perImage: [row('full', 0, 'p', 0.5), row('full', 0, 'q', 0.7)]}, 'kvasir').map((p) => p.image), ['p', 'q']);
  t.deepEqual(pickImages({reference: 'none', perImage: [row('full', 0, 'p', 0.5)]}, 'kvasir'), []);
});

test('upscaling by an integer factor repeats every pixel in a factor x factor block', (t) => {
  fc.assert(fc.property(fc.integer({min: 1, max: 6}), fc.integer({min: 1, max: 4}), fc.integer({min: 1, max: 3}), fc.integer({min: 0, max: 1000}), (size, scale, channels, seed) => {
    const pixels = Uint8Array.from({length: size * size * channels}, (_, i) => (i * 31 + seed) % 256);
    const big = upscale(pixels, size, channels, scale);
    if (big.length !== size * size * scale * scale * channels) return false;
    for (let y = 0; y < size * scale; y++) {
      for (let x = 0; x < size * scale; x++) {
        for (let c = 0; c < channels; c++) {
          if (big[(y * size * scale + x) * channels + c] !== pixels[(Math.floor(y / scale) * size + Math.floor(x / scale)) * channels + c]) return false;
        }
      }
    }
    return true;
  }));
  t.pass();
});

test('with k-fold runs the picks are test images of one fold (the fold whose runs predict them)', (t) => {
  const folded = (image: string, dice: number, fold: number): PerImageRow => ({...row('full', 0, image, dice), fold});
  const perImage = [folded('a', 0.1, 0), folded('b', 0.5, 0), folded('c', 0.9, 0), folded('x', 0.0, 1), folded('y', 1.0, 1)];
  t.deepEqual(pickImages({reference: 'full', perImage}, 'kvasir', 0).map((p) => p.image), ['a', 'b', 'c']);
  t.deepEqual(pickImages({reference: 'full', perImage}, 'kvasir', 1).map((p) => p.image), ['x', 'y']);
  t.deepEqual(pickImages({reference: 'full', perImage}, 'kvasir'), [], 'no image of the own split');
});
