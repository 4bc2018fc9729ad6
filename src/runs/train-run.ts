// One run, end to end: resolved config -> prepared dataset and split -> run directory -> training -> evaluation
// at each image's original resolution -> metrics.json, per-image.csv, manifest.json, status.
import {createHash} from 'node:crypto';
import {mkdir} from 'node:fs/promises';
import {join} from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {resolveDataRoot} from '../datasets/data-root.js';
import {prepareSplit} from '../datasets/prepare-with-split.js';
import {openPreparedFile} from '../datasets/prepare.js';
import {canonicalJson} from '../io/canonical-json.js';
import {activeBackendName} from '../engine/backends.js';
import {provenance} from '../io/provenance.js';
import type {RunConfig} from './config.js';
import {evaluateSplits, type RunMetrics} from './evaluate-run.js';
import {trainLoop, TrainingDivergedError, type BatchProgress, type EpochLog} from '../training/loop.js';
import {RunDir, runId} from './run-dir.js';

export interface TrainRunOptions {
  config: RunConfig;
  /** Parent folder of run directories. */
  out: string;
  dataRoot?: string;
  resume?: boolean;
  /** The command line, for the manifest. */
  commandLine?: string;
  onBatch?: (p: BatchProgress) => void;
  onEpoch?: (e: EpochLog) => void;
  onStage?: (message: string) => void;
}

export interface TrainRunResult {
  runId: string;
  dir: string;
  /** True when the run was already done: nothing was trained. */
  reused: boolean;
  metrics: RunMetrics;
}

export class RunStateError extends Error {}

export async function trainRun(o: TrainRunOptions): Promise<TrainRunResult> {
  const {config} = o;
  const dataRoot = resolveDataRoot(o.dataRoot);
  o.onStage?.(`preparing ${config.data.dataset} at ${config.data.size} px`);
  const prepared = await prepareSplit(config.data.dataset, {
    dataRoot, size: config.data.size,
    split: {method: config.data.split.method, seed: config.data.split.seed,
      ...(config.data.split.ratios ? {ratios: config.data.split.ratios} : {}),
      ...(config.data.split.folds !== undefined ? {folds: config.data.split.folds} : {}),
      ...(config.data.split.fold !== undefined ? {fold: config.data.split.fold} : {})},
    ...(config.data.splitFile ? {splitFile: config.data.splitFile} : {}),
  });
  // The split is part of what a run is made from: the same config on another split is another run.
  const splitHash = createHash('sha256').update(canonicalJson(prepared.split.subsets)).digest('hex');
  const id = runId(config, `${prepared.prepared.fingerprint}:${splitHash}`);
  const run = new RunDir(join(o.out, id));
  const status = await run.status();
  if (status?.state === 'done') {
    return {runId: id, dir: run.path, reused: true, metrics: await run.readJson<RunMetrics>('metrics')};
  }
  if (status !== undefined && !o.resume) {
    throw new RunStateError(`run ${id} already exists (${status.state === 'failed' ? `failed: ${status.reason}` : 'unfinished'}) in ${run.path}: pass --resume to continue it from its last checkpoint, or delete that folder to start over`);
  }
  await mkdir(join(run.path, 'checkpoints'), {recursive: true});
  const dataset = await openPreparedFile(prepared.prepared.file);
  const [trainIndices, validationIndices, testIndices] = (['train', 'validation', 'test'] as const)
    .map((s) => dataset.indicesOf(prepared.split.subsets[s]));
  if (trainIndices!.length === 0) throw new RunStateError(`the split of ${config.data.dataset} has no training images`);

  const started = new Date();
  const origin = await provenance({backend: activeBackendName()});
  if (origin.code.buildMatchesSources === false) {
    o.onStage?.('warning: dist/ was built from other sources than those in src/ (run `npm run build`); this run uses the build, and its manifest says so');
  }
  const manifest = {
    runId: id, mslk: origin.mslk, commandLine: o.commandLine ?? null, git: origin.git, code: origin.code,
    packages: origin.packages, backend: activeBackendName(), node: origin.node, system: origin.system,
    dataset: {ref: config.data.dataset, name: prepared.prepared.dataset, fingerprint: prepared.prepared.fingerprint,
      cache: prepared.prepared.file, size: config.data.size, count: dataset.count},
    split: {file: 'split.json', sha256: splitHash, method: prepared.split.method,
      counts: {train: trainIndices!.length, validation: validationIndices!.length, test: testIndices!.length}},
    seed: config.seed, startedAt: started.toISOString(), resumed: status !== undefined,
  };
  await run.writeJson('config', config);
  await run.writeJson('split', prepared.split);
  await run.writeJson('manifest', manifest);
  await run.setStatus({state: 'running'});

  let model: tf.LayersModel | undefined;
  try {
    o.onStage?.(`training run ${id} on ${manifest.backend}`);
    const loop = await trainLoop({
      config, dataset, trainIndices: trainIndices!, validationIndices: validationIndices!, run, resume: o.resume ?? false,
      ...(o.onBatch ? {onBatch: o.onBatch} : {}), ...(o.onEpoch ? {onEpoch: o.onEpoch} : {}),
    });
    model = loop.model;
    o.onStage?.(`evaluating the ${config.eval.checkpoint} checkpoint at each image's original resolution`);
    const metrics = await evaluateSplits({
      model, config, dataset, run, checkpoint: config.eval.checkpoint,
      splits: {validation: validationIndices!, test: testIndices!},
    });
    await run.writeJson('metrics', metrics);
    await run.writeJson('manifest', {
      ...manifest, finishedAt: new Date().toISOString(), trainingSeconds: loop.trainSeconds,
      peakTensorBytes: loop.peakTensorBytes, peakRssBytes: process.memoryUsage().rss,
      epochs: loop.position.epoch, bestEpoch: loop.position.bestEpoch,
    });
    await run.setStatus({state: 'done'});
    return {runId: id, dir: run.path, reused: false, metrics};
  } catch (error) {
    const reason = error instanceof TrainingDivergedError ? error.message : `${(error as Error).message.split('\n')[0]}`;
    await run.setStatus({state: 'failed', reason});
    throw error;
  } finally {
    model?.dispose();
  }
}
