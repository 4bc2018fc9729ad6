// The local executor of a suite: every planned run as its own `mslk run-one <dir>` child process, at most `jobs` at
// once, so a crash or a leak ends one run only. Runs already done are reused, runs another process owns (the
// per-run lock: a second executor, a `train`, another machine on a shared store) are skipped and picked up once
// their owner is gone, and an abort (Ctrl-C) is forwarded to the children, which stop cleanly and leave their runs
// partial for the next attempt.
import {spawn} from 'node:child_process';
import {availableParallelism} from 'node:os';
import {createInterface} from 'node:readline';
import {threadsFromEnvironment} from '../engine/threads.js';
import {readRunEvaluation} from '../runs/evaluation-summary.js';
import {continuingThreads, recordedNativeThreads} from '../runs/continuing-threads.js';
import {unrecoverableReason, verifyRunFiles} from '../runs/checksums.js';
import {runLockOwner} from '../runs/lock.js';
import {runComplete} from '../runs/test-sets.js';
import {RunDir} from '../runs/run-dir.js';
import {INTERRUPTED_EXIT_CODE, RUN_OWNED_EXIT_CODE, type RunEvent} from '../runs/run-one.js';
import {mslkCommandLine} from '../runs/self-command.js';
import type {PlannedRun, SuitePlan} from './plan.js';

/** What the executor reports, one event per line under JSON output. `runId` names the run of the plan. */
export type SuiteEvent =
  | {type: 'start'; runId: string; variant: string; dir: string; threads: number}
  | Extract<RunEvent, {type: 'stage' | 'epoch'}>
  | {type: 'done'; runId: string; reused: boolean; testDice: number | null}
  | {type: 'failed'; runId: string; reason: string}
  | {type: 'skipped'; runId: string; reason: string}
  | {type: 'partial'; runId: string};

/** How a suite went: run ids by outcome. */
export interface SuiteSummary {
  /** Trained (or finished) by this call. */
  done: string[];
  /** Already done before this call, or done meanwhile by another process. */
  reused: string[];
  /** Failed now, or failed earlier and not rerun (rerunFailed false), with the reason. */
  failed: {runId: string; reason: string}[];
  /** Owned by another live process when this call stopped (only after an abort: otherwise they are waited for). */
  skipped: {runId: string; reason: string}[];
  /** Never started: the suite was interrupted (an abort) before their turn; pending for the next call. */
  notStarted: string[];
  /** Stopped by an abort, resumable. */
  partial: string[];
}

/** Options of runSuite. */
export interface RunSuiteOptions {
  /** Child processes at once; default the number of cores. */
  jobs?: number;
  /** Passed to every child as --data-root. */
  dataRoot?: string;
  onEvent?: (event: SuiteEvent) => void;
  /** Aborting forwards SIGINT to the running children, starts nothing more, and waits for them. */
  signal?: AbortSignal;
  /** Train runs whose status is `failed` again (resuming from their last checkpoint); default false. */
  rerunFailed?: boolean;
  /** How often the lock of a run owned by another process is checked, ms; default 2000. */
  pollMs?: number;
  /** The command line that runs mslk (default mslkCommandLine()); for tests. */
  command?: readonly string[];
}

/** The cores each of `jobs` children is told to use (MSLK_THREADS): floor(cores / jobs), at least 1. */
export function threadsPerJob(jobs: number, cores: number = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / Math.max(1, jobs)));
}

/**
 * The threads each child of a suite gets: MSLK_THREADS when the user set it (a shared machine, or threads matched
 * to another run's: oneDNN's kernel gradients depend on the thread count in the last bits), else the cores shared by
 * the runs that train at once, min(jobs, pending runs) (a suite with one run left gives it every core). At least 1.
 */
export function threadsForSuite(jobs: number, pending: number, cores: number = availableParallelism(), env: NodeJS.ProcessEnv = process.env): number {
  return threadsFromEnvironment(env) ?? threadsPerJob(Math.min(Math.max(1, jobs), Math.max(1, pending)), cores);
}

/** How one child ended. */
type ChildOutcome =
  | {kind: 'done'; reused: boolean; testDice: number | null}
  | {kind: 'owned'}
  | {kind: 'partial'}
  | {kind: 'failed'; reason: string};

function isRunEvent(value: unknown): value is RunEvent {
  return typeof value === 'object' && value !== null && typeof (value as {type?: unknown}).type === 'string';
}

