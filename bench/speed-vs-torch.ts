// mslk against the independent PyTorch implementation (../shared/bench/torch-twin), measured in one run and
// alternating on the same shapes (the machine is noisy: only ratios taken this way mean anything). Per model, base
// width and size: the training step (forward + loss + backward + optimiser update, train mode, each step timed up to
// its loss read back) and the batch-1 inference latency (inference form, LD fused), as images per second and ratios
// mslk / PyTorch (below 1: mslk is faster).
//
// On the CPU (--backend wasm, the default): mslk on the wasm path alone (MSLK_NATIVE=off, one thread: the figures
// before the native path), with the native oneDNN path on 1 thread and on every core, and PyTorch (Debian's
// python3-torch 1.13 CPU with oneDNN) on 1 thread and on every core; ratios at the same number of threads.
// On a GPU (--backend webgpu): mslk on WebGPU (the adapter named, GPU memory held by TF.js reported) against PyTorch
// on CUDA where torch sees a GPU (cuDNN, synchronised), else against PyTorch on every core, said so.
//   node --import=tsx bench/speed-vs-torch.ts [--backend wasm|webgpu] [--sizes 128 256] [--models ms-lkseg unet]
//     [--base-width 16 32] [--batch 4] [--budget-ms 4000]
// MSLK_PYTHON names the python with torch (default /usr/bin/python3, else python3 on the PATH); MSLK_TORCH_TWIN the
// twin's folder (default ../shared/bench/torch-twin beside the checkout). Without torch it says how to get it and
// prints mslk's figures alone.
import {execFile} from 'node:child_process';
import {existsSync} from 'node:fs';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {availableParallelism, tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {formatBytes} from '../src/cli/format.js';
import {backendChoice, selectBackend} from '../src/engine/backends.js';
import {nativeCpu, setNativeThreads, useNativeCpu} from '../src/engine/native/dnnl.js';
import {describeAdapter} from '../src/engine/webgpu.js';
import type {ModelProfile} from '../src/models/profile/profile.js';
import {parseModelConfig} from '../src/models/registry.js';
import {profileModelTraining} from '../src/training/profile-step.js';
import {listArg} from './args.js';

const TWIN = process.env['MSLK_TORCH_TWIN'] ?? fileURLToPath(new URL('../../shared/bench/torch-twin/', import.meta.url));
const PYTHON = process.env['MSLK_PYTHON'] ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

const backend = backendChoice(listArg('backend', ['wasm'])[0]);
if (backend !== 'wasm' && backend !== 'webgpu') throw new Error(`--backend ${backend}: this benchmark compares wasm (the CPU paths) or webgpu with PyTorch`);
const onGpu = backend === 'webgpu';
const sizes = listArg('sizes', ['128', '256']).map(Number);
const models = listArg('models', ['ms-lkseg', 'unet']);
const baseWidths = listArg('base-width', ['16']).map(Number);
const budgetMs = Number(listArg('budget-ms', ['4000'])[0]);
const batch = Number(listArg('batch', ['4'])[0]);
const cores = availableParallelism();
const run = promisify(execFile);

/** PyTorch's figures for one model and size: train step and latency medians (ms) per thread count (1 on CUDA). */
interface TorchRow {threads: number; train_step_ms: number; latency_ms: number}

/** Why PyTorch cannot be measured, or null; on a GPU, whether it runs on CUDA. */
async function torchAvailable(): Promise<{missing: string | null; cuda: boolean; gpu?: string}> {
  if (!existsSync(join(TWIN, 'bench.py'))) return {missing: `the PyTorch twin is not at ${TWIN} (it lives in ../shared/bench/torch-twin; MSLK_TORCH_TWIN names another folder)`, cuda: false};
  try {
    const {stdout} = await run(PYTHON, ['-c', 'import torch; print(torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")'], {cwd: TWIN});
    const gpu = stdout.trim();
    return gpu === '' ? {missing: null, cuda: false} : {missing: null, cuda: true, gpu};
  } catch {
    return {missing: `${PYTHON} cannot import torch: apt-get install python3-torch (Debian's PyTorch 1.13 CPU), or MSLK_PYTHON=<a python with torch>`, cuda: false};
  }
}

async function torchBench(model: string, size: number, baseWidth: number, cuda: boolean): Promise<TorchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-torch-bench-'));
  try {
    const json = join(dir, 'bench.json');
    const device = cuda ? ['--device', 'cuda'] : ['--threads', ...[...new Set([1, cores])].map(String)];
    await run(PYTHON, ['bench.py', '--sizes', String(size), '--models', model, ...device, '--batch', String(batch),
      '--base-width', String(baseWidth), '--budget', String(budgetMs / 1000), '--min-steps', '3', '--max-steps', cuda ? '30' : '10', '--json', json],
    {cwd: TWIN, maxBuffer: 16 * 2 ** 20});
    return (JSON.parse(await readFile(json, 'utf8')) as {rows: TorchRow[]}).rows;
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
}

interface MslkFigures {stepMs: number; latencyMs: number; profile: ModelProfile}

async function mslkBench(model: string, size: number, baseWidth: number): Promise<MslkFigures> {
  const config = parseModelConfig({model, baseWidth}, 'model');
  const profile = await profileModelTraining(config, {size, batch, latencyRuns: 30, trainSteps: onGpu ? 20 : 10, countsOnly: false, budgetMs});
  const step = profile.unfused.trainStep;
  // Latency of the inference form: the fused model where the family re-parameterises (LD), as PyTorch's is.
  const latency = (profile.fused ?? profile.unfused).latency;
  if (step === undefined || latency === undefined) throw new Error(`${model} at ${size} px: not timed (${profile.unfused.trainError ?? 'no reason given'})`);
  return {stepMs: step.medianMs, latencyMs: latency.medianMs, profile};
}

/** mslk on the wasm path alone, then on the native path with 1 thread and with every core. */
async function mslkPaths(model: string, size: number, baseWidth: number): Promise<{wasm: MslkFigures; one?: MslkFigures; all?: MslkFigures}> {
  useNativeCpu(false);
  const wasm = await mslkBench(model, size, baseWidth);
  useNativeCpu(true);
  if (!nativeCpu().active) return {wasm};
  setNativeThreads(1);
  const one = await mslkBench(model, size, baseWidth);
  setNativeThreads(cores);
  const all = await mslkBench(model, size, baseWidth);
  return {wasm, one, all};
}

await selectBackend(backend);
if (!onGpu && !nativeCpu().active) console.error(`native path not measured: ${nativeCpu().detail}`);
const torch = await torchAvailable();
if (torch.missing !== null) console.error(`PyTorch figures skipped: ${torch.missing}`);
else if (onGpu && !torch.cuda) console.error('PyTorch sees no CUDA device: mslk on WebGPU is compared with PyTorch on the CPU, every core');
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '-' : (a / b).toFixed(2));
const ms = (v: number | undefined, digits = 0) => (v === undefined ? '-' : v.toFixed(digits));
const perSecond = (stepMs: number | undefined) => (stepMs === undefined ? '-' : ((batch * 1000) / stepMs).toFixed(2));
const torchLabel = torch.cuda ? 'torch cuda' : `torch ${cores}t`;
const header = onGpu
  ? ['model', 'width', 'size', 'webgpu', torchLabel, 'ratio', 'img/s webgpu', `img/s ${torchLabel}`, 'GPU mem', 'lat webgpu', `lat ${torchLabel}`, 'lat ratio']
  : ['model', 'width', 'size', 'wasm 1t', 'native 1t', `native ${cores}t`, 'torch 1t', `torch ${cores}t`, 'ratio 1t', `ratio ${cores}t`,
    `img/s native ${cores}t`, 'lat wasm', 'lat native 1t', `lat native ${cores}t`, 'lat torch 1t', `lat torch ${cores}t`, 'lat ratio 1t', `lat ratio ${cores}t`];
