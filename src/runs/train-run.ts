// One run, end to end: resolved config -> prepared dataset and split -> run directory -> training -> evaluation
// at each image's original resolution -> eval/<split>-<checkpoint>.{json,csv}, metrics.json (their index),
// manifest.json, status.
import {access, mkdir, readdir, readFile, rm} from 'node:fs/promises';
import {join, resolve} from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type {prepareSplit} from '../datasets/prepare-with-split.js';
import {PREPARED_IMAGE_CHANNELS} from '../datasets/cache-file.js';
import {openPreparedFile} from '../datasets/prepare.js';
import {checkModelForData, loadPretrainedWeights, pretrainedFile} from '../models/registry.js';
import type {PretrainedWeights} from '../models/families/common.js';
import type {PreparedDataset} from '../datasets/prepared-dataset.js';
import type {SplitFile} from '../datasets/splits.js';
import {activeBackendName, activeGpuAdapter} from '../engine/backends.js';
import {nativeCpu, setNativeThreads} from '../engine/native/dnnl.js';
import {provenance} from '../io/provenance.js';
import type {RunConfig} from './config.js';
import {continuingThreads, nativeThreadsOf, type ManifestCpuPath} from './continuing-threads.js';
import {describeProblems, recordChecksums, repairLine, runNumberFiles, unrecoverableReason, verifyRunFiles} from './checksums.js';
import {evaluateSplits} from './evaluate-run.js';
import {evaluationFiles, EvaluationFormatError, EvaluationNotFoundError, metricsIndex, readMetricsIndex, readRunEvaluation, type EvaluatedSplit,
  type EvaluationSummary, type RunMetricsIndex} from './evaluation-summary.js';
import {findRunById, runDirName} from './locate-run.js';
import {acquireRunLock} from './lock.js';
import {reevaluateRun} from './reevaluate.js';
import {trainLoop, TrainingDivergedError, TrainingInterruptedError, type BatchProgress, type EpochLog} from '../training/loop.js';
import {RunDir, runId} from './run-dir.js';
import {prepareRunData, refuseEmptyValidation} from './run-for-config.js';

/** One run to train: its resolved config, where run directories go, and progress callbacks. */
export interface TrainRunOptions {
  config: RunConfig;
  /** Parent folder of run directories. */
  out: string;
  /** Where datasets are cached; default MSLK_DATA_ROOT or the user cache directory. */
  dataRoot?: string;
  /** Continue an unfinished (or failed) run from its `last` checkpoint instead of refusing it. */
  resume?: boolean;
  /** The command line, for the manifest. */
  commandLine?: string;
  /** Called after every optimisation step. */
  onBatch?: (p: BatchProgress) => void;
  /** Called after every epoch, with its log line. */
  onEpoch?: (e: EpochLog) => void;
  /** Progress messages for people (one line each). */
  onStage?: (message: string) => void;
  /**
   * Stops training after the current step when aborted (SIGINT, SIGTERM): the run's `last` checkpoint is written
   * at that step (inside the epoch), it gets status `partial`, releases its lock, and trainRun throws
   * TrainingInterruptedError; `resume` goes on from that step.
   */
  signal?: AbortSignal;
  /** The share of the machine's cores this process was given (MSLK_THREADS from a suite executor), for the manifest. */
  threads?: number;
  /** What the lock file names as its owner's command (default 'mslk train'). */
  lockCommand?: string;
  /**
   * The id the caller's run directory ends with (`mslk run-one <dir>`): when the config on today's data gives
   * another id (the dataset or split changed since the directory was prepared), RunStateError before anything is
   * written.
   */
  expectedRunId?: string;
}

/** A trained (or already done) run. */
export interface TrainRunResult {
  /** The run's id: 12 hex digits, its identity (runId in run-dir.ts). */
  runId: string;
  /** Its directory: `<out>/<model>-<dataset>-s<seed>-<runId>` (or `<out>/<runId>` for runs written before names). */
  dir: string;
  /** True when the run was already done: nothing was trained. */
  reused: boolean;
  /** The summaries at the run's eval.checkpoint, by split (a split without images has none); test is the headline. */
  evaluations: Partial<Record<EvaluatedSplit, EvaluationSummary>>;
}

/** A run that cannot start in its directory's state (unfinished without --resume, no training images). */
export class RunStateError extends Error {}

