// Runs on the webgpu backend end to end, through the command line as users type it (SwiftShader here, see
// test/helpers/webgpu.ts): a tiny U-Net trained with --backend webgpu learns, writes the files a wasm run writes and
// records its adapter and GPU memory; a checkpoint evaluates to the same metrics on either backend, whichever trained
// it; a suite trains on webgpu; predict and export work on a webgpu run.
//
// SwiftShader runs a U-Net step in seconds and compiles its shaders for more, once per process, so every run here is
// a U-Net of base width 4 at 32 px on 8 training images (2 steps per epoch) of the synthetic set, with a split file
// naming 8 / 4 / 4 images that all hold a lesion. With 4 steps the validation Dice is not a reliable sign of
// learning (batch norm's running statistics have barely moved from their initial values, so the eval-mode Dice of
// the two epochs may tie or swap); the training loss falls at every seed tried (12 of 12 on wasm, whose trajectory
// webgpu follows to 1e-4 in loss), so "learns" is the loss of epoch 2 below that of epoch 1. Seed 5 at lr 0.01
// also gives a model whose test masks are neither empty nor full, so that comparing metrics across backends compares
// something (a model that predicts nothing scores the same everywhere); the test checks that, too.
import {WEBGPU_ENV, testAdapter, webgpuTest} from '../helpers/webgpu.js';
import test from 'ava';
import {copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {basename, join} from 'node:path';
import sharp from 'sharp';
import {runMslk, type CliResult} from '../helpers/cli.js';
import {activateBackend} from '../../src/engine/backends.js';
import {readRunEvaluation, type EvaluationSummary} from '../../src/runs/evaluation-summary.js';
import {exportRun} from '../../src/runs/export-run.js';
import {decodeSafetensors} from '../../src/models/export/safetensors.js';
import type {EpochLog} from '../../src/training/loop.js';

const id = (i: number) => `synthetic_${String(i).padStart(4, '0')}`;
/** Synthetic images whose masks hold a lesion (0010, 0013, 0014 are empty). */
const SUBSETS = {train: [0, 1, 2, 3, 4, 5, 7, 8].map(id), validation: [9, 11, 12, 15].map(id), test: [16, 17, 20, 21].map(id)};
const TINY = ['model.baseWidth=4', 'data.size=32', 'train.epochs=2', 'train.batchSize=4', 'train.optimizer.lr=0.01', 'seed=5'];
const METRIC_TOLERANCE = 1e-4;

let scratch = '';
let dataRoot = '';
let splitFile = '';

test.before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mslk-webgpu-runs-'));
  dataRoot = join(scratch, 'data');
  splitFile = join(scratch, 'split.json');
  await writeFile(splitFile, JSON.stringify({format: 'mslk-split', version: 1, dataset: 'synthetic', method: 'ratios', description: 'tiny: 8 / 4 / 4 images with lesions', seed: 0, subsets: SUBSETS}));
});

test.after.always(async () => {
  await rm(scratch, {recursive: true, force: true});
});

/** `mslk <args>` with the test's data root, the Vulkan driver of the tests and no MSLK_BACKEND from outside. */
function mslk(args: string[]): Promise<CliResult> {
  return runMslk(args, {...WEBGPU_ENV, MSLK_DATA_ROOT: dataRoot, MSLK_BACKEND: undefined});
}

/** What a CLI call printed, for assertion messages. */
const said = (r: CliResult) => `exit ${r.code}\n${r.stderr}\n${r.stdout}`.slice(-4000);

interface TrainedRun {
  dir: string;
  manifest: Record<string, unknown> & {backend: string; gpuAdapter?: unknown; peakGpuBytes?: number};
  log: EpochLog[];
  /** The test evaluation written by training, on the backend that trained it (mslk eval rewrites the file later). */
  test: EvaluationSummary;
  testCsv: string;
}

