// The local executor end to end, with real child processes on tiny runs: a suite with a failing run, Ctrl-C
// (partial runs, resumed by the next attempt). The SIGKILL and two-processes tests run `mslk ablate` itself
// (ablate-process.test.ts).
import test from 'ava';
import fc from 'fast-check';
import {spawn} from 'node:child_process';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {runSuite, threadsForSuite, threadsPerJob, type SuiteEvent, type SuiteSummary} from '../../src/ablations/local-executor.js';
import type {SuitePlan} from '../../src/ablations/plan.js';
import {RunDir} from '../../src/runs/run-dir.js';
import {logLines, waitFor} from '../helpers/run-progress.js';
import {ROOT, tinySuite, type TinyVariant} from './suite-fixture.js';

let scratch = '';
let dataRoot = '';
const THREE: TinyVariant[] = [
  {variant: 'a', set: ['train.epochs=3', 'seed=0']},
  {variant: 'b', set: ['train.epochs=3', 'seed=1']},
  {variant: 'c', set: ['train.epochs=3', 'seed=2']},
];

test.before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mslk-executor-'));
  dataRoot = join(scratch, 'data');
  process.env['MSLK_BACKEND'] = 'wasm';
});

test.after.always(async () => {
  await rm(scratch, {recursive: true, force: true});
});

let plans = 0;

/** The executor stand-in (run-suite-driver.ts) as a child process in its own process group. */
function driver(plan: SuitePlan, jobs: number): {done: Promise<number | null>; lines: () => Record<string, unknown>[]; stderr: () => string; pid: number} {
  const planFile = join(scratch, `plan-${++plans}.json`);
  const written = writeFile(planFile, JSON.stringify(plan));
  let stdout = '';
  let stderr = '';
  const started = written.then(() => spawn(process.execPath, ['--import=tsx', '--no-warnings', 'test/ablations/run-suite-driver.ts', planFile, String(jobs), dataRoot],
    {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true}));
  const handle = {
    pid: 0,
    done: started.then((child) => {
      handle.pid = child.pid!;
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      return new Promise<number | null>((resolve) => child.on('close', resolve));
    }),
    lines: () => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
    stderr: () => stderr,
  };
  return handle;
}

function summaryOf(lines: Record<string, unknown>[]): SuiteSummary {
  const last = lines.at(-1);
  if (last?.['type'] !== 'summary') throw new Error(`no summary line: ${JSON.stringify(lines.slice(-3))}`);
  return last as unknown as SuiteSummary;
}

test('a child is told its share of the cores', (t) => {
  t.is(threadsPerJob(2, 8), 4);
  t.is(threadsPerJob(3, 8), 2);
  t.is(threadsPerJob(4, 2), 1);
});

test('the runs that train at once share the cores: never more threads than cores, and a lone run gets them all', (t) => {
  fc.assert(fc.property(fc.integer({min: 1, max: 16}), fc.integer({min: 0, max: 40}), fc.integer({min: 1, max: 64}), (jobs, pending, cores) => {
    const threads = threadsForSuite(jobs, pending, cores, {});
    const atOnce = Math.min(jobs, Math.max(1, pending));
    return threads >= 1 && (atOnce > cores || threads * atOnce <= cores) && (atOnce !== 1 || threads === cores);
  }));
  t.is(threadsForSuite(2, 1, 2, {}), 2);
  t.is(threadsForSuite(2, 5, 2, {}), 1);
  t.is(threadsForSuite(1, 5, 8, {}), 8);
  // The user's MSLK_THREADS wins.
  t.is(threadsForSuite(1, 1, 8, {MSLK_THREADS: '1'}), 1);
  t.is(threadsForSuite(4, 9, 8, {MSLK_THREADS: '3'}), 3);
});

