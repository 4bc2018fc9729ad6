// Whole-model re-parameterisation: fused == unfused in inference mode with random BN statistics everywhere.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import {buildModel} from '../../src/models/registry.js';
import {fuseForInference, hasUnfusedLayers} from '../../src/models/fuse.js';
import {countParams} from '../../src/models/profile/params.js';
import {maxAbsDiff, randomImage, randomiseNormalisation, useWasm} from './helpers.js';

test.before(useWasm);

for (const ld of [{}, {largeKernel: [13, 11, 9, 7], smallKernel: 5}, {smallKernel: null, levels: [2, 4]}]) {
  test.serial(`ms-lkseg fused == unfused (max abs diff < 1e-4), ld ${JSON.stringify(ld)}`, async (t) => {
    const {model} = buildModel({model: 'ms-lkseg', baseWidth: 4, ld}, {seed: 5});
    randomiseNormalisation(model.layers, 9);
    const fused = fuseForInference(model);
    t.false(hasUnfusedLayers(fused));
    const x = randomImage(2, 32, 1);
    const a = model.predict(x) as tf.Tensor;
    const b = fused.predict(x) as tf.Tensor;
    t.true((await maxAbsDiff(a, b)) < 1e-4);
    // BN folded away (and the small branch, when there is one).
    t.true(countParams(fused).total < countParams(model).total);
    t.like(fused.getUserDefinedMetadata(), {fused: true});
    tf.dispose([x, a, b]);
    model.dispose();
    fused.dispose();
  });
}