/** Runs `mslk run-one <dir> --json` for one run; resolves when the child has exited. */
function runChild(run: PlannedRun, o: RunSuiteOptions, threads: number, children: Set<ReturnType<typeof spawn>>): Promise<ChildOutcome> {
  const [executable, ...prefix] = o.command ?? mslkCommandLine();
  const args = [...prefix, 'run-one', run.dir, '--json', ...(o.dataRoot ? ['--data-root', o.dataRoot] : [])];
  const child = spawn(executable!, args, {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, MSLK_THREADS: String(threads)}});
  children.add(child);
  let reused = false;
  let dice: number | null = null;
  let lastErrorLine = '';
  createInterface({input: child.stdout!}).on('line', (line) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return; // not an event (a library writing to stdout): ignored
    }
    // Under --json the child's error is a line {"error": {"message": ...}} on stdout, not on stderr.
    const error = (parsed as {error?: {message?: unknown}} | null)?.error;
    if (typeof error?.message === 'string') lastErrorLine = error.message.split('\n')[0]!.trim();
    if (!isRunEvent(parsed)) return;
    if (parsed.type === 'epoch' || parsed.type === 'stage') o.onEvent?.({...parsed, runId: run.runId});
    if (parsed.type === 'done') {
      reused = parsed.reused;
      dice = parsed.testDice;
    }
  });
  createInterface({input: child.stderr!}).on('line', (line) => {
    if (line.trim() !== '') lastErrorLine = line.trim();
  });
  return new Promise((resolve) => {
    child.on('error', (error) => lastErrorLine = error.message);
    child.on('close', (code, signal) => {
      children.delete(child);
      if (code === 0) return resolve({kind: 'done', reused, testDice: dice});
      if (code === RUN_OWNED_EXIT_CODE) return resolve({kind: 'owned'});
      if (code === INTERRUPTED_EXIT_CODE || (o.signal?.aborted && signal !== null)) return resolve({kind: 'partial'});
      void failureReason(run, lastErrorLine, code, signal).then((reason) => resolve({kind: 'failed', reason}));
    });
  });
}

/** Why a child failed: its run's `failed: <reason>` status, else its last line on stderr, else how it ended. */
async function failureReason(run: PlannedRun, lastErrorLine: string, code: number | null, signal: NodeJS.Signals | null): Promise<string> {
  const status = await new RunDir(run.dir).status();
  if (status?.state === 'failed') return status.reason;
  if (lastErrorLine !== '') return lastErrorLine.replace(/^Error:\s*/, '');
  return signal !== null ? `the process was killed by ${signal}` : `the process exited with code ${code}`;
}

/** Why a run is skipped: who owns it. */
async function ownerText(run: PlannedRun): Promise<string> {
  const owner = await runLockOwner(run.dir);
  return owner ? `owned by pid ${owner.pid} on ${owner.host} (${owner.command || 'mslk'})` : 'owned by another process';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, {once: true});
  });
}

/**
 * Trains every run of `plan` that is not done yet, each in a child process (`mslk run-one <dir> --json`, told its
 * core share through MSLK_THREADS), at most `jobs` at once. Runs with status `done` are reused; `failed` ones are
 * reported failed again unless `rerunFailed`. A child that exits 75 (another live process owns the run) makes the
 * run `skipped` (an event naming the owner) and it is taken up again once the owner's lock is gone: reused when the
 * owner finished it, else run here (a dead owner's lock is taken over by trainRun). A child that crashes or fails
 * fails its run alone (the reason from the run's status, else the child's last stderr line). Aborting `signal`
 * forwards SIGINT to the running children (they stop after their current step, write their checkpoint there
 * and exit 130: `partial`), starts nothing more and waits for them. Never throws for a run's failure; the caller
 * turns a summary with failures into a non-zero exit.
 */
