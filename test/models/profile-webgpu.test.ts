// `mslk models profile` on webgpu (SwiftShader here, test/helpers/webgpu.ts): the profile carries the GPU memory TF.js
// holds after the training step (allocated: the pool's high-water mark; in use now), the adapter and images per
// second, and on wasm no GPU memory. A two-layer net at 8 px keeps it to seconds on the software adapter.
import {webgpuTest} from '../helpers/webgpu.js';
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import {activateBackend, selectBackend} from '../../src/engine/backends.js';
import {gpuMemory} from '../../src/engine/gpu-memory.js';
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
    t.is(p.gpuMemory, null);
    t.is(p.gpuAdapter, undefined);
    t.true((p.wasmHeapBytes ?? 0) > 0);
    t.is(gpuMemory(), null);
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
    const gpu = json.gpuMemory;
    t.truthy(gpu, 'gpuMemory in the JSON');
    // The step's batch alone, input and target, is 2 x 8 x 8 x (3 + 1) floats; the pool holds at least that.
    t.true(gpu!.allocatedBytes >= 2 * 8 * 8 * 4 * 4, JSON.stringify(gpu));
    t.true(gpu!.inUseBytes >= 0 && gpu!.inUseBytes <= gpu!.allocatedBytes, JSON.stringify(gpu));
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