test.serial('4 runs with 2 jobs: three done, the diverging one fails alone; a second call trains nothing', async (t) => {
  const plan = await tinySuite(join(scratch, 'reference'), dataRoot, [...THREE, {variant: 'nan', set: ['train.epochs=3', 'seed=3', 'train.loss.bceWeight=1.0e+39']}]);
  const events: SuiteEvent[] = [];
  const summary = await runSuite(plan, {jobs: 2, dataRoot, onEvent: (e) => events.push(e)});
  const [a, b, c, nan] = plan.runs.map((r) => r.runId);
  t.deepEqual([...summary.done].sort(), [a, b, c].sort());
  t.deepEqual(summary.failed.map((f) => f.runId), [nan]);
  t.regex(summary.failed[0]!.reason, /^loss became Infinity at epoch 1/);
  t.deepEqual([summary.reused, summary.skipped, summary.partial], [[], [], []]);
  t.is(events.filter((e) => e.type === 'start').length, 4);
  t.true(events.filter((e) => e.type === 'start').every((e) => e.type === 'start' && e.threads === threadsPerJob(2)));
  t.is(events.filter((e) => e.type === 'epoch').length, 9, 'three epochs of each of the three good runs');
  for (const run of plan.runs.slice(0, 3)) {
    t.is((await new RunDir(run.dir).status())?.state, 'done');
    const manifest = await new RunDir(run.dir).readJson<{threads: number; nativeCpu?: {active: boolean; threads?: number}}>('manifest');
    t.is(manifest.threads, threadsPerJob(2));
    // The manifest says which CPU path trained, and the native path ran on the run's share of the cores.
    t.truthy(manifest.nativeCpu, 'a wasm run records its CPU path');
    if (manifest.nativeCpu?.active) t.is(manifest.nativeCpu.threads, threadsPerJob(2));
  }
  const again: SuiteEvent[] = [];
  const second = await runSuite(plan, {jobs: 2, dataRoot, onEvent: (e) => again.push(e)});
  t.deepEqual([...second.reused].sort(), [a, b, c].sort());
  t.deepEqual(second.done, []);
  t.regex(second.failed[0]!.reason, /failed in an earlier attempt \(loss became/);
  t.false(again.some((e) => e.type === 'start'), 'no child was started');
});

test.serial('Ctrl-C stops the suite cleanly: running runs are partial, the next attempt resumes them', async (t) => {
  const plan = await tinySuite(join(scratch, 'interrupted'), dataRoot, [
    {variant: 'f', set: ['train.epochs=3', 'seed=6']},
  ]);
  const first = driver(plan, 1);
  const dir = plan.runs[0]!.dir;
  await waitFor(async () => (await logLines(dir)) >= 1, 120_000, 'the first epoch');
  // As a terminal does: the signal reaches the whole foreground process group (executor and children).
  const stopped = Date.now();
  process.kill(-first.pid, 'SIGINT');
  t.is(await first.done, 130, first.stderr());
  t.true(Date.now() - stopped < 15_000, `stopped in ${Date.now() - stopped} ms`);
  const summary = summaryOf(first.lines());
  t.deepEqual(summary.partial, [plan.runs[0]!.runId]);
  t.is((await new RunDir(dir).status())?.state, 'partial');
  const epochs = await logLines(dir);
  t.true(epochs >= 1 && epochs < 3, `stopped mid-run after ${epochs} epochs`);
  // As if the first attempt had run beside another run, on 1 thread: the lone run left now gets every core, but
  // resumes on the thread count it started on.
  const recorded = await new RunDir(dir).readJson<{nativeCpu?: {active: boolean; threads?: number}}>('manifest');
  const native = recorded.nativeCpu?.active === true;
  if (native) await new RunDir(dir).writeJson('manifest', {...recorded, nativeCpu: {...recorded.nativeCpu, threads: 1}});
  const second = driver(plan, 1);
  t.is(await second.done, 0, second.stderr());
  t.deepEqual(summaryOf(second.lines()).done, [plan.runs[0]!.runId]);
  const started = second.lines().find((l) => l['type'] === 'start');
  t.is(started?.['threads'], native ? 1 : threadsForSuite(1, 1), 'the resumed run started on its recorded threads');
  if (native) t.is((await new RunDir(dir).readJson<{nativeCpu: {threads: number}}>('manifest')).nativeCpu.threads, 1);
  t.is(await logLines(dir), 3);
  t.true((await new RunDir(dir).readJson<{resumed: boolean}>('manifest')).resumed);
});
