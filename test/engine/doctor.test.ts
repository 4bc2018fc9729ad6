// The WebGPU helper comes first: it points the Vulkan loader at SwiftShader before anything probes WebGPU.
import {testAdapter, webgpuTest} from '../helpers/webgpu.js';
import test from 'ava';
import {mkdtemp} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {runDoctor} from '../../src/engine/doctor.js';
import {autoChoice, BACKEND_NAMES} from '../../src/engine/backends.js';
import {MSLK_VERSION} from '../../src/version.js';

async function freshDataRoot(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'mslk-doctor-')), 'not-yet-created');
}

test('runDoctor reports on the data root it is given and on the backends it is asked about', async (t) => {
  const dataRoot = await freshDataRoot();
  const report = await runDoctor({dataRoot, backends: ['cpu']});
  t.is(report.dataRoot.path, dataRoot);
  // Free space of the file system of the nearest existing ancestor.
  t.true((report.dataRoot.freeBytes ?? 0) > 0);
  t.deepEqual(report.backends.map((b) => b.name), ['cpu']);
  t.is(report.chosen, 'cpu');
  t.true(report.ok);
  t.is(report.mslk, MSLK_VERSION);
  t.is(report.code.runningFrom, 'src');
  // webgpu was not asked about: no adapter probed.
  t.is(report.webgpu, null);
});

webgpuTest('runDoctor asked about webgpu carries its adapter and chooses it, a software one included', async (t) => {
  const report = await runDoctor({dataRoot: await freshDataRoot(), backends: ['webgpu']});
  t.deepEqual(report.webgpu, {adapter: testAdapter!});
  const [webgpu] = report.backends;
  t.true(webgpu!.available, webgpu!.detail);
  t.deepEqual(webgpu!.adapter, testAdapter);
  t.is(webgpu!.notForAuto === undefined, !testAdapter!.software);
  t.is(report.chosen, 'webgpu');
  t.true(report.ok);
});

webgpuTest('runDoctor over every backend: auto\'s choice, which is never a software adapter', async (t) => {
  const report = await runDoctor({dataRoot: await freshDataRoot()});
  t.deepEqual(report.backends.map((b) => b.name), [...BACKEND_NAMES]);
  t.deepEqual(report.webgpu, {adapter: testAdapter!});
  t.is(report.chosen, autoChoice(report.backends) ?? null);
  const webgpu = report.backends.find((b) => b.name === 'webgpu')!;
  t.true(webgpu.available, webgpu.detail);
  if (testAdapter!.software) {
    t.regex(webgpu.notForAuto ?? '', /software adapter/);
    t.not(report.chosen, 'webgpu');
  }
});
