// Where a resolved run config lives in a store, without training it: the first part of trainRun (prepare the
// dataset and its split, hash the split, the run id, the directory found by id or named by runDirName). Suites
// use it to plan every run before anything trains.
import {createHash} from 'node:crypto';
import {join} from 'node:path';
import {resolveDataRoot} from '../datasets/data-root.js';
import {prepareSplit} from '../datasets/prepare-with-split.js';
import {canonicalJson} from '../io/canonical-json.js';
import type {RunConfig} from './config.js';
import {findRunById, runDirName} from './locate-run.js';
import {runId} from './run-dir.js';

/** Where a run config's run is: its id, its directory (existing or to be made), and the data key its id hashes. */
export interface LocatedRun {
  /** 12 hex digits (runId in run-dir.ts). */
  runId: string;
  /** An existing directory of that id in `out`, else `<out>/<runDirName(config, runId)>`. */
  dir: string;
  /** `<dataset fingerprint>:<sha256 of the split's subsets>`, what runId hashes for the data. */
  datasetKey: string;
}

/**
 * The data key of a run config: prepares the dataset's cache at `data.size` (the synthetic dataset is generated on
 * first use) and its split, and returns `<fingerprint>:<split hash>`. Throws DatasetError (one line) when the
 * dataset is absent or unreadable, or the split cannot be made.
 */
export async function datasetKeyOf(config: RunConfig, dataRoot?: string): Promise<string> {
  return (await preparedDataOf(config, dataRoot)).datasetKey;
}

/** The data key of a run config (see datasetKeyOf) and the number of images in each subset of its split. */
export async function preparedDataOf(config: RunConfig, dataRoot?: string): Promise<{datasetKey: string; images: {train: number; validation: number; test: number}}> {
  const split = config.data.split;
  const prepared = await prepareSplit(config.data.dataset, {
    dataRoot: resolveDataRoot(dataRoot), size: config.data.size,
    split: {method: split.method, seed: split.seed, ...(split.ratios ? {ratios: split.ratios} : {}),
      ...(split.folds !== undefined ? {folds: split.folds} : {}), ...(split.fold !== undefined ? {fold: split.fold} : {}),
      ...(split.name !== undefined ? {name: split.name} : {})},
    ...(config.data.splitFile ? {splitFile: config.data.splitFile} : {}),
  });
  const splitHash = createHash('sha256').update(canonicalJson(prepared.split.subsets)).digest('hex');
  const {train, validation, test} = prepared.split.subsets;
  return {datasetKey: `${prepared.prepared.fingerprint}:${splitHash}`, images: {train: train.length, validation: validation.length, test: test.length}};
}

/** The run directory of `config` under `options.out` (nothing is written there). Throws as datasetKeyOf. */
export async function locateRunForConfig(config: RunConfig, options: {out: string; dataRoot?: string}): Promise<LocatedRun> {
  const datasetKey = await datasetKeyOf(config, options.dataRoot);
  const id = runId(config, datasetKey);
  return {runId: id, dir: (await findRunById(options.out, id)) ?? join(options.out, runDirName(config, id)), datasetKey};
}