/** The summaries of a finished run at `checkpoint` (validation, test), from either evaluation format. */
async function finishedEvaluations(dir: string, checkpoint: 'last' | 'best'): Promise<Partial<Record<EvaluatedSplit, EvaluationSummary>>> {
  await readMetricsIndex(dir);
  const evaluations: Partial<Record<EvaluatedSplit, EvaluationSummary>> = {};
  for (const split of ['validation', 'test'] as const) {
    try {
      evaluations[split] = await readRunEvaluation(dir, split, checkpoint);
    } catch (error) {
      if (!(error instanceof EvaluationNotFoundError)) throw error;
    }
  }
  return evaluations;
}

/**
 * Throws RunStateError when the run's config.json no longer hashes to its id (edited by hand): continuing it, or
 * reporting it, would attach its numbers to a config they were not made with.
 */
async function refuseEditedConfig(run: RunDir, id: string, datasetKey: string): Promise<void> {
  // Absent: nothing to compare. Damaged (not JSON): refused like an edit (readJson's error names the file), never
  // silently rewritten.
  const stored = await run.readJson<RunConfig>('config').catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
  if (stored !== undefined && runId(stored, datasetKey) !== id) {
    throw new RunStateError(`${run.file('config')} was edited after the run was made (its content no longer gives run id ${id}): put the original back, or delete ${run.path}; to train another config, change the YAML and run \`mslk train\` (a changed config is a new run)`);
  }
}

/**
 * The evaluations of a done run, after its files were compared with checksums.json. A file that cannot be
 * recomputed (config, split, manifest, log, checkpoint) that changed or is gone throws RunStateError naming it and
 * the fix: the run's numbers can no longer be vouched for. When an evaluation file or metrics.json changed, is gone
 * or is cut short (a crash, a full disk), the checkpoint (verified first) is evaluated again on the run's validation
 * and test splits, their files and metrics.json are rewritten and recorded, and a damaged extra test set's files are
 * removed, so that the caller's evaluateTestSets evaluates it again; each step is said through `onStage`.
 */
async function doneRunEvaluations(run: RunDir, id: string, config: RunConfig, o: TrainRunOptions): Promise<Partial<Record<EvaluatedSplit, EvaluationSummary>>> {
  const verification = await verifyRunFiles(run.path, {checkpoints: false});
  const lost = unrecoverableReason(run.path, verification);
  if (lost !== undefined) throw new RunStateError(lost);
  if (repairLine(run.path, verification) === undefined) {
    try {
      return await finishedEvaluations(run.path, config.eval.checkpoint);
    } catch (error) {
      if (!(error instanceof EvaluationFormatError && error.damaged)) throw error;
      o.onStage?.(`${error.message.split(': evaluate')[0]}: evaluating the ${config.eval.checkpoint} checkpoint again to repair it`);
    }
  } else {
    const damaged = verification.problems.filter((p) => p.recomputable);
    o.onStage?.(`${describeProblems(damaged)} in ${run.path}: evaluating the ${config.eval.checkpoint} checkpoint again to rewrite ${damaged.length === 1 ? 'it' : 'them'}`);
  }
  const checkpoint = `checkpoints/${config.eval.checkpoint}.ckpt`;
  const checked = await verifyRunFiles(run.path, {checkpoints: true});
  const damagedCheckpoint = checked.problems.filter((p) => p.file === checkpoint);
  if (damagedCheckpoint.length > 0) throw new RunStateError(unrecoverableReason(run.path, {...checked, problems: damagedCheckpoint})!);
  // An extra test set's damaged files are removed: the caller evaluates it again (pendingTestSets).
  for (const problem of verification.problems) {
    if (!problem.file.startsWith('eval/external/')) continue;
    const stem = problem.file.replace(/\.(json|csv)$/, '');
    await Promise.all(['.json', '.csv'].map((ext) => rm(join(run.path, stem + ext), {force: true})));
  }
  const split = await run.readJson<SplitFile>('split');
  const repaired: EvaluationSummary[] = [];
  for (const name of ['validation', 'test'] as const) {
    if (split.subsets[name].length === 0) continue;
    const written = await reevaluateRun({dir: run.path, split: name, checkpoint: config.eval.checkpoint, ...(o.dataRoot ? {dataRoot: o.dataRoot} : {})});
    repaired.push(written.summary);
  }
  // Extra test sets whose summaries are intact stay in the index; the others are evaluated again by the caller.
  const external = await intactExternalEntries(run.path, config.eval.checkpoint);
  const index = metricsIndex(id, repaired);
  await run.writeJson('metrics', {...index, evaluations: [...index.evaluations, ...external]});
  await recordChecksums(run.path, ['metrics.json', ...(await runNumberFiles(run.path)).filter((f) => f.startsWith('eval/'))]);
  return Object.fromEntries(repaired.map((r) => [r.split, r]));
}