const lines: string[][] = [header];
let adapter = '';
for (const size of sizes) {
  for (const baseWidth of baseWidths) {
    for (const model of models) {
      // PyTorch first, then mslk, per shape: the two alternate through the run.
      const rows = torch.missing === null ? await torchBench(model, size, baseWidth, onGpu && torch.cuda) : [];
      const t1 = rows.find((r) => r.threads === 1);
      const tn = rows.find((r) => r.threads === cores);
      let row: string[];
      if (onGpu) {
        const mine = await mslkBench(model, size, baseWidth);
        const t = torch.cuda ? t1 : tn;
        const gpu = mine.profile.peakGpuBytes;
        if (mine.profile.gpuAdapter) adapter = describeAdapter(mine.profile.gpuAdapter);
        row = [model, String(baseWidth), String(size), ms(mine.stepMs), ms(t?.train_step_ms), ratio(mine.stepMs, t?.train_step_ms),
          perSecond(mine.stepMs), perSecond(t?.train_step_ms), gpu ? formatBytes(gpu) : '-',
          ms(mine.latencyMs, 1), ms(t?.latency_ms, 1), ratio(mine.latencyMs, t?.latency_ms)];
      } else {
        const mine = await mslkPaths(model, size, baseWidth);
        row = [model, String(baseWidth), String(size), ms(mine.wasm.stepMs), ms(mine.one?.stepMs), ms(mine.all?.stepMs), ms(t1?.train_step_ms), ms(tn?.train_step_ms),
          ratio(mine.one?.stepMs, t1?.train_step_ms), ratio(mine.all?.stepMs, tn?.train_step_ms), mine.all ? perSecond(mine.all.stepMs) : '-',
          ms(mine.wasm.latencyMs, 1), ms(mine.one?.latencyMs, 1), ms(mine.all?.latencyMs, 1), ms(t1?.latency_ms, 1), ms(tn?.latency_ms, 1),
          ratio(mine.one?.latencyMs, t1?.latency_ms), ratio(mine.all?.latencyMs, tn?.latency_ms)];
      }
      console.error(row.join('  '));
      lines.push(row);
    }
  }
}
const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
console.log(onGpu
  ? `training batch ${batch} (ms per step, each up to its loss read back), latency batch 1 (ms); medians; ratio = mslk webgpu / ${torch.cuda ? `PyTorch CUDA (${torch.gpu})` : `PyTorch on ${cores} CPU threads`} (below 1: mslk faster); GPU mem = the GPU memory TF.js held, high-water mark; mslk on ${adapter || 'webgpu'}`
  : `training batch ${batch} (ms per step), latency batch 1 (ms); medians; ratio = mslk native / PyTorch at the same threads (below 1: mslk faster); ${nativeCpu().detail}`);
for (const l of lines) console.log(l.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
