// mslk against the independent PyTorch implementation (../shared/bench/torch-twin, Debian's python3-torch 1.13 CPU
// with oneDNN), measured in one run and alternating on the same shapes (the machine is noisy: only ratios taken
// this way mean anything). Per model and size: the training step (forward + loss + backward + optimiser update,
// batch 4, train mode) and the batch-1 inference latency (inference form, LD fused), mslk on wasm (one thread) and
// PyTorch on 1 thread and on every core; ratios mslk / PyTorch (below 1: mslk is faster) and images per second.
//   node --import=tsx bench/speed-vs-torch.ts [--sizes 128 256] [--models ms-lkseg unet] [--base-width 16] [--budget-ms 4000]
// Without python3-torch it says how to install it and prints mslk's figures alone.
import {execFile} from 'node:child_process';
import {existsSync} from 'node:fs';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {availableParallelism, tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {activeBackendName, selectBackend} from '../src/engine/backends.js';
import {parseModelConfig} from '../src/models/registry.js';
import {profileModelTraining} from '../src/training/profile-step.js';

const TWIN = fileURLToPath(new URL('../../shared/bench/torch-twin/', import.meta.url));
const PYTHON = '/usr/bin/python3';

function listArg(name: string, fallback: string[]): string[] {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const values: string[] = [];
  for (let j = i + 1; j < process.argv.length && !process.argv[j]!.startsWith('--'); j++) values.push(process.argv[j]!);
  return values.length > 0 ? values : fallback;
}

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

async function mslkBench(model: string, size: number): Promise<{stepMs: number; latencyMs: number}> {
  const config = parseModelConfig({model, baseWidth}, 'model');
  const profile = await profileModelTraining(config, {size, batch: BATCH, latencyRuns: 30, trainSteps: 10, countsOnly: false, budgetMs});
  const step = profile.unfused.trainStep;
  // Latency of the inference form: the fused model where the family re-parameterises (LD), as PyTorch's is.
  const latency = (profile.fused ?? profile.unfused).latency;
  if (step === undefined || latency === undefined) throw new Error(`${model} at ${size} px: not timed (${profile.unfused.trainError ?? 'no reason given'})`);
  return {stepMs: step.medianMs, latencyMs: latency.medianMs};
}

await selectBackend('wasm');
const missing = await torchAvailable();
if (missing !== null) console.error(`PyTorch figures skipped: ${missing}`);
const ratio = (a: number, b: number | undefined) => (b === undefined ? '-' : (a / b).toFixed(2));
const ms = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(0));
const header = ['model', 'size', `mslk ms/step (${activeBackendName()}, 1 thread)`, 'torch 1 thread', `torch ${cores} threads`, 'ratio 1t', `ratio ${cores}t`,
  'mslk img/s', 'mslk latency ms', 'torch latency 1t', 'latency ratio'];
const lines: string[][] = [header];
for (const size of sizes) {
  for (const model of models) {
    // PyTorch first, then mslk, per shape: the two alternate through the run.
    const torch = missing === null ? await torchBench(model, size) : [];
    const one = torch.find((r) => r.threads === 1);
    const all = torch.find((r) => r.threads === cores);
    const mine = await mslkBench(model, size);
    const row = [model, String(size), ms(mine.stepMs), ms(one?.train_step_ms), ms(all?.train_step_ms), ratio(mine.stepMs, one?.train_step_ms),
      ratio(mine.stepMs, all?.train_step_ms), ((BATCH * 1000) / mine.stepMs).toFixed(2), mine.latencyMs.toFixed(1), one ? one.latency_ms.toFixed(1) : '-',
      ratio(mine.latencyMs, one?.latency_ms)];
    console.error(row.join('  '));
    lines.push(row);
  }
}
const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
console.log(`base width ${baseWidth}, training batch ${BATCH}, latency batch 1; medians; ratio = mslk / PyTorch (below 1: mslk faster)`);
for (const l of lines) console.log(l.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
