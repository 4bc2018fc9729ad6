// The kill series: `mslk ablate` on a small suite (tiny U-Nets, 32 px, synthetic data, wasm) is SIGKILLed with its
// children (the whole process group) at 22 moments drawn from a seeded PRNG, each rerun killed again, until a last
// rerun finishes; then every run's results (metrics.json, the evaluation CSVs and JSONs, the epochs in log.jsonl)
// are byte-identical to an uninterrupted suite's. The moments are spread over the phases of a suite: planning (a
// delay after the start), data preparation (while the data root is being written), mid-epoch, checkpoint writes
// (just after an epoch's log line, which comes before its `last` checkpoint), evaluation (training ended, no
// metrics.json yet) and the end-of-run files (just after a run's first evaluation file). Before each data
// preparation kill the series' own data root is removed (as a user clearing the cache does), so that the kill falls
// while the synthetic dataset is generated and prepared again, and the runs must go on with the data rebuilt.
import test from 'ava';
import {spawn} from 'node:child_process';
import {mkdtemp, readFile, readdir, rm, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {SuiteManifest} from '../../src/ablations/plan.js';
import {SeededRandom} from '../../src/io/random.js';
import {RunDir} from '../../src/runs/run-dir.js';
import {PROJECT_ROOT, runMslk} from '../helpers/cli.js';
import {logLines} from '../helpers/run-progress.js';

/** The fixed seed of the kill moments: the same series on every machine, the phases hit by wall-clock luck. */
const KILL_SEED = 23;
const KILLS = 22;
const EPOCHS = 3;
const EVALUATION_FILES = ['metrics.json', 'eval/test-last.csv', 'eval/test-last.json', 'eval/validation-last.csv', 'eval/validation-last.json'];
const PHASES = ['planning', 'data preparation', 'mid-epoch', 'checkpoint write', 'evaluation', 'end-of-run files'] as const;
type Phase = (typeof PHASES)[number];

let scratch = '';

test.before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mslk-kill-series-'));
});

