// One prepared run directory, trained and evaluated by itself: what `mslk run-one <dir>` does, and what a suite's
// executors (the local one's child processes, a cluster's jobs) run for each run of a suite. A prepared directory
// is `<store>/<runDirName(config, id)>` holding config.json (the resolved config); a partial one is resumed, a
// done one returned at once.
import {readFile} from 'node:fs/promises';
import {basename, dirname, resolve} from 'node:path';
import {parseRunConfig, type RunConfig} from './config.js';
import {runIdOfName} from './locate-run.js';
import {RUN_FILES, RunNotFoundError} from './run-dir.js';
import {evaluateTestSets} from './test-sets.js';
import {trainRun, type TrainRunResult} from './train-run.js';
import type {EpochLog} from '../training/loop.js';
import {threadsFromEnvironment} from '../engine/threads.js';

/** Exit code of a command stopped by SIGINT or SIGTERM (128 + SIGINT's number, as shells report it). */
export const INTERRUPTED_EXIT_CODE = 130;

/** Exit code of `mslk run-one` when another live process owns the run (EX_TEMPFAIL of sysexits.h: try later). */
export const RUN_OWNED_EXIT_CODE = 75;

/** What a run reports while it runs (one JSON line each under `mslk run-one --json`). */
export type RunEvent =
  | {type: 'stage'; runId: string; message: string}
  | ({type: 'epoch'; runId: string; epochs: number} & EpochLog)
  | {type: 'done'; runId: string; dir: string; reused: boolean; testDice: number | null};

/** Options of runOne. */
export interface RunOneOptions {
  /** Where datasets are cached; default MSLK_DATA_ROOT or the user cache directory. */
  dataRoot?: string;
  onEvent?: (event: RunEvent) => void;
  /** Stops training between steps (SIGINT, SIGTERM): the run is left `partial`, see trainRun. */
  signal?: AbortSignal;
  /** The share of the cores this process was given (recorded in the manifest); default MSLK_THREADS when set. */
  threads?: number;
  /** The command line, for the manifest. */
  commandLine?: string;
}

/** The resolved config in a prepared run directory; RunNotFoundError (one line) when it is absent or not a run. */
async function preparedConfig(dir: string): Promise<{config: RunConfig; id: string}> {
  const id = runIdOfName(basename(dir));
  if (id === undefined) throw new RunNotFoundError(`${dir}: not a run directory (its name does not end in a 12-hex run id): pass a directory that a suite plan prepared`);
  let text: string;
  try {
    text = await readFile(resolve(dir, RUN_FILES.config), 'utf8');
  } catch {
    throw new RunNotFoundError(`${dir}: no ${RUN_FILES.config}: pass a run directory that a suite plan prepared (or run \`mslk ablate\` to prepare it)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new RunNotFoundError(`${resolve(dir, RUN_FILES.config)} is not valid JSON: delete the run directory and plan the suite again`);
  }
  return {config: parseRunConfig(raw), id};
}

/**
 * Trains and evaluates the run prepared in `dir` (trainRun with out = the directory's parent and resume: a partial
 * run continues from its last checkpoint, a new one starts, a done one returns at once with `reused`), then
 * evaluates it on each extra test set its test-sets.json requests and has no summary of yet (test-sets.ts); a done
 * run with such a set pending is evaluated, not trained, and still reported `reused`. Throws
 * RunNotFoundError (no config.json), RunStateError (the config on today's data gives another id),
 * RunLockedError (another live process owns the run), TrainingInterruptedError (`signal`), and trainRun's errors.
 */
export async function runOne(dir: string, o: RunOneOptions = {}): Promise<TrainRunResult> {
  const path = resolve(dir);
  const {config, id} = await preparedConfig(path);
  const threads = o.threads ?? threadsFromEnvironment();
  const result = await trainRun({
    config, out: dirname(path), resume: true, expectedRunId: id, lockCommand: 'mslk run-one',
    commandLine: o.commandLine ?? `mslk run-one ${path}`,
    ...(o.dataRoot ? {dataRoot: o.dataRoot} : {}), ...(o.signal ? {signal: o.signal} : {}),
    ...(threads !== undefined ? {threads} : {}),
    onStage: (message) => o.onEvent?.({type: 'stage', runId: id, message}),
    onEpoch: (e) => o.onEvent?.({type: 'epoch', runId: id, epochs: config.train.epochs, ...e}),
  });
  await evaluateTestSets({dir: result.dir, config, ...(o.dataRoot ? {dataRoot: o.dataRoot} : {}),
    onStage: (message) => o.onEvent?.({type: 'stage', runId: id, message})});
  o.onEvent?.({type: 'done', runId: id, dir: result.dir, reused: result.reused, testDice: result.evaluations.test?.dice ?? null});
  return result;
}
