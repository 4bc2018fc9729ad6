// A finished (or checkpointed) run, loaded back: its resolved config, its model with a checkpoint's weights, and
// the prepared dataset and split it was trained on.
import {access} from 'node:fs/promises';
import type * as tf from '@tensorflow/tfjs';
import {resolveDataRoot} from '../datasets/data-root.js';
import {prepareSplit} from '../datasets/prepare-with-split.js';
import {openPreparedFile} from '../datasets/prepare.js';
import type {PreparedDataset} from '../datasets/prepared-dataset.js';
import type {SplitFile} from '../datasets/splits.js';
import {applyTrainingProgress, buildModel} from '../models/registry.js';
import {progressAtCheckpoint, readCheckpoint, restoreCheckpoint} from '../training/checkpoint.js';
import {parseRunConfig, type RunConfig} from './config.js';
import {locateRun, readRunId} from './locate-run.js';
import {RunDir, RunNotFoundError} from './run-dir.js';

/** Re-exported: openRun's callers catch it from here. */
export {RunNotFoundError};

/** A run loaded back by openRun. */
export interface OpenedRun {
  run: RunDir;
  /** The run's id (manifest.json's; else the one its directory name ends with). */
  runId: string;
  config: RunConfig;
  model: tf.LayersModel;
  /** Epochs completed when the checkpoint was written. DyConv runs at the temperature of that moment. */
  epoch: number;
  /**
   * Steps of epoch `epoch + 1` the checkpoint also holds: a `last` written when training was interrupted inside
   * an epoch (SIGINT, SIGTERM); 0 at an epoch boundary.
   */
  unfinishedEpochSteps: number;
}

/**
 * Opens a run: `dir` is its directory, `<parent>/<run id>`, or a bare run id looked up in `runs` (locateRun). Builds
 * the model of its config.json with the checkpoint's weights, at the checkpoint's DyConv temperature; the caller
 * disposes `model`. Throws RunNotFoundError (one line) when there is no such run or the checkpoint is not written
 * yet, ConfigError when config.json is not a valid run config.
 */
export async function openRun(dir: string, checkpoint: 'last' | 'best', runs?: string): Promise<OpenedRun> {
  const run = new RunDir(await locateRun(dir, runs));
  try {
    await access(run.file('config'));
  } catch {
    throw new RunNotFoundError(`${dir}: not a run directory (no config.json): pass a folder that \`mslk train\` wrote`);
  }
  const config = parseRunConfig(await run.readJson<unknown>('config'));
  let saved;
  try {
    saved = await readCheckpoint(run.checkpoint(checkpoint));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new RunNotFoundError(await missingCheckpointMessage(run, dir, checkpoint));
    throw error;
  }
  const {model} = buildModel(config.model, {seed: config.seed});
  restoreCheckpoint(saved, model);
  applyTrainingProgress(model, config.model, progressAtCheckpoint(saved.header, config.train.epochs));
  return {run, runId: await readRunId(run.path), config, model, epoch: saved.header.epoch, unfinishedEpochSteps: saved.header.unfinishedEpoch?.steps ?? 0};
}

/** Why a checkpoint file is absent: not written yet (an unfinished run), or deleted from a finished one. */
async function missingCheckpointMessage(run: RunDir, dir: string, checkpoint: 'last' | 'best'): Promise<string> {
  const status = await run.status();
  if (status?.state === 'done') {
    return `${dir}: the '${checkpoint}' checkpoint of this finished run is missing (${run.checkpoint(checkpoint)} was deleted or moved): its metrics in eval/ still stand; put the file back, or delete the run folder and train it again to get weights`;
  }
  return `${dir}: no '${checkpoint}' checkpoint yet (the run has not finished an epoch${checkpoint === 'best' ? ' with a validation split' : ''}): continue it with \`mslk train <config> --resume\``;
}

/**
 * The prepared dataset (prepared again at the run's size when its cache is missing) and the run's own split
 * (split.json), for evaluating it again. `dataRoot` defaults to MSLK_DATA_ROOT or the user cache directory.
 */
export async function runData(opened: OpenedRun, dataRoot?: string): Promise<{dataset: PreparedDataset; split: SplitFile}> {
  const {config, run} = opened;
  const prepared = await prepareSplit(config.data.dataset, {
    dataRoot: resolveDataRoot(dataRoot), size: config.data.size, split: {method: 'auto', seed: 0}, splitFile: run.file('split'),
  });
  return {dataset: await openPreparedFile(prepared.prepared.file), split: prepared.split};
}
