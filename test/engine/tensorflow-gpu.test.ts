// tfjs-node-gpu honesty, through the CLI. libtensorflow cannot be installed here, so the child process loads a
// stand-in for @tensorflow/tfjs-node-gpu (test/fixtures/tfjs-node-gpu-stand-in: a TF.js backend named 'tensorflow'
// computing with the cpu kernels, whose isUsingGpuDevice is false, or true in the 'gpu' variant) through a module
// resolution hook given to that child alone with `node --import`: nothing goes into node_modules, which tests
// running in parallel share.
import test from 'ava';
import {execFile} from 'node:child_process';
import {existsSync} from 'node:fs';
import {mkdtemp} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {promisify} from 'node:util';
import {PROJECT_ROOT, type CliResult} from '../helpers/cli.js';
import {TENSORFLOW_NO_GPU} from '../../src/engine/backends.js';

const REGISTER = pathToFileURL(join(PROJECT_ROOT, 'test/fixtures/tfjs-node-gpu-stand-in/register.js')).href;

/** `mslk <args>` (bin/dev.js under tsx, as runMslk) with '@tensorflow/tfjs-node-gpu' resolving to the stand-in. */
async function mslkWithStandIn(variant: 'no-gpu' | 'gpu', args: readonly string[]): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {...process.env, MSLK_DEBUG: '', MSLK_BACKEND: '', TFJS_NODE_GPU_STAND_IN: variant};
  try {
    const {stdout, stderr} = await promisify(execFile)(process.execPath, ['--import=tsx', `--import=${REGISTER}`, 'bin/dev.js', ...args], {cwd: PROJECT_ROOT, env});
    return {code: 0, stdout, stderr};
  } catch (error) {
    const e = error as {code: number; stdout: string; stderr: string};
    return {code: e.code, stdout: e.stdout, stderr: e.stderr};
  }
}

interface Report {
  ok: boolean;
  chosen: string | null;
  backends: {name: string; available: boolean; detail: string; selfCheckError?: number; notForAuto?: string}[];
  webgpu: {adapter: {software: boolean} | null} | null;
  error?: unknown;
}

function tensorflowOf(report: Report): Report['backends'][number] {
  const status = report.backends.find((b) => b.name === 'tensorflow');
  if (status === undefined) throw new Error('no tensorflow entry in the report');
  return status;
}

test('the refusal is one line naming CUDA 11.2, cuDNN 8.1 and --backend webgpu', (t) => {
  t.false(TENSORFLOW_NO_GPU.includes('\n'));
  t.regex(TENSORFLOW_NO_GPU, /CUDA 11\.2/);
  t.regex(TENSORFLOW_NO_GPU, /cuDNN 8\.1/);
  t.regex(TENSORFLOW_NO_GPU, /`--backend webgpu`/);
});

test('tfjs-node-gpu without a GPU device: doctor --backend tensorflow says it would train on the CPU, exit 1', async (t) => {
  const {code, stdout, stderr} = await mslkWithStandIn('no-gpu', ['doctor', '--backend', 'tensorflow', '--json']);
  const report = JSON.parse(stdout) as Report;
  t.is(report.error, undefined);
  t.deepEqual(report.backends.map((b) => b.name), ['tensorflow']);
  // The stand-in loaded (not "is not installed"), and was refused for registering no GPU.
  t.false(tensorflowOf(report).available);
  t.is(tensorflowOf(report).detail, TENSORFLOW_NO_GPU);
  t.is(report.chosen, null);
  t.false(report.ok);
  t.is(code, 1);
  t.notRegex(stderr, /\n\s+at /);
});

test('tfjs-node-gpu without a GPU device: auto does not choose tensorflow', async (t) => {
  const {code, stdout} = await mslkWithStandIn('no-gpu', ['doctor', '--json']);
  t.is(code, 0);
  const report = JSON.parse(stdout) as Report;
  t.false(tensorflowOf(report).available);
  t.is(tensorflowOf(report).detail, TENSORFLOW_NO_GPU);
  t.not(report.chosen, 'tensorflow');
  t.is(report.chosen, report.backends.find((b) => b.available && b.notForAuto === undefined)?.name ?? null);
  // tensorflow-cpu cannot load beside it (both register 'tensorflow'): a CPU path wins unless Vulkan has a GPU.
  if (report.webgpu?.adapter?.software !== false) t.is(report.chosen, 'wasm');
});

test('tfjs-node-gpu with a GPU device: tensorflow is available and chosen, by name and by auto', async (t) => {
  const named = await mslkWithStandIn('gpu', ['doctor', '--backend', 'tensorflow', '--json']);
  t.is(named.code, 0);
  const one = JSON.parse(named.stdout) as Report;
  t.true(tensorflowOf(one).available, tensorflowOf(one).detail);
  t.regex(tensorflowOf(one).detail, /TensorFlow registered a GPU/);
  t.is(tensorflowOf(one).selfCheckError, 0);
  t.is(one.chosen, 'tensorflow');
  t.true(one.ok);
  const auto = await mslkWithStandIn('gpu', ['doctor', '--json']);
  t.is(auto.code, 0);
  const all = JSON.parse(auto.stdout) as Report;
  t.is(all.chosen, 'tensorflow');
  t.is(all.backends[0]!.name, 'tensorflow');
});

test('mslk train --backend tensorflow without a GPU device: one line, no stack trace, nothing written', async (t) => {
  const out = join(await mkdtemp(join(tmpdir(), 'mslk-tf-gpu-')), 'runs');
  const {code, stdout, stderr} = await mslkWithStandIn('no-gpu', ['train', 'configs/quickstart.yaml', '--backend', 'tensorflow', '--out', out]);
  t.is(code, 1);
  t.is(stderr, `Error: backend 'tensorflow' is unavailable: ${TENSORFLOW_NO_GPU}\n`);
  t.is(stdout, '');
  t.false(existsSync(out));
});
