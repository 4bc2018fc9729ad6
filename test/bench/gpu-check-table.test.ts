// bench/gpu-check-table.ts, the table bench/gpu-check.sh ends with: from a profile's JSON, bench.py's JSON, the runs'
// statuses and a recorded CPU-path figure, the ratios mslk / PyTorch and the speed-up over the CPU path; a run that
// timed out, or never started for want of time, is named as such. Runs the script as gpu-check.sh does (a child process), on hand-made files.
import test from 'ava';
import {execFile} from 'node:child_process';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {promisify} from 'node:util';
import {PROJECT_ROOT} from '../helpers/cli.js';

const profile = {
  backend: 'webgpu', size: 256, batch: 8, config: {model: 'unet', baseWidth: 16},
  unfused: {trainStep: {medianMs: 50, iqrMs: [48, 52], runs: 10}, trainImagesPerSecond: 160, macs: 1, latency: {medianMs: 4, iqrMs: [4, 4], runs: 30}},
  peakGpuBytes: 300 * 2 ** 20,
  gpuAdapter: {description: 'NVIDIA H100 80GB HBM3', vendor: 'nvidia', architecture: 'hopper', software: false},
};
const torch = {
  info: {device: 'cuda', gpu: 'NVIDIA H100 80GB HBM3', torch: '2.11.0', batch_train: 8},
  rows: [{model: 'unet', size: 256, train_step_ms: 25, train_step_iqr: [24, 26], train_n: 30, latency_ms: 2}],
};
const cpu = {figures: [{model: 'unet', baseWidth: 16, size: 256, batch: 8, stepMs: 2000, path: 'native oneDNN, 16 threads'}]};

test('the table gives ratios mslk / PyTorch, GPU memory, the speed-up over a recorded CPU-path figure, and why a run has no figure', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-gpu-table-'));
  try {
    await writeFile(join(dir, 'mslk-unet-bw16.json'), JSON.stringify(profile));
    await writeFile(join(dir, 'torch-bw16.json'), JSON.stringify(torch));
    await writeFile(join(dir, 'cpu.json'), JSON.stringify(cpu));
    await writeFile(join(dir, 'runs.tsv'), ['doctor\t-\t-\t0\t3', 'mslk\tunet\t16\t0\t40', 'mslk\tms-lkseg\t16\t124\t90', 'torch\t-\t16\t0\t20', 'mslk\tunet\t32\tno-time\t0', ''].join('\n'));
    const {stdout} = await promisify(execFile)(process.execPath, ['--import=tsx', 'bench/gpu-check-table.ts', dir, join(dir, 'cpu.json')], {cwd: PROJECT_ROOT});
    const rows = stdout.split('\n').filter((l) => l.startsWith('| unet') || l.startsWith('| ms-lkseg'));
    t.is(rows.length, 4, stdout);
    t.deepEqual(rows[0]!.split(' | ').map((c) => c.trim()), [
      '| unet', '16', '50.0 (48.0-52.0, 10)', '160.0', '300 MiB', '25.0 (24.0-26.0, 30)', '320.0', '2.00', '4.00 / 2.00', '2.00',
      '2000 (native oneDNN, 16 threads)', '40.0x |']);
    t.regex(rows[1]!, /\| ms-lkseg \| 16 \| timed out after 90 s \|/);
    t.regex(rows[2]!, /\| unet \| 32 \| not run: no time left \| .* \| not run \|/);
    t.regex(stdout, /NVIDIA H100 80GB HBM3 \(nvidia\)/);
    t.regex(stdout, /PyTorch 2\.11\.0 on CUDA/);
    const combined = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as {mslk: Record<string, unknown>};
    t.is((combined.mslk['unet-bw16'] as {batch: number}).batch, 8);
    t.is(combined.mslk['ms-lkseg-bw16'], 'timed out after 90 s');
    t.is(await readFile(join(dir, 'table.md'), 'utf8'), `${stdout}`);
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
});
