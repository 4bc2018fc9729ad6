// A config's run identity without training: the dataset prepared at the config's size and split, the run id made
// from them, and the run directory it has (found by id in the store) or would get. trainRun uses it to find its
// run; a suite planner and executor use it to lay out and check run directories before any training starts.
import {createHash} from 'node:crypto';
import {join} from 'node:path';
import {resolveDataRoot} from '../datasets/data-root.js';
import {prepareSplit} from '../datasets/prepare-with-split.js';
import {canonicalJson} from '../io/canonical-json.js';
import {ConfigError} from '../config/parse.js';
import type {RunConfig} from './config.js';
import {findRunById, runDirName} from './locate-run.js';
import {runId} from './run-dir.js';

/** The data a run is made from, prepared, and the identity it gives the run. */
export interface PreparedRunData {
  /** What prepareSplit returned: the prepared dataset file, the split, warnings. */
  prepared: Awaited<ReturnType<typeof prepareSplit>>;
  /** SHA-256 (hex) of the canonical JSON of the split's subsets. */
  splitHash: string;
  /** `<dataset fingerprint>:<split hash>`, the dataset part of the run id (runId in run-dir.ts). */
  datasetKey: string;
  /** The run id: 12 hex digits. */
  runId: string;
}

/**
 * Prepares config.data.dataset at config.data.size with the config's split (cached in `dataRoot`, default
 * MSLK_DATA_ROOT or the user cache directory) and computes the run id. Throws the dataset layer's one-line errors
 * (unknown dataset, refused split).
 */
export async function prepareRunData(config: RunConfig, dataRoot?: string): Promise<PreparedRunData> {
  const prepared = await prepareSplit(config.data.dataset, {
    dataRoot: resolveDataRoot(dataRoot), size: config.data.size,
    split: {method: config.data.split.method, seed: config.data.split.seed,
      ...(config.data.split.ratios ? {ratios: config.data.split.ratios} : {}),
      ...(config.data.split.folds !== undefined ? {folds: config.data.split.folds} : {}),
      ...(config.data.split.fold !== undefined ? {fold: config.data.split.fold} : {}),
      ...(config.data.split.name !== undefined ? {name: config.data.split.name} : {})},
    ...(config.data.splitFile ? {splitFile: config.data.splitFile} : {}),
  });
  // The split is part of what a run is made from: the same config on another split is another run.
  const splitHash = createHash('sha256').update(canonicalJson(prepared.split.subsets)).digest('hex');
  const datasetKey = `${prepared.prepared.fingerprint}:${splitHash}`;
  return {prepared, splitHash, datasetKey, runId: runId(config, datasetKey)};
}

/**
 * The run id of `config` and its directory in the store `out`: the existing directory ending in that id (an older
 * `<out>/<id>` or a renamed prefix), else `<out>/<runDirName(config, id)>` (not created). Prepares the dataset as
 * training would (see prepareRunData). Throws RunNotFoundError when several directories end in the id.
 */
export async function locateRunForConfig(config: RunConfig, o: {out: string; dataRoot?: string}): Promise<{runId: string; dir: string; datasetKey: string}> {
  const data = await prepareRunData(config, o.dataRoot);
  const dir = (await findRunById(o.out, data.runId)) ?? join(o.out, runDirName(config, data.runId));
  return {runId: data.runId, dir, datasetKey: data.datasetKey};
}

/**
 * The data key of a run config (see prepareRunData) and the number of images in each subset of its split, for a
 * suite's plan. Throws as prepareRunData.
 */
export async function preparedDataOf(config: RunConfig, dataRoot?: string): Promise<{datasetKey: string; images: {train: number; validation: number; test: number}}> {
  const data = await prepareRunData(config, dataRoot);
  const {train, validation, test} = data.prepared.split.subsets;
  return {datasetKey: data.datasetKey, images: {train: train.length, validation: validation.length, test: test.length}};
}

/** Images in each subset of a run's split. */
export interface SubsetCounts {
  train: number;
  validation: number;
  test: number;
}

/**
 * Why `config` cannot train on a split with these subset sizes, or undefined: eval.checkpoint 'best' is the
 * checkpoint of the best validation Dice, so without validation images no `best` checkpoint is ever written and the
 * run would fail after training, at evaluation (k folds of a few images leave a fold's validation share empty). The
 * text names the fold and the fix.
 */
export function emptyValidationProblem(config: RunConfig, images: SubsetCounts): string | undefined {
  if (config.eval.checkpoint !== 'best' || images.validation > 0) return undefined;
  const {split} = config.data;
  const counts = `${images.train} train, 0 validation, ${images.test} test images`;
  const fix = split.method === 'kfold' ? 'use fewer folds or a dataset with more images'
    : split.method === 'ratios' ? 'give validation a share in data.split.ratios' : 'use a split with validation images';
  const which = split.method === 'kfold' ? `fold ${split.fold ?? 0} of the ${split.folds ?? 5}-fold split` : 'the split';
  return `${which} has no validation images (${counts}), and eval.checkpoint 'best' is picked by validation Dice: set eval.checkpoint: last, or ${fix}`;
}

/** Throws ConfigError (exit 2) with emptyValidationProblem's text after the dataset, before anything trains. */
export function refuseEmptyValidation(config: RunConfig, images: SubsetCounts): void {
  const problem = emptyValidationProblem(config, images);
  if (problem !== undefined) throw new ConfigError(`${config.data.dataset}: ${problem}`);
}
