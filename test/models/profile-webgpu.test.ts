// `mslk models profile` on webgpu (SwiftShader here, test/helpers/webgpu.ts): the profile carries the GPU memory TF.js
// holds after the training step (its high-water mark, peakGpuBytes as in manifests), the adapter and images per
// second, and on wasm no GPU memory. A two-layer net at 8 px keeps it to seconds on the software adapter.
import {webgpuTest} from '../helpers/webgpu.js';
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import {activateBackend, gpuAllocatedBytes, selectBackend} from '../../src/engine/backends.js';
import {SINGLE_OUTPUT} from '../../src/models/heads.js';
import {profileBuiltModel} from '../../src/models/profile/profile.js';
import {defaultTrainConfig} from '../../src/runs/config.js';
import {stepRunner, trainableOf} from '../../src/training/step.js';

function tinyNet(): tf.LayersModel {
  const input = tf.input({shape: [8, 8, 3]});
  const hidden = tf.layers.conv2d({filters: 4, kernelSize: 3, padding: 'same', activation: 'relu'}).apply(input) as tf.SymbolicTensor;
  const logits = tf.layers.conv2d({filters: 1, kernelSize: 1}).apply(hidden) as tf.SymbolicTensor;
  return tf.model({inputs: input, outputs: logits});
}

const options = {
  size: 8, batch: 2, latencyRuns: 2, trainSteps: 2, countsOnly: false, budgetMs: 60_000,
  trainingStep: (m: tf.LayersModel) => stepRunner(trainableOf(m, SINGLE_OUTPUT), defaultTrainConfig()),
};

test.serial('on wasm a profile has no GPU memory (null) and no adapter', async (t) => {
  await activateBackend('wasm');
  const model = tinyNet();
  try {
    const p = await profileBuiltModel(model, SINGLE_OUTPUT, options);
    t.is(p.backend, 'wasm');
    t.is(p.peakGpuBytes, null);
    t.is(p.gpuAdapter, undefined);
    t.true((p.wasmHeapBytes ?? 0) > 0);
    t.is(gpuAllocatedBytes(), null);
  } finally {
    model.dispose();
  }
});

webgpuTest('on webgpu the profile (its JSON too) carries the GPU memory held after the training step, the adapter and images per second', async (t) => {
  await selectBackend('webgpu');
  const model = tinyNet();
  try {
    const p = await profileBuiltModel(model, SINGLE_OUTPUT, options);
    t.is(p.backend, 'webgpu');
    t.is(p.wasmHeapBytes, null);
    const json = JSON.parse(JSON.stringify(p)) as typeof p;
    // The step's batch alone, input and target, is 2 x 8 x 8 x (3 + 1) floats; the pool holds at least that.
    t.true((json.peakGpuBytes ?? 0) >= 2 * 8 * 8 * 4 * 4, `peakGpuBytes in the JSON: ${json.peakGpuBytes}`);
    t.truthy(json.gpuAdapter?.description || json.gpuAdapter?.architecture);
    const step = json.unfused.trainStep!;
    t.is(step.runs, 2);
    t.true(Math.abs(json.unfused.trainImagesPerSecond! - 2000 / step.medianMs) < 1e-9);
    t.is(json.unfused.trainError, undefined);
  } finally {
    model.dispose();
    await tf.setBackend('wasm');
  }
});
