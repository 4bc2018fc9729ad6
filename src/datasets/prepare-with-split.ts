// What `datasets prepare` does: the cache, plus the split file that runs will reference (made by the requested
// method, or an existing one checked against the dataset). The split file's name carries the split's parameters,
// and an unchanged split is not rewritten.
import {join, dirname, basename} from 'node:path';
import {DatasetError} from './errors.js';
import {prepareResolved, type PrepareOptions, type PrepareResult} from './prepare.js';
import {resolveDataset, type ResolvedDataset} from './resolve.js';
import {makeSplit, readSplitFile, splitTag, splitWarnings, writeSplitFile, type SplitFile, type SplitRequest, type SplitWarning} from './splits.js';
import {withSubjects} from './subjects.js';
import {verifyResolved} from './verify.js';

export interface PrepareWithSplitOptions extends PrepareOptions {
  /** `method: 'named'` takes the dataset's customary split `name` (CHASE_DB1 `first-20`). */
  split: {method: SplitRequest['method']; seed: number; ratios?: [number, number, number]; folds?: number; fold?: number; name?: string};
  /** Reuse this split file (checked against the dataset) instead of making one. */
  splitFile?: string;
  /** Where to write the split file (default: next to the cache file). */
  splitOut?: string;
}

export interface PreparedWithSplit {
  prepared: PrepareResult;
  split: SplitFile;
  splitFile: string;
  /** Small validation or test subsets: print them. */
  warnings: SplitWarning[];
}

/** Every model halves its input four times: a side that is not a multiple of 16 (or below 16) fits none. */
export function validateModelSize(size: number): void {
  if (!Number.isInteger(size) || size < 16 || size % 16 !== 0) {
    const below = Math.max(16, Math.floor(size / 16) * 16);
    throw new DatasetError(String(size), `size must be a multiple of 16 pixels (models halve it four times): use ${below} or ${below + 16}`);
  }
}

function request(dataset: ResolvedDataset, options: PrepareWithSplitOptions['split']): SplitRequest {
  switch (options.method) {
    case 'kfold':
      return {method: 'kfold', seed: options.seed, folds: options.folds ?? 5, fold: options.fold ?? 0};
    case 'ratios':
      return {method: 'ratios', seed: options.seed, ratios: options.ratios ?? [0.8, 0.1, 0.1]};
    case 'official':
      return {method: 'official', seed: options.seed};
    case 'auto':
      return {method: 'auto', seed: options.seed, ...(options.ratios ? {ratios: options.ratios} : {})};
    case 'named': {
      const known = dataset.entry?.namedSplits ?? [];
      const split = known.find((s) => s.name === options.name);
      if (!split) {
        const offer = known.length ? `${dataset.entry!.name} offers ${known.map((s) => s.name).join(', ')}` : `${dataset.name} has no customary split by name`;
        if (options.name === undefined) throw new DatasetError(dataset.name, `method named needs a split name (data.split.name in a run config): ${offer}`);
        throw new DatasetError(options.name, `unknown split: ${offer}; or use auto, official, ratios or kfold`);
      }
      return {method: 'named', seed: options.seed, split};
    }
  }
}

/**
 * A preparation error (it stops at the first unreadable file) restated with how many problems the dataset has in
 * all, and where to see them: verify checks every pair.
 */
async function withProblemCount(ref: string, dataset: ResolvedDataset, error: DatasetError): Promise<DatasetError> {
  if (error.problem.includes('mslk datasets verify')) return error;
  const report = await verifyResolved(dataset).catch(() => undefined);
  if (!report || report.problems.length === 0) return error;
  const count = report.problems.length;
  return new DatasetError(error.file, `${error.problem} (${count} problem${count === 1 ? '' : 's'} in ${dataset.name}: see them all with \`mslk datasets verify ${ref}\`)`);
}

/**
 * Prepares the cache of a dataset at `options.size` (a multiple of 16) and makes (or reads and checks) its split,
 * keeping each subject's images together. Throws DatasetError for bad sizes, unknown split names, and everything
 * `makeSplit` refuses (an empty test subset among them).
 */
export async function prepareSplit(ref: string, options: PrepareWithSplitOptions): Promise<PreparedWithSplit> {
  validateModelSize(options.size);
  const dataset = await resolveDataset(ref, options);
  const splitRequest = options.splitFile ? undefined : request(dataset, options.split);
  const prepared = await prepareResolved(dataset, options).catch(async (error: unknown) => {
    throw error instanceof DatasetError ? await withProblemCount(ref, dataset, error) : error;
  });
  const ids = dataset.pairs.map((p) => p.id);
  if (!splitRequest) {
    const split = await readSplitFile(options.splitFile!, ids);
    return {prepared, split, splitFile: options.splitFile!, warnings: splitWarnings(split)};
  }
  const split = makeSplit(dataset.name, withSubjects(dataset.layout, dataset.pairs), splitRequest, prepared.fingerprint);
  const splitFile = options.splitOut ?? join(dirname(prepared.file), `${basename(prepared.file, '.mslkds')}.split-${splitTag(split)}-seed${split.seed ?? 0}.json`);
  await writeSplitFile(splitFile, split);
  return {prepared, split, splitFile, warnings: splitWarnings(split)};
}
