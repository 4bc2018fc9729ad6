// `mslk ablate` itself as a process, on tiny U-Net suites of synthetic data: SIGKILL of the command (and its
// children) mid-suite then a rerun gives the same metrics, byte for byte, as an uninterrupted suite; two `ablate`s
// on one suite at once train every run exactly once; the cross-dataset `evaluate` block evaluates each run on its
// extra test sets, and a test set added later is evaluated without training anything again.
import test from 'ava';
import {spawn} from 'node:child_process';
import {mkdtemp, readFile, readdir, rm, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {SuiteSummary} from '../../src/ablations/local-executor.js';
import type {SuiteManifest} from '../../src/ablations/plan.js';
import type {EvaluationSummary, RunMetricsIndex} from '../../src/runs/evaluation-summary.js';
import {RunDir} from '../../src/runs/run-dir.js';
import {logLines, waitFor} from '../helpers/run-progress.js';
import {writeFolderDataset} from '../datasets/helpers.js';
import {PROJECT_ROOT, runMslk} from '../helpers/cli.js';

let scratch = '';
let dataRoot = '';

const EVALUATION_FILES = ['metrics.json', 'eval/test-last.csv', 'eval/test-last.json', 'eval/validation-last.csv', 'eval/validation-last.json'];

test.before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mslk-ablate-process-'));
  dataRoot = join(scratch, 'data');
});

test.after.always(async () => {
  await rm(scratch, {recursive: true, force: true});
});

/** A suite of tiny U-Nets (32 px, base width 4) on the synthetic data: one variant, `seeds`, `epochs` each. */
async function tinySuiteFile(name: string, o: {seeds: number[]; epochs: number; evaluate?: string[]}): Promise<string> {
  const file = join(scratch, `${name}.yaml`);
  await writeFile(file, JSON.stringify({
    name, extends: 'training/default.yaml', model: 'models/unet.yaml', datasets: ['synthetic'], seeds: o.seeds,
    variants: {tiny: {baseWidth: 4}},
    set: {'data.size': 32, 'train.epochs': o.epochs, 'train.batchSize': 8, 'train.optimizer.lr': 0.005},
    ...(o.evaluate ? {evaluate: {synthetic: o.evaluate}} : {}),
  }));
  return file;
}

function ablateArgs(suite: string, store: string, jobs: number): string[] {
  return ['ablate', suite, '--store', store, '--jobs', String(jobs), '--data-root', dataRoot, '--backend', 'wasm', '--no-estimate', '--json'];
}

/** `mslk ablate ... --json` as a child in its own process group (so a test can kill it with its children). */
function ablateProcess(args: string[]): {done: Promise<number | null>; stdout: () => string; stderr: () => string; pid: number} {
  const child = spawn(process.execPath, ['--import=tsx', 'bin/dev.js', ...args],
    {cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: {...process.env, MSLK_DEBUG: ''}});
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return {pid: child.pid!, done: new Promise((resolve) => child.on('close', resolve)), stdout: () => stdout, stderr: () => stderr};
}

/** The summary of `ablate --json`: the result document after the JSON event lines. */
function summaryOf(stdout: string): SuiteSummary {
  const lines = stdout.trimEnd().split('\n');
  return (JSON.parse(lines.slice(lines.lastIndexOf('{')).join('\n')) as {summary: SuiteSummary}).summary;
}

async function suiteRuns(store: string, suite: string): Promise<SuiteManifest['runs']> {
  return (JSON.parse(await readFile(join(store, 'suites', `${suite}.json`), 'utf8')) as SuiteManifest).runs;
}

test.serial('SIGKILL of `mslk ablate` and its children mid-suite, then a rerun: the same metrics as an uninterrupted suite, byte for byte', async (t) => {
  const suite = await tinySuiteFile('killed', {seeds: [0, 1, 2], epochs: 3});
  const reference = join(scratch, 'reference');
  const uninterrupted = await runMslk(ablateArgs(suite, reference, 2));
  t.is(uninterrupted.code, 0, uninterrupted.stderr);

  const store = join(scratch, 'store-killed');
  const first = ablateProcess(ablateArgs(suite, store, 2));
  // Killed while a run is mid-epoch: after its first epoch was logged, before it is done.
  await waitFor(async () => {
    const runs = await suiteRuns(store, 'killed').catch(() => []);
    for (const run of runs) if ((await logLines(run.dir)) >= 1 && (await new RunDir(run.dir).status())?.state === 'running') return true;
    return false;
  }, 180_000, 'a run to finish its first epoch');
  await new Promise((r) => setTimeout(r, 300));
  process.kill(-first.pid, 'SIGKILL');
  t.is(await first.done, null, 'killed');
  const runs = await suiteRuns(store, 'killed');
  const states = await Promise.all(runs.map(async (r) => (await new RunDir(r.dir).status())?.state ?? 'new'));
  t.true(states.some((s) => s !== 'done'), `killed mid-suite (${states.join(', ')})`);

  const second = await runMslk(ablateArgs(suite, store, 2));
  t.is(second.code, 0, second.stderr);
  const summary = summaryOf(second.stdout);
  t.is(summary.done.length + summary.reused.length, 3);
  t.deepEqual(summary.failed, []);
  const referenceRuns = await suiteRuns(reference, 'killed');
  t.deepEqual(runs.map((r) => r.runId), referenceRuns.map((r) => r.runId), 'the same runs in the same order');
  for (const [i, run] of runs.entries()) {
    for (const file of EVALUATION_FILES) {
      t.is(await readFile(join(run.dir, file), 'utf8'), await readFile(join(referenceRuns[i]!.dir, file), 'utf8'), `seed ${run.seed}: ${file}`);
    }
    t.is(await logLines(run.dir), 3);
  }
});

