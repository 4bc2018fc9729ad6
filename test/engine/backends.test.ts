import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import {
  backendChoice, explainNativeLoadError, probeBackend, selectBackend, BACKEND_NAMES,
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

test.serial('auto picks the first backend (in order of preference) that loads and passes the self-check', async (t) => {
  const {chosen, statuses} = await selectBackend('auto');
  t.deepEqual(statuses.map((s) => s.name), [...BACKEND_NAMES]);
  t.is(chosen, statuses.find((s) => s.available)!.name);
  const wasm = statuses.find((s) => s.name === 'wasm')!;
  t.true(wasm.available, wasm.detail);
  t.true(wasm.selfCheckError! < 1e-4);
});

test.serial('asking for a backend that cannot load is an error naming the backend and the reason', async (t) => {
  await t.throwsAsync(selectBackend('tensorflow-cpu'), {message: /^backend 'tensorflow-cpu' is unavailable: /});
});