export async function runSuite(plan: SuitePlan, o: RunSuiteOptions = {}): Promise<SuiteSummary> {
  const jobs = Math.max(1, o.jobs ?? availableParallelism());
  const pollMs = o.pollMs ?? 2000;
  const summary: SuiteSummary = {done: [], reused: [], failed: [], skipped: [], partial: [], notStarted: []};
  const queue: PlannedRun[] = [];
  for (const run of plan.runs) {
    const status = await new RunDir(run.dir).status();
    let lost: string | undefined;
    if (await runComplete(run.dir, run.config.eval.checkpoint, run.testSets)) {
      summary.reused.push(run.runId);
      o.onEvent?.({type: 'done', runId: run.runId, reused: true, testDice: await testDice(run)});
    } else if (status?.state === 'done' && (lost = unrecoverableReason(run.dir, await verifyRunFiles(run.dir, {checkpoints: false}))) !== undefined) {
      // A done run whose config, split, manifest or log changed: no number of it can be vouched for, and training
      // it again needs the user's decision (the reason names both fixes).
      summary.failed.push({runId: run.runId, reason: lost});
      o.onEvent?.({type: 'failed', runId: run.runId, reason: lost});
    } else if (status?.state === 'failed' && !o.rerunFailed) {
      const reason = `failed in an earlier attempt (${status.reason}); not rerun without --rerun-failed`;
      summary.failed.push({runId: run.runId, reason});
      o.onEvent?.({type: 'failed', runId: run.runId, reason});
    } else {
      queue.push(run);
    }
  }

  // Jobs and threads are chosen together: as many runs at once as there are cores (or --jobs), each on its share of
  // the cores, and a suite with fewer runs left than jobs gives each run more threads. Only the convolutions use a
  // second thread (the rest of a step runs on wasm, one thread), so N runs x 1 thread train more images per second
  // than 1 run x N threads (bench/jobs-threads.ts measures both).
  const threads = threadsForSuite(jobs, queue.length);
  const children = new Set<ReturnType<typeof spawn>>();
  const forward = (): void => {
    for (const child of children) child.kill('SIGINT');
  };
  o.signal?.addEventListener('abort', forward, {once: true});
  const waiting: PlannedRun[] = [];
  const active = new Set<Promise<void>>();

  const start = (run: PlannedRun): void => {
    // An interrupted run resumes on the threads it started on (continuing-threads.ts), not the suite's share now.
    const finished = recordedNativeThreads(run.dir).then((recorded) => {
      const runThreads = continuingThreads(recorded, threads);
      o.onEvent?.({type: 'start', runId: run.runId, variant: run.variant, dir: run.dir, threads: runThreads});
      return runChild(run, o, runThreads, children);
    }).then(async (outcome) => {
      if (outcome.kind === 'done') {
        (outcome.reused ? summary.reused : summary.done).push(run.runId);
        o.onEvent?.({type: 'done', runId: run.runId, reused: outcome.reused, testDice: outcome.testDice});
      } else if (outcome.kind === 'owned') {
        waiting.push(run);
        o.onEvent?.({type: 'skipped', runId: run.runId, reason: `${await ownerText(run)}: taken up when its owner is gone`});
      } else if (outcome.kind === 'partial') {
        summary.partial.push(run.runId);
        o.onEvent?.({type: 'partial', runId: run.runId});
      } else {
        summary.failed.push({runId: run.runId, reason: outcome.reason});
        o.onEvent?.({type: 'failed', runId: run.runId, reason: outcome.reason});
      }
    }).finally(() => active.delete(finished));
    active.add(finished);
  };

  // Runs whose owner is gone go back to the queue, or are reused when the owner finished them.
  const checkWaiting = async (): Promise<void> => {
    for (const run of [...waiting]) {
      if ((await runLockOwner(run.dir)) !== null) continue;
      waiting.splice(waiting.indexOf(run), 1);
      if (await runComplete(run.dir, run.config.eval.checkpoint, run.testSets)) {
        summary.reused.push(run.runId);
        o.onEvent?.({type: 'done', runId: run.runId, reused: true, testDice: await testDice(run)});
      } else {
        queue.push(run);
      }
    }
  };

  try {
    for (;;) {
      while (!o.signal?.aborted && active.size < jobs && queue.length > 0) start(queue.shift()!);
      if (active.size === 0 && (queue.length === 0 || o.signal?.aborted) && (waiting.length === 0 || o.signal?.aborted)) break;
      await Promise.race([...active, ...(waiting.length > 0 ? [sleep(pollMs, o.signal)] : [])]);
      if (waiting.length > 0 && !o.signal?.aborted) await checkWaiting();
    }
  } finally {
    o.signal?.removeEventListener('abort', forward);
  }
  for (const run of waiting) summary.skipped.push({runId: run.runId, reason: await ownerText(run)});
  summary.notStarted.push(...queue.map((run) => run.runId));
  return summary;
}

/** The test Dice of a done run at its eval.checkpoint, or null when it has none or it cannot be read. */
async function testDice(run: PlannedRun): Promise<number | null> {
  return readRunEvaluation(run.dir, 'test', run.config.eval.checkpoint).then((e) => e.dice ?? null, () => null);
}
