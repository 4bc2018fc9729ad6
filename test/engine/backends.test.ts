// The WebGPU helper comes first: it points the Vulkan loader at SwiftShader before anything probes WebGPU.
import {testAdapter, webgpuTest} from '../helpers/webgpu.js';
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import {
  activeGpuAdapter, autoChoice, backendChoice, explainNativeLoadError, probeBackend, selectBackend, BACKEND_NAMES,
  type BackendStatus,
} from '../../src/engine/backends.js';

test('backend choice: the flag wins over MSLK_BACKEND, which wins over auto', (t) => {
  t.is(backendChoice(undefined, {}), 'auto');
  t.is(backendChoice(undefined, {MSLK_BACKEND: 'cpu'}), 'cpu');
  t.is(backendChoice('wasm', {MSLK_BACKEND: 'cpu'}), 'wasm');
  t.throws(() => backendChoice('wsam', {}), {message: /unknown backend 'wsam' in --backend: use one of auto, tensorflow/});
  t.throws(() => backendChoice(undefined, {MSLK_BACKEND: 'gpu'}), {message: /in MSLK_BACKEND/});
});

test('native load failures are explained in one line with the fix', (t) => {
  const missing = Object.assign(new Error("Cannot find package '@tensorflow/tfjs-node-gpu' imported from x"), {code: 'ERR_MODULE_NOT_FOUND'});
  t.regex(explainNativeLoadError('tensorflow', missing), /not installed: install it with `npm install @tensorflow\/tfjs-node-gpu@4\.22\.0`/);
  const cuda = new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory');
  t.is(explainNativeLoadError('tensorflow', cuda), 'libcudart.so.11.0 not found: tfjs-node-gpu 4.22 needs CUDA 11.2 + cuDNN 8.1 on the library path');
  const other = new Error('something odd\nwith a second line');
  t.is(explainNativeLoadError('tensorflow-cpu', other), '@tensorflow/tfjs-node failed to load: something odd');
});

test.serial('probing an unavailable backend says why and leaves the active backend alone', async (t) => {
  await tf.setBackend('cpu');
  const status = await probeBackend('tensorflow');
  t.false(status.available);
  t.true(status.detail.length > 10);
  t.is(tf.getBackend(), 'cpu');
});

test('autoChoice takes the first backend that trains and is not marked notForAuto', (t) => {
  const status = (name: BackendStatus['name'], available: boolean, notForAuto?: string): BackendStatus =>
    ({name, package: 'p', available, detail: 'd', ...(notForAuto === undefined ? {} : {notForAuto})});
  t.is(autoChoice([status('tensorflow', false), status('webgpu', true, 'software'), status('wasm', true), status('cpu', true)]), 'wasm');
  t.is(autoChoice([status('tensorflow', false), status('webgpu', true), status('wasm', true)]), 'webgpu');
  t.is(autoChoice([status('webgpu', true, 'software'), status('cpu', false)]), undefined);
});

test.serial('auto picks the first backend (in order of preference) that loads and passes the self-check', async (t) => {
  const {chosen, statuses} = await selectBackend('auto');
  t.deepEqual(statuses.map((s) => s.name), [...BACKEND_NAMES]);
  t.is(chosen, statuses.find((s) => s.available && s.notForAuto === undefined)!.name);
  const wasm = statuses.find((s) => s.name === 'wasm')!;
  t.true(wasm.available, wasm.detail);
  t.true(wasm.selfCheckError! < 1e-4);
  // A software WebGPU adapter is reported for auto without being started (its shaders take seconds to compile).
  const webgpu = statuses.find((s) => s.name === 'webgpu')!;
  if (testAdapter?.software === true) {
    t.false(webgpu.available);
    t.deepEqual(webgpu.adapter, testAdapter);
    t.regex(webgpu.detail, /^only .+, software: .*; `--backend webgpu` uses it$/);
    t.not(chosen, 'webgpu');
    t.falsy(tf.findBackendFactory('webgpu'));
  }
});

webgpuTest('probing webgpu by name starts it on the adapter; a software one trains but is marked notForAuto', async (t) => {
  await tf.setBackend('cpu');
  const status = await probeBackend('webgpu');
  t.true(status.available, status.detail);
  t.deepEqual(status.adapter, testAdapter);
  t.true(status.selfCheckError! < 1e-3);
  t.is(status.notForAuto === undefined, !testAdapter!.software);
  if (testAdapter!.software) t.regex(status.notForAuto!, /^a software adapter \(.+\): far slower than the CPU paths, so `auto` skips it; `--backend webgpu` uses it$/);
  t.is(tf.getBackend(), 'cpu');
  const {chosen} = await selectBackend('webgpu');
  t.is(chosen, 'webgpu');
  t.is(tf.getBackend(), 'webgpu');
  t.deepEqual(activeGpuAdapter(), testAdapter);
  await tf.setBackend('cpu');
});

test.serial('asking for a backend that cannot load is an error naming the backend and the reason', async (t) => {
  await t.throwsAsync(selectBackend('tensorflow-cpu'), {message: /^backend 'tensorflow-cpu' is unavailable: /});
});