/** metrics.json entries for the extra test sets whose summaries at `checkpoint` are in eval/external/ and readable. */
async function intactExternalEntries(dir: string, checkpoint: 'last' | 'best'): Promise<RunMetricsIndex['evaluations']> {
  const entries: RunMetricsIndex['evaluations'] = [];
  const names = await readdir(join(dir, 'eval', 'external')).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.endsWith(`-${checkpoint}.json`)).sort()) {
    try {
      const summary = JSON.parse(await readFile(join(dir, 'eval', 'external', name), 'utf8')) as EvaluationSummary;
      if (summary.testSet?.name === undefined) continue;
      entries.push({split: 'test', checkpoint, ...evaluationFiles('test', checkpoint, summary.testSet.name), testSet: summary.testSet.name});
    } catch {
      // cut short: evaluated again by the caller
    }
  }
  return entries;
}

/**
 * Sets oneDNN to the threads a resumed run's manifest recorded (`recorded`) when this process runs on others and the
 * user did not choose them (continuingThreads), and says so: a run continues with the bytes it would have had
 * uninterrupted.
 */
function continueOnRecordedThreads(recorded: number | undefined, onStage: ((message: string) => void) | undefined): void {
  const current = nativeCpu();
  if (!current.active || current.threads === undefined) return;
  const threads = continuingThreads(recorded, current.threads);
  if (threads === current.threads) return;
  setNativeThreads(threads);
  onStage?.(`resuming on ${threads} oneDNN thread${threads === 1 ? '' : 's'}, as the run started (results differ in the last bits between thread counts; MSLK_THREADS overrides)`);
}

/** What a resumed run takes over from its earlier process's manifest.json: its CPU path and its pretrained record. */
interface EarlierManifest extends ManifestCpuPath {
  pretrained?: PretrainedWeights | null;
}

/**
 * Trains and evaluates one run, or returns it when it is already done (same id: same config, dataset, split, seed
 * and mslk version). Prepares the dataset at config.data.size, writes the run directory (found again by its id in
 * `out`, else created with a readable name), trains (trainLoop), then evaluates the config's eval.checkpoint on the
 * validation and test splits at each image's original resolution (writeEvaluation) and writes metrics.json, the
 * final manifest and status `done`. A new run of a family with pretrained weights (EMCAD's model.pretrained) loads
 * them before its first step and its manifest records them as `pretrained` (null: from scratch; a resumed run keeps
 * the record). Throws RunStateError (one line) when the run exists unfinished and `resume` is false, the split has
 * no training images, or a new run's weights file does not exist; ConfigError when eval.checkpoint is 'best' and the split
 * has no validation images (refuseEmptyValidation); TrainingDivergedError when the loss stops being finite;
 * TrainingInterruptedError when `signal` stopped it (status `partial`, resumable); RunLockedError when a live process
 * owns the run. A failure
 * after the directory exists marks it `failed: <reason>` and keeps every file written so far.
 */
