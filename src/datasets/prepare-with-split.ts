// What `datasets prepare` does: the cache, plus the split file that runs will reference (made by the requested
// method, or an existing one checked against the dataset).
import {join, dirname, basename} from 'node:path';
import {prepareResolved, type PrepareOptions, type PrepareResult} from './prepare.js';
import {resolveDataset} from './resolve.js';
import {makeSplit, readSplitFile, writeSplitFile, type SplitFile, type SplitRequest} from './splits.js';

export interface PrepareWithSplitOptions extends PrepareOptions {
  split: {method: SplitRequest['method']; seed: number; ratios?: [number, number, number]; folds?: number; fold?: number};
  /** Reuse this split file (checked against the dataset) instead of making one. */
  splitFile?: string;
  /** Where to write the split file (default: next to the cache file). */
  splitOut?: string;
}

export interface PreparedWithSplit {
  prepared: PrepareResult;
  split: SplitFile;
  splitFile: string;
}

function request(options: PrepareWithSplitOptions['split']): SplitRequest {
  switch (options.method) {
    case 'kfold':
      return {method: 'kfold', seed: options.seed, folds: options.folds ?? 5, fold: options.fold ?? 0};
    case 'ratios':
      return {method: 'ratios', seed: options.seed, ratios: options.ratios ?? [0.8, 0.1, 0.1]};
    case 'official':
      return {method: 'official', seed: options.seed};
    case 'auto':
      return {method: 'auto', seed: options.seed, ...(options.ratios ? {ratios: options.ratios} : {})};
  }
}

export async function prepareSplit(ref: string, options: PrepareWithSplitOptions): Promise<PreparedWithSplit> {
  const dataset = await resolveDataset(ref, options);
  const prepared = await prepareResolved(dataset, options);
  const ids = dataset.pairs.map((p) => p.id);
  if (options.splitFile) {
    return {prepared, split: await readSplitFile(options.splitFile, ids), splitFile: options.splitFile};
  }
  const split = makeSplit(dataset.name, dataset.pairs, request(options.split), prepared.fingerprint);
  const tag = split.method === 'kfold' ? `kfold${split.folds}-${split.fold}` : split.method;
  const splitFile = options.splitOut ?? join(dirname(prepared.file), `${basename(prepared.file, '.mslkds')}.split-${tag}-seed${split.seed ?? 0}.json`);
  await writeSplitFile(splitFile, split);
  return {prepared, split, splitFile};
}
