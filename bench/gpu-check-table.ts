// The table bench/gpu-check.sh ends with: per model and base width, mslk's training step on WebGPU (`mslk models
// profile --backend webgpu --json`: median and IQR, each step up to its loss read back; images/s; TF.js's GPU memory
// high-water mark; batch-1 latency of the inference form) beside the PyTorch twin on the same GPU (bench.py --device
// cuda: cuDNN, synchronised), the ratios mslk / PyTorch (below 1: mslk faster), and mslk's CPU-path figures for the
// same shape where bench/cpu-path-figures.json records one (speed-up = CPU-path ms / webgpu ms).
//
// It imports nothing but Node's own modules: the pack step (bench/gpu-check-pack.sh) compiles it alone, and it runs
// with plain node on the device machine.
//   node gpu-check-table.js <results folder> [<cpu-path-figures.json>]
// The results folder holds mslk-<model>-bw<width>.json (the profile), torch-bw<width>.json (bench.py's --json) and
// runs.tsv (one line per run: kind, model or '-', width, exit status, seconds); it writes table.md and results.json
// there and prints the table.
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

interface Timing {medianMs: number; iqrMs: [number, number]; runs: number}
interface Profile {
  backend: string;
  size: number;
  batch: number;
  config: {model: string; baseWidth?: number};
  unfused: {trainStep?: Timing; trainImagesPerSecond?: number; trainError?: string; latency?: Timing; macs: number};
  fused?: {latency?: Timing};
  peakGpuBytes?: number | null;
  gpuAdapter?: {description: string; vendor: string; architecture: string; software: boolean};
}
interface TorchRow {model: string; size: number; train_step_ms: number; train_step_iqr: [number, number]; train_n: number; latency_ms: number}
interface TorchBench {info: {device: string; gpu: string | null; torch: string; batch_train: number}; rows: TorchRow[]}
/** One recorded CPU-path figure: ms per training step of a model at a shape, on a named path and machine. */
interface CpuFigure {model: string; baseWidth: number; size: number; batch: number; stepMs: number; path: string; machine?: string; source?: string}
/** status: the exit status, 'skipped' (PyTorch without CUDA) or 'no-time' (not started: the check's time was spent). */
interface Run {kind: string; model: string; width: string; status: number | 'skipped' | 'no-time'; seconds: number}

const [dir, cpuFile] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: node gpu-check-table.js <results folder> [<cpu-path-figures.json>]');
const readJson = <T>(path: string): T | undefined => {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
};
const runs: Run[] = existsSync(join(dir, 'runs.tsv'))
  ? readFileSync(join(dir, 'runs.tsv'), 'utf8').split('\n').filter(Boolean).map((line) => {
    const [kind = '', model = '', width = '', status = '', seconds = ''] = line.split('\t');
    return {kind, model, width, status: status === 'skipped' || status === 'no-time' ? status : Number(status), seconds: Number(seconds)};
  })
  : [];
const cpuFigures = (cpuFile !== undefined ? readJson<{figures?: CpuFigure[]}>(cpuFile)?.figures : undefined) ?? [];

/** Why a run gave no figures: skipped, not started for want of time, timed out (124), failed (status), or not run. */
function why(kind: string, model: string, width: string): string {
  const run = runs.find((r) => r.kind === kind && (r.model === model || r.model === '-') && r.width === width);
  if (run === undefined) return 'not run';
  if (run.status === 'skipped') return 'skipped (see the log)';
  if (run.status === 'no-time') return 'not run: no time left';
  if (run.status === 124 || run.status === 137) return `timed out after ${run.seconds} s`;
  return run.status === 0 ? 'no figure' : `failed (exit ${run.status}, see the log)`;
}

const ms = (v: number | undefined, digits = 1) => (v === undefined ? '-' : v.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '-' : (a / b).toFixed(2));
const mib = (bytes: number | undefined) => (bytes === undefined ? '-' : `${(bytes / 2 ** 20).toFixed(0)} MiB`);

const widths = [...new Set(runs.filter((r) => r.kind === 'mslk' || r.kind === 'torch').map((r) => r.width))];
const models = [...new Set(runs.filter((r) => r.kind === 'mslk').map((r) => r.model))];
const header = ['model', 'width', 'mslk webgpu ms/step (IQR, n)', 'img/s', 'GPU mem', 'PyTorch ms/step (IQR, n)', 'img/s', 'ratio',
  'latency mslk / PyTorch (ms)', 'lat ratio', 'CPU path ms/step', 'webgpu speed-up vs CPU path'];