test.serial('two `mslk ablate` processes on one suite at once: every run trained exactly once, both succeed', async (t) => {
  const suite = await tinySuiteFile('twice', {seeds: [4, 5], epochs: 2});
  const store = join(scratch, 'store-twice');
  const one = ablateProcess(ablateArgs(suite, store, 1));
  const two = ablateProcess(ablateArgs(suite, store, 1));
  const [codeOne, codeTwo] = await Promise.all([one.done, two.done]);
  t.is(codeOne, 0, one.stderr());
  t.is(codeTwo, 0, two.stderr());
  const [a, b] = [summaryOf(one.stdout()), summaryOf(two.stdout())];
  const runs = await suiteRuns(store, 'twice');
  const trained = [...a.done, ...b.done].sort();
  t.deepEqual(trained, runs.map((r) => r.runId).sort(), 'each run trained by exactly one process');
  t.deepEqual([...a.done, ...a.reused].sort(), trained, 'the first process accounts for every run');
  t.deepEqual([...b.done, ...b.reused].sort(), trained, 'the second process accounts for every run');
  for (const run of runs) {
    t.false((await new RunDir(run.dir).readJson<{resumed: boolean}>('manifest')).resumed, `seed ${run.seed} was trained in one go`);
    t.is(await logLines(run.dir), 2);
  }
});

test.serial('evaluate: each run is also evaluated on its extra test sets; one added later is evaluated without training again', async (t) => {
  const clinic = join(scratch, 'clinic-like');
  const colon = join(scratch, 'colon-like');
  await writeFolderDataset(clinic, 5, 40, 30);
  await writeFolderDataset(colon, 4, 36, 28);
  const store = join(scratch, 'store-cross');
  const suite = await tinySuiteFile('cross', {seeds: [7], epochs: 1, evaluate: [clinic]});
  const first = await runMslk(ablateArgs(suite, store, 1));
  t.is(first.code, 0, first.stderr);
  const [run] = await suiteRuns(store, 'cross');
  const external = JSON.parse(await readFile(join(run!.dir, 'eval/external/clinic-like-last.json'), 'utf8')) as EvaluationSummary;
  t.like(external, {split: 'test', checkpoint: 'last', images: 5, resolution: 'original', testSet: {name: clinic, dataset: clinic}});
  t.regex(external.testSet!.fingerprint, /^[0-9a-f]{16,}$/);
  const rows = (await readFile(join(run!.dir, external.perImageCsv!), 'utf8')).trim().split('\n');
  t.is(rows.length, 6, 'a header and one row per image of the test set');
  const index = JSON.parse(await readFile(join(run!.dir, 'metrics.json'), 'utf8')) as RunMetricsIndex;
  t.deepEqual(index.evaluations.filter((e) => e.testSet !== undefined).map((e) => [e.testSet, e.summary]), [[clinic, 'eval/external/clinic-like-last.json']]);
  t.is(index.headline?.summary, 'eval/test-last.json', 'the headline stays the run\'s own test split');

  // The same suite with one more test set: the trained run is evaluated on it, not trained again.
  const manifestBefore = await readFile(join(run!.dir, 'manifest.json'), 'utf8');
  const checkpointBefore = (await stat(join(run!.dir, 'checkpoints/last.ckpt'))).mtimeMs;
  await tinySuiteFile('cross', {seeds: [7], epochs: 1, evaluate: [clinic, colon]});
  const status = await runMslk(['ablate', 'status', suite, '--store', store, '--data-root', dataRoot, '--backend', 'wasm', '--no-estimate']);
  t.is(status.code, 0, status.stderr);
  t.regex(status.stdout, /trained; to evaluate on \S*colon-like/);
  const second = await runMslk(ablateArgs(suite, store, 1));
  t.is(second.code, 0, second.stderr);
  t.deepEqual(summaryOf(second.stdout).done, [], 'nothing trained');
  t.deepEqual(summaryOf(second.stdout).reused, [run!.runId]);
  t.is(await readFile(join(run!.dir, 'manifest.json'), 'utf8'), manifestBefore);
  t.is((await stat(join(run!.dir, 'checkpoints/last.ckpt'))).mtimeMs, checkpointBefore);
  t.deepEqual((await readdir(join(run!.dir, 'eval/external'))).sort(), ['clinic-like-last.csv', 'clinic-like-last.json', 'colon-like-last.csv', 'colon-like-last.json']);
  t.is(await logLines(run!.dir), 1);
  const after = await runMslk(['ablate', 'status', suite, '--store', store, '--data-root', dataRoot, '--backend', 'wasm', '--no-estimate']);
  t.regex(after.stdout, /suite cross: 1 runs? \(1 done\)/);
});