export async function trainRun(o: TrainRunOptions): Promise<TrainRunResult> {
  const {config} = o;
  // Before anything is prepared or written: a model that cannot run on this data fails now, not in a matMul.
  const fit = checkModelForData(config.model, {size: config.data.size, imageChannels: PREPARED_IMAGE_CHANNELS, maskChannels: 1});
  for (const warning of fit.warnings) o.onStage?.(`warning: ${warning}`);
  o.onStage?.(`preparing ${config.data.dataset} at ${config.data.size} px`);
  const {prepared, splitHash, runId: id} = await prepareRunData(config, o.dataRoot);
  for (const warning of prepared.warnings) o.onStage?.(warning.message);
  const {train, validation, test} = prepared.split.subsets;
  refuseEmptyValidation(config, {train: train.length, validation: validation.length, test: test.length});
  if (o.expectedRunId !== undefined && o.expectedRunId !== id) {
    throw new RunStateError(`run ${o.expectedRunId} was prepared from other data: its config on the dataset as it is now gives run id ${id} (the dataset, its split or mslk's version changed): plan the suite again`);
  }
  // Found by its id alone: an older directory named by the bare id, or a readable name made from other words.
  const run = new RunDir((await findRunById(o.out, id)) ?? join(o.out, runDirName(config, id)));
  const before = await run.status();
  if (before?.state === 'done') {
    await refuseEditedConfig(run, id, `${prepared.prepared.fingerprint}:${splitHash}`);
    // Evaluation files to rewrite are rewritten under the run's lock (below); anything else is answered now.
    if (repairLine(run.path, await verifyRunFiles(run.path, {checkpoints: false})) === undefined) {
      return {runId: id, dir: run.path, reused: true, evaluations: await doneRunEvaluations(run, id, config, o)};
    }
  }
  // A new run loads its pretrained weights before its first step: a missing file fails now, before anything is
  // written (a resumed run needs no file: its checkpoint holds the weights).
  const weightsFile = pretrainedFile(config.model);
  if (before === undefined && weightsFile !== null) {
    await access(resolve(weightsFile)).catch(() => {
      throw new RunStateError(`model.pretrained '${weightsFile}': no such file (${resolve(weightsFile)}): give the path of the weights file (README: EMCAD's ImageNet weights), or set model.pretrained=null to train from scratch`);
    });
  }
  const dataset = await openPreparedFile(prepared.prepared.file);
  const [trainIndices, validationIndices, testIndices] = (['train', 'validation', 'test'] as const)
    .map((s) => dataset.indicesOf(prepared.split.subsets[s]));
  if (trainIndices!.length === 0) throw new RunStateError(`the split of ${config.data.dataset} has no training images`);
  await mkdir(join(run.path, 'checkpoints'), {recursive: true});
  // One owner at a time: a second `train` (or a suite worker) of the same run stops here, naming the owner.
  const lock = await acquireRunLock(run.path, {command: o.lockCommand ?? 'mslk train'});
  try {
    return await trainOwnedRun(o, {run, id, prepared, splitHash, dataset, trainIndices: trainIndices!, validationIndices: validationIndices!, testIndices: testIndices!});
  } finally {
    await lock.release();
  }
}

interface OwnedRun {
  run: RunDir;
  id: string;
  prepared: Awaited<ReturnType<typeof prepareSplit>>;
  splitHash: string;
  dataset: PreparedDataset;
  trainIndices: number[];
  validationIndices: number[];
  testIndices: number[];
}

