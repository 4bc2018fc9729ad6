// Shape and range properties over the config space (fast-check): any valid combination of toggles, kernels,
// widths and input sizes builds, keeps the output at the input's resolution, and gives finite logits whose
// sigmoid lies in (0, 1).
import test from 'ava';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import {buildModel, MODEL_NAMES} from '../../src/models/registry.js';
import {randomImage, useWasm} from './helpers.js';

test.before(useWasm);

const msLkSegConfig = fc.record({
  model: fc.constant('ms-lkseg'),
  baseWidth: fc.constantFrom(4, 8),
  blocksPerLevel: fc.constantFrom(1, 2),
  attentionOrder: fc.constantFrom('mie-midm', 'midm-mie', 'parallel'),
  downsample: fc.constantFrom('maxpool', 'avgpool'),
  upsample: fc.constantFrom('bilinear', 'nearest'),
  dyconv: fc.record({enabled: fc.boolean(), K: fc.constantFrom(1, 2, 4)}),
  mie: fc.record({enabled: fc.boolean(), kernels: fc.constantFrom([3, 5, 7, 9], [3, 3, 3, 3], [1, 3, 5, 7], [5, 7, 9, 11]), shareHW: fc.boolean()}),
  midm: fc.record({enabled: fc.boolean(), heads: fc.constantFrom(1, 2, 4), window: fc.constantFrom(4, 7, 14, null), pool: fc.constantFrom('avg', 'max')}),
  ld: fc.record({
    enabled: fc.boolean(),
    largeKernel: fc.constantFrom(7, 13, 21, [13, 11, 9, 7]),
    smallKernel: fc.constantFrom(3, 5, null),
    levels: fc.subarray([1, 2, 3, 4]),
  }),
});

const inputSize = fc.constantFrom(16, 32, 48, 64);

async function checkOutput(model: tf.LayersModel, size: number, batch: number): Promise<boolean> {
  const x = randomImage(batch, size, size);
  const logits = model.predict(x) as tf.Tensor;
  const shapeOk = logits.shape.join() === [batch, size, size, 1].join();
  const values = await logits.data();
  const probs = await tf.sigmoid(logits).data();
  tf.dispose([x, logits]);
  return shapeOk && values.every(Number.isFinite) && probs.every((p) => p > 0 && p < 1);
}

test.serial('ms-lkseg: output [B, H, W, 1], finite logits, sigmoid in (0, 1), over the config space', async (t) => {
  await fc.assert(fc.asyncProperty(msLkSegConfig, inputSize, fc.constantFrom(1, 2), async (config, size, batch) => {
    const {model} = buildModel(config, {seed: size + batch});
    try {
      return await checkOutput(model, size, batch);
    } finally {
      model.dispose();
    }
  }), {numRuns: 30, seed: 42});
  t.pass();
});

test.serial('every baseline: output [B, H, W, 1] with finite logits at the smallest sizes', async (t) => {
  // EMCAD (four outputs, no baseWidth, sizes divisible by 32): test/models/families/emcad.test.ts.
  for (const name of MODEL_NAMES.filter((n) => n !== 'emcad')) {
    for (const size of [16, 32]) {
      const {model} = buildModel({model: name, baseWidth: 4});
      t.true(await checkOutput(model, size, 2), `${name} at ${size}`);
      model.dispose();
    }
  }
});

test.serial('inputs not divisible by 16 are rejected when the model is built for a fixed size', (t) => {
  t.throws(() => buildModel({model: 'unet', baseWidth: 4}, {inputSize: 40}), {message: /multiple of 16/});
});
