// Extra test sets of a run: datasets it never trained on, on which it is also evaluated (the cross-dataset protocol
// of polyp segmentation papers: train on Kvasir-SEG, test on CVC-ClinicDB, CVC-ColonDB, ETIS-LaribPolypDB). A suite's
// `evaluate` block asks for them; the planner writes the request into the run directory (test-sets.json), so that
// `mslk run-one <dir>` alone completes a run wherever it runs (a child of the local executor, a SLURM task). The
// request is not part of the run's identity: asking for one more test set evaluates the trained run again, it never
// trains it again. A run is complete when it is done and every requested test set has its summary
// (eval/external/<set>-<checkpoint>.json beside its own test split, same format, see evaluation-summary.ts).
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {resolveDataRoot} from '../datasets/data-root.js';
import {openPreparedFile, prepareDataset} from '../datasets/prepare.js';
import {inferenceModel} from '../inference/inference-model.js';
import {writeFileAtomic} from '../io/atomic-write.js';
import type {RunConfig} from './config.js';
import {evaluateIndices} from './evaluate-run.js';
import {evaluationFiles, EVALUATION_FORMAT_VERSION, readMetricsIndex, testSetStem, writeEvaluation, type CheckpointName,
  type EvaluationSummary, type RunMetricsIndex} from './evaluation-summary.js';
import {recordChecksums, verifyRunFiles} from './checksums.js';
import {acquireRunLock} from './lock.js';
import {openRun} from './open-run.js';
import {RunDir} from './run-dir.js';

/** The request file in a run directory. */
export const TEST_SETS_FILE = 'test-sets.json';

/** One extra test set: its name as the suite gives it, and the dataset it resolves to. */
export interface ExternalTestSet {
  /** As written in the suite's `evaluate` block (a registry name or a folder path). */
  name: string;
  /** data.dataset form: a registry or imported name, or the folder's absolute path. */
  dataset: string;
}

interface TestSetsFile {
  formatVersion: 1;
  testSets: ExternalTestSet[];
}

/** The extra test sets requested for the run in `dir` (none when there is no test-sets.json). Throws on a damaged file. */
export async function readTestSets(dir: string): Promise<ExternalTestSet[]> {
  let text: string;
  try {
    text = await readFile(join(dir, TEST_SETS_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  let parsed: Partial<TestSetsFile>;
  try {
    parsed = JSON.parse(text) as Partial<TestSetsFile>;
  } catch {
    throw new Error(`${join(dir, TEST_SETS_FILE)} is not valid JSON: delete it and run \`mslk ablate\` again (it is written from the suite)`);
  }
  return (parsed.testSets ?? []).filter((s) => typeof s?.name === 'string' && typeof s.dataset === 'string');
}

/**
 * Adds `sets` to the run's request (a union by file stem, first name kept: runs shared by suites get every suite's
 * sets), written atomically; the file is left untouched when nothing is new. Returns the request as written.
 */
export async function requestTestSets(dir: string, sets: readonly ExternalTestSet[]): Promise<ExternalTestSet[]> {
  const current = await readTestSets(dir);
  const stems = new Set(current.map((s) => testSetStem(s.name)));
  const added = sets.filter((s) => !stems.has(testSetStem(s.name)) && stems.add(testSetStem(s.name)));
  if (added.length === 0) return current;
  const next = [...current, ...added];
  await writeFileAtomic(join(dir, TEST_SETS_FILE), JSON.stringify({formatVersion: 1, testSets: next} satisfies TestSetsFile, null, 2) + '\n');
  return next;
}

/** Whether the summary of `set` at `checkpoint` exists in the run directory `dir` (and is of the current format). */
async function hasSummary(dir: string, set: ExternalTestSet, checkpoint: CheckpointName): Promise<boolean> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, evaluationFiles('test', checkpoint, set.name).summary), 'utf8')) as {formatVersion?: unknown};
    return parsed.formatVersion === EVALUATION_FORMAT_VERSION;
  } catch {
    return false; // absent, or cut short: evaluated again
  }
}

/** The requested test sets of the run in `dir` that have no summary at `checkpoint` yet, in request order. */
export async function pendingTestSets(dir: string, checkpoint: CheckpointName, requested?: readonly ExternalTestSet[]): Promise<ExternalTestSet[]> {
  const sets = requested ?? (await readTestSets(dir));
  const pending: ExternalTestSet[] = [];
  for (const set of sets) if (!(await hasSummary(dir, set, checkpoint))) pending.push(set);
  return pending;
}

