// A finished (or checkpointed) run, loaded back: its resolved config, its model with a checkpoint's weights, and
// the prepared dataset and split it was trained on.
import {access} from 'node:fs/promises';
import {resolve} from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import {resolveDataRoot} from '../datasets/data-root.js';
import {prepareSplit} from '../datasets/prepare-with-split.js';
import {openPreparedFile} from '../datasets/prepare.js';
import type {PreparedDataset} from '../datasets/prepared-dataset.js';
import type {SplitFile} from '../datasets/splits.js';
import {applyTrainingProgress, buildModel} from '../models/registry.js';
import {progressAtCheckpoint, readCheckpoint, restoreCheckpoint} from '../training/checkpoint.js';
import {parseRunConfig, type RunConfig} from './config.js';
import {RunDir} from './run-dir.js';

export class RunNotFoundError extends Error {}

export interface OpenedRun {
  run: RunDir;
  config: RunConfig;
  model: tf.LayersModel;
  /** Epochs completed when the checkpoint was written. DyConv runs at the temperature of that moment. */
  epoch: number;
}

export async function openRun(dir: string, checkpoint: 'last' | 'best'): Promise<OpenedRun> {
  const run = new RunDir(resolve(dir));
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
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new RunNotFoundError(`${dir}: no '${checkpoint}' checkpoint yet (the run has not finished an epoch)`);
    throw error;
  }
  const {model} = buildModel(config.model, {seed: config.seed});
  restoreCheckpoint(saved, model);
  applyTrainingProgress(model, config.model, progressAtCheckpoint(saved.header, config.train.epochs));
  return {run, config, model, epoch: saved.header.epoch};
}

/** The prepared dataset and the run's own split (split.json), for evaluating it again. */
export async function runData(opened: OpenedRun, dataRoot?: string): Promise<{dataset: PreparedDataset; split: SplitFile}> {
  const {config, run} = opened;
  const prepared = await prepareSplit(config.data.dataset, {
    dataRoot: resolveDataRoot(dataRoot), size: config.data.size, split: {method: 'auto', seed: 0}, splitFile: run.file('split'),
  });
  return {dataset: await openPreparedFile(prepared.prepared.file), split: prepared.split};
}