const rows: string[][] = [];
const notes: string[] = [];
const combined: Record<string, unknown> = {runs, cpuFigures, mslk: {}, torch: {}};
let adapter = '';
let shape = '';
let torchInfo = '';
for (const width of widths) {
  const torch = readJson<TorchBench>(join(dir, `torch-bw${width}.json`));
  (combined['torch'] as Record<string, unknown>)[`bw${width}`] = torch ?? why('torch', '-', width);
  if (torch) torchInfo = `PyTorch ${torch.info.torch} on ${torch.info.device === 'cuda' ? `CUDA (${torch.info.gpu ?? 'GPU'}, cuDNN)` : `the CPU (${torch.info.device})`}`;
  for (const model of models) {
    const p = readJson<Profile>(join(dir, `mslk-${model}-bw${width}.json`));
    (combined['mslk'] as Record<string, unknown>)[`${model}-bw${width}`] = p ?? why('mslk', model, width);
    const t = torch?.rows.find((r) => r.model === model);
    const step = p?.unfused.trainStep;
    if (p) {
      shape = `${p.size}x${p.size}, batch ${p.batch}`;
      if (p.gpuAdapter) adapter = `${p.gpuAdapter.description || p.gpuAdapter.architecture} (${p.gpuAdapter.vendor}${p.gpuAdapter.software ? ', software adapter: not a GPU figure' : ''})`;
      if (p.unfused.trainError) notes.push(`${model} bw ${width}: ${p.unfused.trainError}`);
    }
    const latency = (p?.fused ?? p?.unfused)?.latency;
    const cpu = p ? cpuFigures.find((f) => f.model === model && f.baseWidth === Number(width) && f.size === p.size && f.batch === p.batch) : undefined;
    const mslkCell = step ? `${ms(step.medianMs)} (${ms(step.iqrMs[0])}-${ms(step.iqrMs[1])}, ${step.runs})` : p ? (p.unfused.trainError ? 'failed' : '-') : why('mslk', model, width);
    const torchCell = t ? `${ms(t.train_step_ms)} (${ms(t.train_step_iqr[0])}-${ms(t.train_step_iqr[1])}, ${t.train_n})` : torch ? '-' : why('torch', '-', width);
    const torchPerSecond = t && torch ? ((1000 * torch.info.batch_train) / t.train_step_ms).toFixed(1) : '-';
    rows.push([model, width, mslkCell, ms(p?.unfused.trainImagesPerSecond), mib(p?.peakGpuBytes ?? undefined), torchCell, torchPerSecond,
      ratio(step?.medianMs, t?.train_step_ms), `${ms(latency?.medianMs, 2)} / ${ms(t?.latency_ms, 2)}`, ratio(latency?.medianMs, t?.latency_ms),
      cpu ? `${ms(cpu.stepMs, 0)} (${cpu.path})` : '-', cpu && step ? `${(cpu.stepMs / step.medianMs).toFixed(1)}x` : '-']);
  }
}
const lines = [
  `Training step, ${shape || 'no shape measured'} (forward, loss, backward, optimiser update; each step timed up to its loss read back; medians in ms),`,
  `batch-1 latency of the inference form (LD fused). mslk on WebGPU: ${adapter || 'no adapter recorded'}; ${torchInfo || 'PyTorch: not measured'}.`,
  'ratio = mslk / PyTorch (below 1: mslk faster). GPU mem = the GPU memory TF.js held after the training step (buffers pooled for reuse included): its high-water mark.',
  cpuFigures.length > 0
    ? 'CPU path = mslk\'s recorded CPU-path figure for the same shape (bench/cpu-path-figures.json; machine and source there); speed-up = CPU-path ms / webgpu ms.'
    : 'CPU path: no figure recorded in bench/cpu-path-figures.json for these shapes, so no speed-up over it is given.',
  '',
  `| ${header.join(' | ')} |`,
  `|${header.map(() => '---').join('|')}|`,
  ...rows.map((r) => `| ${r.join(' | ')} |`),
  ...notes.map((n) => `\nnote: ${n}`),
];
const table = lines.join('\n');
console.log(table);
writeFileSync(join(dir, 'table.md'), `${table}\n`);
writeFileSync(join(dir, 'results.json'), `${JSON.stringify(combined, null, 1)}\n`);