/**
 * Whether the run in `dir` is complete: status done, its files as checksums.json recorded them (checkpoints aside), and
 * every requested (or given) test set evaluated.
 */
export async function runComplete(dir: string, checkpoint: CheckpointName, requested?: readonly ExternalTestSet[]): Promise<boolean> {
  if ((await new RunDir(dir).status())?.state !== 'done') return false;
  // A file that no longer matches checksums.json: not complete (trainRun repairs it, or fails the run naming it).
  const verification = await verifyRunFiles(dir, {checkpoints: false});
  if (verification.damagedRecord !== undefined || verification.problems.length > 0) return false;
  return (await pendingTestSets(dir, checkpoint, requested)).length === 0;
}

/** What evaluateTestSets needs. */
export interface EvaluateTestSetsOptions {
  /** The run directory (done: its eval.checkpoint exists). */
  dir: string;
  config: RunConfig;
  dataRoot?: string;
  onStage?: (message: string) => void;
  /** The command named by the lock (default 'mslk run-one'). */
  lockCommand?: string;
}

/**
 * Evaluates the done run in `dir` on each requested test set that has no summary yet: every image of the dataset,
 * prepared at the run's data.size (cached like any dataset), predicted with the run's eval.checkpoint and measured
 * at each image's original resolution, exactly as its own test split. Writes eval/external/<set>-<checkpoint>.{json,csv}
 * and adds them to metrics.json, under the run's lock. Returns the summaries written (empty when none was pending).
 * Throws RunLockedError when another live process owns the run, the dataset layer's one-line errors for a test set
 * that cannot be read, RunNotFoundError when the checkpoint is gone.
 */
export async function evaluateTestSets(o: EvaluateTestSetsOptions): Promise<EvaluationSummary[]> {
  const checkpoint = o.config.eval.checkpoint;
  if ((await pendingTestSets(o.dir, checkpoint)).length === 0) return [];
  const lock = await acquireRunLock(o.dir, {command: o.lockCommand ?? 'mslk run-one'});
  try {
    // Read again under the lock: another process may have evaluated them meanwhile.
    const pending = await pendingTestSets(o.dir, checkpoint);
    if (pending.length === 0) return [];
    const opened = await openRun(o.dir, checkpoint);
    const model = inferenceModel(opened.model, opened.config);
    const written: EvaluationSummary[] = [];
    try {
      for (const set of pending) {
        o.onStage?.(`evaluating on the extra test set ${set.name} (every image, at ${o.config.data.size} px, measured at original resolution)`);
        const prepared = await prepareDataset(set.dataset, {dataRoot: resolveDataRoot(o.dataRoot), size: o.config.data.size});
        const dataset = await openPreparedFile(prepared.file);
        const indices = Array.from({length: dataset.count}, (_, i) => i);
        const rows = await evaluateIndices(model, dataset, indices, o.config);
        const {summary} = await writeEvaluation(opened.run, {
          runId: opened.runId, split: 'test', checkpoint, epoch: opened.epoch, threshold: o.config.eval.threshold, rows,
          testSet: {name: set.name, dataset: set.dataset, fingerprint: prepared.fingerprint},
        });
        await indexTestSet(opened.run, opened.runId, set.name, checkpoint);
        const files = evaluationFiles('test', checkpoint, set.name);
        await recordChecksums(o.dir, [files.summary, files.perImageCsv, 'metrics.json']);
        written.push(summary);
      }
    } finally {
      if (model !== opened.model) model.dispose();
      opened.model.dispose();
    }
    return written;
  } finally {
    await lock.release();
  }
}

/** Adds (or keeps) the test set's entry in metrics.json. */
async function indexTestSet(run: RunDir, runId: string, name: string, checkpoint: CheckpointName): Promise<void> {
  const index = ((await readMetricsIndex(run.path)) as RunMetricsIndex | undefined)
    ?? {formatVersion: EVALUATION_FORMAT_VERSION, runId, headline: null, evaluations: []};
  const files = evaluationFiles('test', checkpoint, name);
  const entries = index.evaluations.filter((e) => !(e.testSet !== undefined && testSetStem(e.testSet) === testSetStem(name) && e.checkpoint === checkpoint));
  await run.writeJson('metrics', {...index, evaluations: [...entries, {split: 'test', checkpoint, ...files, testSet: name}]});
}