test.after.always(async () => {
  await rm(scratch, {recursive: true, force: true});
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function suiteRuns(store: string, suite: string): Promise<SuiteManifest['runs']> {
  return (JSON.parse(await readFile(join(store, 'suites', `${suite}.json`), 'utf8')) as SuiteManifest).runs;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** What the store shows of each run: epochs logged, training state, whether an evaluation file is there. */
async function progress(store: string, suite: string): Promise<Array<{epochs: number; state: string; evaluated: boolean; metrics: boolean}>> {
  const runs = await suiteRuns(store, suite).catch(() => []);
  return Promise.all(runs.map(async (r) => ({
    epochs: await logLines(r.dir).catch(() => 0),
    state: (await new RunDir(r.dir).status().catch(() => undefined))?.state ?? 'new',
    evaluated: await exists(join(r.dir, 'eval', 'test-last.csv')),
    metrics: await exists(join(r.dir, 'metrics.json')),
  })));
}

/**
 * Resolves once `phase` is reached in this start of ablate (false when the process ended first). `delayMs`, drawn
 * from the PRNG, is the wait after the phase is seen (for planning: after the start).
 */
async function reach(phase: Phase, delayMs: number, o: {store: string; suite: string; dataRoot: string; ended: () => boolean}): Promise<boolean> {
  const before = await progress(o.store, o.suite);
  const epochsBefore = before.reduce((n, r) => n + r.epochs, 0);
  const seen = async (): Promise<boolean> => {
    const now = await progress(o.store, o.suite);
    switch (phase) {
      case 'planning': return true;
      case 'data preparation': return (await readdir(o.dataRoot).catch(() => [])).length > 0;
      case 'mid-epoch': return now.some((r) => r.state === 'running');
      case 'checkpoint write': return now.reduce((n, r) => n + r.epochs, 0) > epochsBefore;
      case 'evaluation': return now.some((r) => r.epochs >= EPOCHS && !r.metrics);
      case 'end-of-run files': return now.some((r, i) => r.evaluated && !before[i]?.evaluated);
    }
  };
  for (;;) {
    if (o.ended()) return false;
    if (phase === 'planning' || await seen()) break;
    await sleep(15);
  }
  await sleep(delayMs);
  return !o.ended();
}

test('22 SIGKILLs of `mslk ablate` and its children at seeded moments, each rerun killed again, then a last rerun: results byte-identical to an uninterrupted suite', async (t) => {
  t.timeout(900_000);
  const suite = join(scratch, 'kills.yaml');
  await writeFile(suite, JSON.stringify({
    name: 'kills', extends: 'training/default.yaml', model: 'models/unet.yaml', datasets: ['synthetic'], seeds: [0, 1, 2],
    variants: {narrow: {baseWidth: 4}, wide: {baseWidth: 6}},
    set: {'data.size': 32, 'train.epochs': EPOCHS, 'train.batchSize': 8, 'train.optimizer.lr': 0.005},
  }));
  const args = (store: string, dataRoot: string) => ['ablate', suite, '--store', store, '--jobs', '2', '--data-root', dataRoot, '--backend', 'wasm', '--no-estimate'];
  const reference = join(scratch, 'reference');
  const uninterrupted = await runMslk(args(reference, join(scratch, 'reference-data')));
  t.is(uninterrupted.code, 0, uninterrupted.stderr);

  const store = join(scratch, 'store');
  const dataRoot = join(scratch, 'data');
  const rng = SeededRandom.stream('kill-series', KILL_SEED);
  const kills: string[] = [];
  // The phases in a seeded order, each once per round of six (a Fisher-Yates shuffle per round), so that all are
  // tried however the draws fall.
  const order: Phase[] = [];
  while (order.length < KILLS) {
    const round = [...PHASES];
    for (let j = round.length - 1; j > 0; j--) {
      const k = rng.int(j + 1);
      [round[j], round[k]] = [round[k]!, round[j]!];
    }
    order.push(...round);
  }
  for (let i = 0; i < KILLS; i++) {
    const phase = order[i]!;
    const delayMs = phase === 'planning' ? rng.range(200, 2500) : phase === 'checkpoint write' || phase === 'end-of-run files' ? rng.range(0, 40) : rng.range(0, 400);
    if (phase === 'data preparation') await rm(dataRoot, {recursive: true, force: true});
    const child = spawn(process.execPath, ['--import=tsx', 'bin/dev.js', ...args(store, dataRoot)],
      {cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'pipe'], detached: true, env: {...process.env, MSLK_DEBUG: ''}});
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let ended = false;
    const done = new Promise<number | null>((resolve) => child.on('close', (code) => {
      ended = true;
      resolve(code);
    }));
    const hit = await reach(phase, delayMs, {store, suite: 'kills', dataRoot, ended: () => ended});
    if (!hit) {
      // The suite finished before this phase came: too few kills for the series, a test to make larger.
      t.fail(`kill ${i + 1} (${phase}): the suite finished first (exit ${await done}); ${stderr.slice(-500)}`);
      return;
    }
    process.kill(-child.pid!, 'SIGKILL');
    t.is(await done, null, `kill ${i + 1} (${phase}) ended the process`);
    const now = await progress(store, 'kills');
    kills.push(`${phase} +${Math.round(delayMs)} ms: ${now.map((r) => `${r.epochs}${r.metrics ? '✓' : ''}`).join(' ')}`);
  }
  t.log(`kills (phase, delay: epochs logged per run, ✓ evaluated):\n${kills.join('\n')}`);
  t.is(kills.length, KILLS);

  const last = await runMslk(args(store, dataRoot));
  t.is(last.code, 0, last.stderr);
  const runs = await suiteRuns(store, 'kills');
  const referenceRuns = await suiteRuns(reference, 'kills');
  t.deepEqual(runs.map((r) => r.runId), referenceRuns.map((r) => r.runId), 'the same runs in the same order');
  for (const [i, run] of runs.entries()) {
    const label = `${run.variant} seed ${run.seed}`;
    t.is((await new RunDir(run.dir).status())?.state, 'done', label);
    for (const file of EVALUATION_FILES) {
      t.is(await readFile(join(run.dir, file), 'utf8'), await readFile(join(referenceRuns[i]!.dir, file), 'utf8'), `${label}: ${file}`);
    }
    t.is(await logLines(run.dir), EPOCHS, `${label}: one log line per epoch`);
  }
});