/** The part of trainRun that runs while this process holds the run's lock. */
async function trainOwnedRun(o: TrainRunOptions, r: OwnedRun): Promise<TrainRunResult> {
  const {config} = o;
  const {run, id, prepared, splitHash, dataset, trainIndices, validationIndices, testIndices} = r;
  // Read under the lock: the previous owner may have finished while we waited for it.
  const status = await run.status();
  if (status?.state === 'done') {
    return {runId: id, dir: run.path, reused: true, evaluations: await doneRunEvaluations(run, id, config, o)};
  }
  if (status !== undefined) {
    await refuseEditedConfig(run, id, `${prepared.prepared.fingerprint}:${splitHash}`);
    if (!o.resume) {
      const state = status.state === 'failed' ? `failed: ${status.reason}` : status.state === 'partial' ? 'interrupted' : 'unfinished, and no process owns it';
      throw new RunStateError(`run ${id} already exists (${state}) in ${run.path}: pass --resume to continue it from its last checkpoint, or delete that folder to start over`);
    }
  } else if (o.resume && o.expectedRunId === undefined) {
    o.onStage?.(`no unfinished run matches this config (run ${id} does not exist in ${o.out}): starting a new run`);
  }

  // A resumed run continues as its first process recorded: on its threads, with its record of pretrained weights.
  const earlier = status !== undefined ? await run.readJson<EarlierManifest>('manifest').catch(() => undefined) : undefined;
  if (status !== undefined) continueOnRecordedThreads(nativeThreadsOf(earlier), o.onStage);
  const started = new Date();
  const origin = await provenance({backend: activeBackendName()});
  if (origin.code.buildMatchesSources === false) {
    o.onStage?.('warning: dist/ was built from other sources than those in src/ (run `npm run build`); this run uses the build, and its manifest says so');
  }
  const gpuAdapter = activeGpuAdapter();
  const manifest = {
    runId: id, mslk: origin.mslk, commandLine: o.commandLine ?? null, git: origin.git, code: origin.code,
    packages: origin.packages, backend: activeBackendName(), node: origin.node, system: origin.system,
    dataset: {ref: config.data.dataset, name: prepared.prepared.dataset, fingerprint: prepared.prepared.fingerprint,
      cache: prepared.prepared.file, size: config.data.size, count: dataset.count},
    split: {file: 'split.json', sha256: splitHash, method: prepared.split.method,
      counts: {train: trainIndices.length, validation: validationIndices.length, test: testIndices.length}},
    seed: config.seed, startedAt: started.toISOString(), resumed: status !== undefined,
    ...(o.threads !== undefined ? {threads: o.threads} : {}),
    // On wasm, whether convolutions ran on oneDNN and on how many threads: results differ in the last bits.
    ...(activeBackendName() === 'wasm' ? {nativeCpu: nativeCpu()} : {}),
    // On webgpu, the adapter (vendor, architecture, description, software or not): results differ between adapters.
    ...(gpuAdapter !== undefined ? {gpuAdapter} : {}),
  };
  // What the model's pretrained weights were (families with the knob: null = from scratch): set when the loop
  // starts from initial weights; a resumed run keeps what its first process recorded.
  let pretrained: PretrainedWeights | null | undefined = earlier?.pretrained;
  const withPretrained = () => (pretrained === undefined ? manifest : {...manifest, pretrained});
  await run.writeJson('config', config);
  await run.writeJson('split', prepared.split);
  await run.writeJson('manifest', withPretrained());
  await run.setStatus({state: 'running'});

  let model: tf.LayersModel | undefined;
  try {
    o.onStage?.(`training run ${id} on ${manifest.backend}`);
    const loop = await trainLoop({
      config, dataset, trainIndices, validationIndices, run, resume: status !== undefined,
      ...(o.onBatch ? {onBatch: o.onBatch} : {}), ...(o.onEpoch ? {onEpoch: o.onEpoch} : {}),
      ...(o.signal ? {signal: o.signal} : {}),
      initialize: async (built) => {
        const loaded = await loadPretrainedWeights(built, config.model);
        if (loaded === undefined) return;
        pretrained = loaded;
        if (loaded === null) o.onStage?.('model.pretrained is null: the model trains from scratch');
        else {
          o.onStage?.(`loaded ${loaded.loaded} pretrained weights from ${loaded.file} (${loaded.scheme} names, sha256 ${loaded.sha256.slice(0, 12)})`);
          if (loaded.missing.length > 0) o.onStage?.(`warning: ${loaded.missing.length} ${loaded.missing.length === 1 ? 'weight is' : 'weights are'} not in ${loaded.file} and ${loaded.missing.length === 1 ? 'starts' : 'start'} from scratch: ${loaded.missing.slice(0, 3).join(', ')}${loaded.missing.length > 3 ? ', ...' : ''} (manifest.json lists them)`);
          if (loaded.unexpected.length > 0) o.onStage?.(`warning: ${loaded.unexpected.length} ${loaded.unexpected.length === 1 ? 'tensor' : 'tensors'} of ${loaded.file} ${loaded.unexpected.length === 1 ? 'was' : 'were'} not used: ${loaded.unexpected.slice(0, 3).join(', ')}${loaded.unexpected.length > 3 ? ', ...' : ''} (manifest.json lists them)`);
        }
        await run.writeJson('manifest', withPretrained());
      },
    });
    model = loop.model;
    o.onStage?.(`evaluating the ${config.eval.checkpoint} checkpoint at each image's original resolution`);
    const evaluations = await evaluateSplits({
      model, config, dataset, run, runId: id, checkpoint: config.eval.checkpoint,
      splits: {validation: validationIndices, test: testIndices},
    });
    await run.writeJson('metrics', metricsIndex(id, Object.values(evaluations)));
    await run.writeJson('manifest', {
      ...withPretrained(), finishedAt: new Date().toISOString(), trainingSeconds: loop.trainSeconds,
      peakTensorBytes: loop.peakTensorBytes, peakRssBytes: process.memoryUsage().rss,
      ...(loop.peakGpuBytes !== null ? {peakGpuBytes: loop.peakGpuBytes} : {}),
      epochs: loop.position.epoch, bestEpoch: loop.position.bestEpoch,
    });
    // Every file the run's numbers come from gets its content hash before the run counts as done.
    await recordChecksums(run.path, await runNumberFiles(run.path));
    await run.setStatus({state: 'done'});
    return {runId: id, dir: run.path, reused: false, evaluations};
  } catch (error) {
    if (error instanceof TrainingInterruptedError) {
      await run.setStatus({state: 'partial'});
      throw error;
    }
    const reason = error instanceof TrainingDivergedError ? error.message : `${(error as Error).message.split('\n')[0]}`;
    await run.setStatus({state: 'failed', reason});
    throw error;
  } finally {
    model?.dispose();
  }
}
