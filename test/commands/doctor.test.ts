// End to end through the CLI (TypeScript sources via bin/dev.js), as a user runs it. The WebGPU helper points the
// Vulkan loader at SwiftShader (unless the environment names a driver), so every doctor here sees that adapter.
import test from 'ava';
import {testAdapter, webgpuTest, WEBGPU_ENV} from '../helpers/webgpu.js';
import {runMslk, type CliResult} from '../helpers/cli.js';
import {installedVersion} from '../../src/version.js';
import {describeAdapter, type GpuAdapterRecord} from '../../src/engine/webgpu.js';

const installed = (name: string): boolean => installedVersion(name) !== undefined;


function mslk(...args: string[]): Promise<CliResult> {
  return runMslk(args, {MSLK_BACKEND: '', ...WEBGPU_ENV});
}

interface BackendJson {
  name: string;
  available: boolean;
  detail: string;
  adapter?: GpuAdapterRecord;
  notForAuto?: string;
}

interface ReportJson {
  ok: boolean;
  chosen: string | null;
  backends: BackendJson[];
  webgpu: {adapter: GpuAdapterRecord | null; reason?: string} | null;
  error?: unknown;
}

/** The adapter the tests' own process found (webgpuTest runs only where there is one). */
function adapter(): GpuAdapterRecord {
  if (testAdapter === undefined) throw new Error('no WebGPU adapter');
  return testAdapter;
}

/** Escapes a string for use inside a RegExp. */
const literal = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('mslk doctor --json: wasm chosen here, native backends unavailable with the reason, exit 0', async (t) => {
  const {code, stdout} = await mslk('doctor', '--json');
  t.is(code, 0);
  const report = JSON.parse(stdout) as {chosen: string; ok: boolean; backends: {name: string; available: boolean; detail: string}[]};
  t.true(report.ok);
  const byName = Object.fromEntries(report.backends.map((b) => [b.name, b]));
  t.true(byName['wasm']!.available);
  t.true(byName['cpu']!.available);
  // On a machine with libtensorflow installed, the native backends would be chosen instead.
  if (!byName['tensorflow']!.available && !byName['tensorflow-cpu']!.available) {
    t.is(report.chosen, 'wasm');
    t.regex(byName['tensorflow']!.detail, /tfjs-node-gpu/);
    t.regex(byName['tensorflow-cpu']!.detail, /tfjs-node/);
  }
});

test('mslk doctor says which CPU path the wasm backend runs, and MSLK_NATIVE=off switches the native one off', async (t) => {
  const on = await mslk('doctor');
  t.is(on.code, 0);
  t.regex(on.stdout, /^CPU path on wasm: (oneDNN \d+\.\d+\.\d+ \(.+\), \d+ threads?: convolutions and their gradients|.*(libdnnl-dev|build:native))/m);
  const off = await runMslk(['doctor', '--json'], {MSLK_BACKEND: '', MSLK_NATIVE: 'off'});
  t.is(off.code, 0);
  const report = JSON.parse(off.stdout) as {nativeCpu: {active: boolean; detail: string}};
  t.false(report.nativeCpu.active);
  t.regex(report.nativeCpu.detail, /MSLK_NATIVE=off/);
});

test('mslk bench engine --json times a step on the requested backend', async (t) => {
  const {code, stdout} = await mslk('bench', 'engine', '--backend', 'wasm', '--size', '16', '--batch', '1', '--steps', '2', '--json');
  t.is(code, 0);
  const {results} = JSON.parse(stdout) as {results: {backend: string; msPerStep: number; steps: number}[]};
  t.is(results.length, 1);
  t.is(results[0]!.backend, 'wasm');
  t.is(results[0]!.steps, 2);
  t.true(results[0]!.msPerStep > 0);
});

test('a bad flag value is one line naming the problem, no stack trace', async (t) => {
  const {code, stderr} = await mslk('bench', 'engine', '--backend', 'wsam');
  t.not(code, 0);
  t.regex(stderr, /Expected --backend=wsam to be one of/);
  t.regex(stderr, /see mslk bench engine --help/);
  t.notRegex(stderr, /See more help with --help|USAGE/);
  t.notRegex(stderr, /\n\s+at /);
});

test('mslk doctor --json when no probed backend trains: the report on stdout (no error object), exit 1', async (t) => {
  // Probing only the CUDA backend: it trains only where @tensorflow/tfjs-node-gpu, CUDA and cuDNN are installed.
  const {code, stdout} = await mslk('doctor', '--backend', 'tensorflow', '--json');
  const report = JSON.parse(stdout) as {ok: boolean; chosen: string | null; backends: {name: string; available: boolean}[]; error?: unknown};
  t.is(report.error, undefined);
  t.deepEqual(report.backends.map((b) => b.name), ['tensorflow']);
  t.is(code, report.ok ? 0 : 1);
  if (!installed('@tensorflow/tfjs-node-gpu')) {
    t.false(report.ok);
    t.is(report.chosen, null);
    t.is(code, 1);
  }
});

