// mslk against the independent PyTorch implementation (../shared/bench/torch-twin, Debian's python3-torch 1.13 CPU
// with oneDNN), measured in one run and alternating on the same shapes (the machine is noisy: only ratios taken
// this way mean anything). Per model and size: the training step (forward + loss + backward + optimiser update,
// batch 4, train mode) and the batch-1 inference latency (inference form, LD fused), for mslk on the wasm path
// alone (MSLK_NATIVE=off, one thread: the figures before the native path), mslk with the native oneDNN path on
// 1 thread and on every core, and PyTorch on 1 thread and on every core; ratios mslk / PyTorch at the same number
// of threads (below 1: mslk is faster) and images per second.
//   node --import=tsx bench/speed-vs-torch.ts [--sizes 128 256] [--models ms-lkseg unet] [--base-width 16] [--budget-ms 4000]
// Without python3-torch it says how to install it and prints mslk's figures alone.
import {execFile} from 'node:child_process';
import {existsSync} from 'node:fs';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {availableParallelism, tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {selectBackend} from '../src/engine/backends.js';
import {nativeCpu, setNativeThreads, useNativeCpu} from '../src/engine/native/dnnl.js';
import {parseModelConfig} from '../src/models/registry.js';
import {profileModelTraining} from '../src/training/profile-step.js';
import {listArg} from './args.js';

const TWIN = fileURLToPath(new URL('../../shared/bench/torch-twin/', import.meta.url));
const PYTHON = '/usr/bin/python3';

const sizes = listArg('sizes', ['128', '256']).map(Number);
const models = listArg('models', ['ms-lkseg', 'unet']);
const baseWidth = Number(listArg('base-width', ['16'])[0]);
const budgetMs = Number(listArg('budget-ms', ['4000'])[0]);
const BATCH = 4;
const cores = availableParallelism();

/** PyTorch's figures for one model and size: train step and latency medians (ms) per thread count. */
interface TorchRow {threads: number; train_step_ms: number; latency_ms: number}

async function torchAvailable(): Promise<string | null> {
  if (!existsSync(join(TWIN, 'bench.py'))) return `the PyTorch twin is not at ${TWIN} (it lives in ../shared/bench/torch-twin)`;
  try {
    await promisify(execFile)(PYTHON, ['-c', 'import torch'], {cwd: TWIN});
    return null;
  } catch {
    return 'python3-torch is not installed: apt-get install python3-torch (Debian\'s PyTorch 1.13 CPU)';
  }
}

async function torchBench(model: string, size: number): Promise<TorchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-torch-bench-'));
  try {
    const json = join(dir, 'bench.json');
    const threads = [...new Set([1, cores])].map(String);
    await promisify(execFile)(PYTHON, ['bench.py', '--sizes', String(size), '--models', model, '--threads', ...threads, '--batch', String(BATCH),
      '--base-width', String(baseWidth), '--budget', String(budgetMs / 1000), '--min-steps', '3', '--max-steps', '10', '--json', json],
    {cwd: TWIN, maxBuffer: 16 * 2 ** 20});
    return (JSON.parse(await readFile(json, 'utf8')) as {rows: TorchRow[]}).rows;
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
}

interface MslkFigures {stepMs: number; latencyMs: number}

async function mslkBench(model: string, size: number): Promise<MslkFigures> {
  const config = parseModelConfig({model, baseWidth}, 'model');
  const profile = await profileModelTraining(config, {size, batch: BATCH, latencyRuns: 30, trainSteps: 10, countsOnly: false, budgetMs});
  const step = profile.unfused.trainStep;
  // Latency of the inference form: the fused model where the family re-parameterises (LD), as PyTorch's is.
  const latency = (profile.fused ?? profile.unfused).latency;
  if (step === undefined || latency === undefined) throw new Error(`${model} at ${size} px: not timed (${profile.unfused.trainError ?? 'no reason given'})`);
  return {stepMs: step.medianMs, latencyMs: latency.medianMs};
}

/** mslk on the wasm path alone, then on the native path with 1 thread and with every core. */
async function mslkPaths(model: string, size: number): Promise<{wasm: MslkFigures; one?: MslkFigures; all?: MslkFigures}> {
  useNativeCpu(false);
  const wasm = await mslkBench(model, size);
  useNativeCpu(true);
  if (!nativeCpu().active) return {wasm};
  setNativeThreads(1);
  const one = await mslkBench(model, size);
  setNativeThreads(cores);
  const all = await mslkBench(model, size);
  return {wasm, one, all};
}

await selectBackend('wasm');
if (!nativeCpu().active) console.error(`native path not measured: ${nativeCpu().detail}`);
const missing = await torchAvailable();
if (missing !== null) console.error(`PyTorch figures skipped: ${missing}`);
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '-' : (a / b).toFixed(2));
const ms = (v: number | undefined, digits = 0) => (v === undefined ? '-' : v.toFixed(digits));
const header = ['model', 'size', 'wasm 1t', 'native 1t', `native ${cores}t`, 'torch 1t', `torch ${cores}t`, 'ratio 1t', `ratio ${cores}t`,
  `img/s native ${cores}t`, 'lat wasm', 'lat native 1t', `lat native ${cores}t`, 'lat torch 1t', `lat torch ${cores}t`, 'lat ratio 1t', `lat ratio ${cores}t`];
const lines: string[][] = [header];
for (const size of sizes) {
  for (const model of models) {
    // PyTorch first, then mslk, per shape: the two alternate through the run.
    const torch = missing === null ? await torchBench(model, size) : [];
    const t1 = torch.find((r) => r.threads === 1);
    const tn = torch.find((r) => r.threads === cores);
    const mine = await mslkPaths(model, size);
    const row = [model, String(size), ms(mine.wasm.stepMs), ms(mine.one?.stepMs), ms(mine.all?.stepMs), ms(t1?.train_step_ms), ms(tn?.train_step_ms),
      ratio(mine.one?.stepMs, t1?.train_step_ms), ratio(mine.all?.stepMs, tn?.train_step_ms),
      mine.all ? ((BATCH * 1000) / mine.all.stepMs).toFixed(2) : '-',
      ms(mine.wasm.latencyMs, 1), ms(mine.one?.latencyMs, 1), ms(mine.all?.latencyMs, 1), ms(t1?.latency_ms, 1), ms(tn?.latency_ms, 1),
      ratio(mine.one?.latencyMs, t1?.latency_ms), ratio(mine.all?.latencyMs, tn?.latency_ms)];
    console.error(row.join('  '));
    lines.push(row);
  }
}
const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
console.log(`base width ${baseWidth}, training batch ${BATCH} (ms per step), latency batch 1 (ms); medians; ratio = mslk native / PyTorch at the same threads (below 1: mslk faster); ${nativeCpu().detail}`);
for (const l of lines) console.log(l.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