async function train(backend: 'webgpu' | 'wasm'): Promise<TrainedRun> {
  const out = join(scratch, `runs-${backend}`);
  const r = await mslk(['train', 'configs/quickstart-unet.yaml', '--backend', backend, '--out', out, ...[...TINY, `data.splitFile=${splitFile}`].flatMap((s) => ['--set', s])]);
  if (r.code !== 0) throw new Error(`mslk train --backend ${backend} failed: ${said(r)}`);
  const [name, ...others] = await readdir(out);
  if (name === undefined || others.length > 0) throw new Error(`expected one run directory in ${out}, found ${[name, ...others].join(', ')}`);
  const dir = join(out, name);
  const test = await readRunEvaluation(dir, 'test', 'last');
  return {
    dir,
    manifest: JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as TrainedRun['manifest'],
    log: (await readFile(join(dir, 'log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as EpochLog),
    test, testCsv: await readFile(join(dir, test.perImageCsv!), 'utf8'),
  };
}

// The same config trained once on each backend (into two stores: the backend is not part of the run id), shared by
// the tests below; a test run alone (--match) trains what it needs.
let trained: Promise<{webgpu: TrainedRun; wasm: TrainedRun}> | undefined;
const trainBoth = () => (trained ??= (async () => ({webgpu: await train('webgpu'), wasm: await train('wasm')}))());

/** Every file under `dir`, as paths relative to it, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, {recursive: true, withFileTypes: true});
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1)).sort();
}

/** The numbers of an evaluation's metrics, by their path ('perImageMean.dice.mean', 'pooled.iou', ...). */
function numbers(value: unknown, prefix = ''): Map<string, number | null> {
  const out = new Map<string, number | null>();
  if (typeof value === 'number' || value === null) out.set(prefix, value);
  else if (typeof value === 'object' && value !== undefined) {
    for (const [k, v] of Object.entries(value)) for (const [p, n] of numbers(v, prefix ? `${prefix}.${k}` : k)) out.set(p, n);
  }
  return out;
}

/** The metrics that differ by more than METRIC_TOLERANCE (or are present in only one), one line each. */
function metricDifferences(a: EvaluationSummary, b: EvaluationSummary): string[] {
  const x = numbers(a.metrics);
  const y = numbers(b.metrics);
  const problems: string[] = [];
  for (const key of new Set([...x.keys(), ...y.keys()])) {
    const u = x.get(key);
    const v = y.get(key);
    const same = u === v || (typeof u === 'number' && typeof v === 'number' && Math.abs(u - v) <= METRIC_TOLERANCE);
    if (!same) problems.push(`${key}: ${u} vs ${v}`);
  }
  return problems;
}

/** Per test image: the share of pixels predicted foreground ((tp + fp) / all), from an evaluation's CSV. */
function predictedShares(csv: string): Map<string, number> {
  const [header, ...rows] = csv.trim().split('\n').map((l) => l.split(','));
  const col = (name: string) => header!.indexOf(name);
  return new Map(rows.map((r) => {
    const [tp, fp, fn, tn] = ['tp', 'fp', 'fn', 'tn'].map((c) => Number(r[col(c)]));
    return [r[col('name')]!, (tp! + fp!) / (tp! + fp! + fn! + tn!)];
  }));
}

webgpuTest('a tiny run trained with --backend webgpu learns, writes the files of the same run on wasm, and records webgpu, its adapter and GPU memory', async (t) => {
  const {webgpu, wasm} = await trainBoth();
  // Learns: the training loss falls from epoch 1 to epoch 2 (see the header for why not the validation Dice).
  t.is(webgpu.log.length, 2);
  t.true(webgpu.log[1]!.trainLoss < webgpu.log[0]!.trainLoss, `training loss ${webgpu.log.map((e) => e.trainLoss).join(' -> ')}`);
  // The same seeded weights and batches: webgpu's losses follow wasm's (a wrong gradient kernel would not).
  for (const [i, e] of webgpu.log.entries()) {
    t.true(Math.abs(e.trainLoss - wasm.log[i]!.trainLoss) < 1e-3, `epoch ${i + 1}: loss ${e.trainLoss} on webgpu, ${wasm.log[i]!.trainLoss} on wasm`);
  }
  t.log(`webgpu: loss ${webgpu.log.map((e) => e.trainLoss.toFixed(4)).join(' -> ')}, val mDice ${webgpu.log.map((e) => e.valDice?.toFixed(4)).join(' -> ')}, test mDice ${webgpu.test.dice?.toFixed(4)}`);

  t.is(basename(webgpu.dir), basename(wasm.dir), 'the same run id: the backend is not part of it');
  const files = await filesUnder(webgpu.dir);
  t.deepEqual(files, await filesUnder(wasm.dir));
  for (const file of ['config.json', 'manifest.json', 'split.json', 'log.jsonl', 'metrics.json', 'status', 'checkpoints/last.ckpt', 'checkpoints/best.ckpt',
    'eval/test-last.json', 'eval/test-last.csv', 'eval/validation-last.json', 'eval/validation-last.csv']) t.true(files.includes(file), `${file} in ${files.join(', ')}`);
  t.is((await readFile(join(webgpu.dir, 'status'), 'utf8')).trim(), 'done');
  t.is(await readFile(join(webgpu.dir, 'config.json'), 'utf8'), await readFile(join(wasm.dir, 'config.json'), 'utf8'));

  t.is(webgpu.manifest.backend, 'webgpu');
  t.deepEqual(webgpu.manifest.gpuAdapter, testAdapter, 'the adapter the tests found');
  // SwiftShader (the tests' default driver) is a CPU implementation, and the manifest says so.
  if (/swiftshader/i.test(`${testAdapter?.architecture} ${testAdapter?.description}`)) t.true((webgpu.manifest.gpuAdapter as {software: boolean}).software);
  t.true(typeof webgpu.manifest.peakGpuBytes === 'number' && webgpu.manifest.peakGpuBytes > 0, `peakGpuBytes ${webgpu.manifest.peakGpuBytes}`);
  t.false('nativeCpu' in webgpu.manifest, 'the CPU path is a wasm run\'s record');
  t.is(wasm.manifest.backend, 'wasm');
  t.false('gpuAdapter' in wasm.manifest);
  t.false('peakGpuBytes' in wasm.manifest);
  t.true('nativeCpu' in wasm.manifest);
});

webgpuTest('a checkpoint trained on webgpu evaluates to the same metrics on wasm (within 1e-4), and a wasm one on webgpu', async (t) => {
  const runs = await trainBoth();
  for (const [trainedOn, evaluateOn] of [['webgpu', 'wasm'], ['wasm', 'webgpu']] as const) {
    const run = runs[trainedOn];
    // The comparison means something only if the model predicts some pixels and not all of them.
    const shares = [...predictedShares(run.testCsv).values()];
    t.true(shares.some((s) => s > 0.01 && s < 0.99), `${trainedOn} run: predicted foreground per test image ${shares.join(', ')}`);
    const r = await mslk(['eval', run.dir, '--backend', evaluateOn]);
    t.is(r.code, 0, said(r));
    t.regex(r.stdout, /test split, last checkpoint \(epoch 2\), 4 images/);
    const again = await readRunEvaluation(run.dir, 'test', 'last');
    t.is(again.images, 4);
    t.is(again.epoch, run.test.epoch);
    t.deepEqual(metricDifferences(run.test, again), [], `trained on ${trainedOn}, evaluated on ${evaluateOn}`);
    t.true(numbers(again.metrics).size >= 20, 'every metric was compared');
    t.log(`trained on ${trainedOn}: test mDice ${run.test.dice} there, ${again.dice} on ${evaluateOn}`);
  }
});

webgpuTest('mslk predict and mslk export with --backend webgpu on a webgpu-trained run', async (t) => {
  const {webgpu} = await trainBoth();
  // Two of its test images, as files: predict's masks are the ones evaluation scored (same backend, same checkpoint).
  const input = join(scratch, 'predict-in');
  await mkdir(input, {recursive: true});
  const names = [SUBSETS.test[0]!, SUBSETS.test[3]!];
  for (const name of names) await copyFile(join(dataRoot, 'synthetic', 'images', `${name}.png`), join(input, `${name}.png`));
  const out = join(scratch, 'predict-out');
  const predicted = await mslk(['predict', webgpu.dir, '--input', input, '--out', out, '--backend', 'webgpu', '--json']);
  t.is(predicted.code, 0, said(predicted));
  const images = (JSON.parse(predicted.stdout) as {images: {mask: string; width: number; height: number; foreground: number}[]}).images;
  t.deepEqual(images.map((p) => basename(p.mask)), names.map((n) => `${n}_mask.png`));
  const evaluated = predictedShares(webgpu.testCsv);
  for (const [i, p] of images.entries()) {
    const mask = await sharp(p.mask).raw().toBuffer({resolveWithObject: true});
    t.deepEqual([mask.info.width, mask.info.height, p.width, p.height], [128, 128, 128, 128]);
    const values = new Set(mask.data);
    t.true([...values].every((v) => v === 0 || v === 255), `mask values ${[...values].join(', ')}`);
    const share = mask.data.filter((v) => v === 255).length / mask.data.length;
    t.true(Math.abs(share - p.foreground) < 1e-9, `${share} in the mask, ${p.foreground} reported`);
    // At most 8 of 16384 pixels differ from what evaluation predicted for the same image.
    const expected = evaluated.get(names[i]!)!;
    t.true(Math.abs(p.foreground - expected) <= 8 / 16384, `${names[i]}: ${p.foreground} predicted, ${expected} in the evaluation`);
  }

  const file = join(scratch, 'webgpu.safetensors');
  const exported = await mslk(['export', webgpu.dir, '--format', 'safetensors', '--out', file, '--backend', 'webgpu']);
  t.is(exported.code, 0, said(exported));
  t.regex(exported.stdout, /Wrote .*webgpu\.safetensors: unet, \d+ tensors/);
  const gpu = decodeSafetensors(await readFile(file));
  t.regex(gpu.metadata['weights'] ?? '', new RegExp(`^trained: run ${basename(webgpu.dir)}, last checkpoint, epoch 2$`));
  // The same checkpoint exported here on wasm: the same tensors, bit for bit (a U-Net has nothing to fuse, so the
  // weights are the checkpoint's, read back from the GPU).
  await activateBackend('wasm');
  const cpuFile = join(scratch, 'wasm.safetensors');
  await exportRun({run: webgpu.dir, checkpoint: 'last', format: 'safetensors', out: cpuFile});
  const cpu = decodeSafetensors(await readFile(cpuFile));
  t.is(gpu.metadata['fused'], 'false');
  t.deepEqual([...gpu.tensors.keys()], [...cpu.tensors.keys()]);
  t.true(gpu.tensors.size > 10);
  for (const [name, tensor] of gpu.tensors) {
    const other = cpu.tensors.get(name)!;
    t.deepEqual(tensor.shape, other.shape, name);
    t.true(Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength).equals(Buffer.from(other.data.buffer, other.data.byteOffset, other.data.byteLength)), `${name} differs`);
  }
});

webgpuTest('mslk ablate --backend webgpu trains every run of a suite on webgpu, one run at a time by default', async (t) => {
  const file = join(scratch, 'suite.yaml');
  const store = join(scratch, 'store');
  // Two seeds of one tiny U-Net, one epoch of one step each (8 training images, batch 8).
  await writeFile(file, JSON.stringify({name: 'webgpu-tiny', extends: 'training/default.yaml', model: 'models/unet.yaml', datasets: ['synthetic'], seeds: [0, 1],
    variants: {tiny: {baseWidth: 4}}, set: {'data.size': 32, 'train.epochs': 1, 'train.batchSize': 8, 'data.splitFile': splitFile}}));
  // No --jobs: on a GPU backend the runs would share one GPU's memory and queue, so the default is one at a time.
  const r = await mslk(['ablate', file, '--store', store, '--backend', 'webgpu', '--no-estimate']);
  t.is(r.code, 0, said(r));
  t.regex(r.stderr, /suite webgpu-tiny: 2 trained, 0 already done, 0 failed, 0 partial/);
  const manifest = JSON.parse(await readFile(join(store, 'suites', 'webgpu-tiny.json'), 'utf8')) as {runs: {runId: string; dir: string}[]};
  t.is(manifest.runs.length, 2);
  const times: {startedAt: string; finishedAt: string}[] = [];
  for (const run of manifest.runs) {
    t.is((await readFile(join(run.dir, 'status'), 'utf8')).trim(), 'done', run.dir);
    const m = JSON.parse(await readFile(join(run.dir, 'manifest.json'), 'utf8')) as {backend: string; gpuAdapter?: unknown; peakGpuBytes?: number; startedAt: string; finishedAt: string};
    t.is(m.backend, 'webgpu', run.dir);
    t.deepEqual(m.gpuAdapter, testAdapter);
    t.true((m.peakGpuBytes ?? 0) > 0);
    t.is((await readRunEvaluation(run.dir, 'test', 'last')).images, 4);
    times.push(m);
  }
  // One at a time: the second run started training after the first had finished (two jobs would overlap them).
  const [first, second] = times.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  t.true(second!.startedAt >= first!.finishedAt, `run 1 ${first!.startedAt} - ${first!.finishedAt}, run 2 started ${second!.startedAt}`);
});