webgpuTest('mslk doctor --backend webgpu names the adapter, hardware or software, and exits 0 (it trains)', async (t) => {
  const text = await mslk('doctor', '--backend', 'webgpu');
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, new RegExp(`^  \\* webgpu +available: WebGPU \\(Dawn\\) on ${literal(describeAdapter(adapter()))}$`, 'm'));
  t.regex(text.stdout, new RegExp(`^Chosen backend: webgpu on ${literal(describeAdapter(adapter()))}$`, 'm'));
  t.regex(text.stdout, adapter().software ? /\(google swiftshader, software: a CPU implementation/ : /, hardware\)$/m);
  // A software adapter trains when named, and doctor says that auto would skip it, and why.
  if (adapter().software) t.regex(text.stdout, /^ {20}a software adapter \(.+\): far slower than the CPU paths, so `auto` skips it; `--backend webgpu` uses it$/m);
  const json = await mslk('doctor', '--backend', 'webgpu', '--json');
  t.is(json.code, 0);
  const report = JSON.parse(json.stdout) as ReportJson;
  t.deepEqual(report.webgpu, {adapter: adapter()});
  t.deepEqual(report.backends.map((b) => [b.name, b.available, b.adapter]), [['webgpu', true, adapter()]]);
  t.is(report.backends[0]!.notForAuto === undefined, !adapter().software);
  t.is(report.chosen, 'webgpu');
  t.true(report.ok);
});

test('mslk doctor with VK_ICD_FILENAMES naming a missing file: webgpu unavailable, one line with the fix, exit 1', async (t) => {
  const env = {MSLK_BACKEND: '', VK_ICD_FILENAMES: '/nonexistent/vk_icd.json', VK_DRIVER_FILES: undefined};
  const text = await runMslk(['doctor', '--backend', 'webgpu'], env);
  t.is(text.code, 1);
  const lines = text.stdout.split('\n');
  const at = lines.findIndex((l) => l.startsWith('  - webgpu'));
  t.regex(lines[at] ?? '', /^  - webgpu +unavailable: no WebGPU adapter: VK_ICD_FILENAMES=\/nonexistent\/vk_icd\.json names no Vulkan driver manifest that exists: fix the path, or unset it and install your GPU's Vulkan driver .*VK_ICD_FILENAMES=\/usr\/lib\/chromium\/vk_swiftshader_icd\.json$/);
  // One line: the next one is the next section, not a continuation, and nothing (Dawn, a stack) on stderr.
  t.regex(lines[at + 1] ?? '', /^CPU path on wasm: /);
  t.is(text.stderr, '');
  const json = await runMslk(['doctor', '--backend', 'webgpu', '--json'], env);
  t.is(json.code, 1);
  const report = JSON.parse(json.stdout) as ReportJson;
  t.is(report.error, undefined);
  t.is(report.webgpu?.adapter, null);
  t.regex(report.webgpu?.reason ?? '', /^VK_ICD_FILENAMES=\/nonexistent\/vk_icd\.json names no Vulkan driver manifest that exists: fix the path/);
  t.false(report.webgpu?.reason?.includes('\n') ?? true);
  t.is(report.backends[0]!.detail, report.webgpu?.reason ?? 'no reason');
  t.false('adapter' in report.backends[0]!);
  t.is(report.chosen, null);
  t.is(json.stderr, '');
});

webgpuTest('a full mslk doctor lists the WebGPU adapter; auto does not choose a software one', async (t) => {
  const json = await mslk('doctor', '--json');
  t.is(json.code, 0);
  const report = JSON.parse(json.stdout) as ReportJson;
  const webgpu = report.backends.find((b) => b.name === 'webgpu')!;
  t.deepEqual(report.webgpu, {adapter: adapter()});
  t.deepEqual(webgpu.adapter, adapter());
  t.true(webgpu.available, webgpu.detail);
  t.is(report.chosen, report.backends.find((b) => b.available && b.notForAuto === undefined)!.name);
  if (adapter().software) {
    t.regex(webgpu.notForAuto ?? '', /^a software adapter \(.+\): far slower than the CPU paths, so `auto` skips it/);
    t.not(report.chosen, 'webgpu');
    // With neither native package installed (this machine), the CPU path on wasm.
    if (!installed('@tensorflow/tfjs-node-gpu') && !installed('@tensorflow/tfjs-node')) t.is(report.chosen, 'wasm');
  } else {
    t.is(webgpu.notForAuto, undefined);
  }
  const text = await mslk('doctor');
  t.is(text.code, 0);
  t.regex(text.stdout, new RegExp(`^  ${adapter().software ? '\\+' : '[*+]'} webgpu +available${adapter().software ? ', auto skips it' : ''}: WebGPU \\(Dawn\\) on ${literal(describeAdapter(adapter()))}$`, 'm'));
  t.regex(text.stdout, new RegExp(`^Chosen backend: ${report.chosen}$`, 'm'));
});
