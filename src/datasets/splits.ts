// Splits are files: lists of image ids per subset, written next to results so anyone can rerun on the same split.
// The official split is the default where a dataset has one; otherwise a seeded split by ratios or k-fold,
// stratified by class where the dataset has classes. Subsets never overlap and together cover every image.
import {readFile} from 'node:fs/promises';
import {writeFileAtomic} from '../io/atomic-write.js';
import {DatasetError, firstLine} from './errors.js';
import {SeededRandom, hashLabel} from '../io/random.js';

export const SUBSETS = ['train', 'validation', 'test'] as const;
export type SubsetName = (typeof SUBSETS)[number];

export interface SplitItem {
  id: string;
  /** Official split from the layout ('train', 'validation', 'test'). */
  split?: string;
  /** Official finer group (GlaS testA/testB). */
  group?: string;
  className?: string;
}

export interface SplitFile {
  format: 'mslk-split';
  version: 1;
  dataset: string;
  fingerprint?: string;
  method: 'official' | 'ratios' | 'kfold';
  description: string;
  seed?: number;
  ratios?: [number, number, number];
  folds?: number;
  fold?: number;
  stratifiedBy?: 'class';
  subsets: Record<SubsetName, string[]>;
  /** Official groups inside subsets (GlaS testA, testB), for reporting them apart. */
  groups?: Record<string, string[]>;
}

export type SplitRequest =
  /** Official where the dataset has one (with a test subset), else ratios. */
  | {method: 'auto'; seed: number; ratios?: [number, number, number]; validationFraction?: number}
  | {method: 'official'; seed: number; validationFraction?: number}
  | {method: 'ratios'; seed: number; ratios: [number, number, number]}
  | {method: 'kfold'; seed: number; folds: number; fold: number; validationFraction?: number};

export const DEFAULT_RATIOS: [number, number, number] = [0.8, 0.1, 0.1];
export const DEFAULT_VALIDATION_FRACTION = 0.1;

/** Ids grouped by class (one group when there are no classes), in a fixed order. */
function strata(items: readonly SplitItem[]): Array<{name: string; ids: string[]}> {
  const byClass = new Map<string, string[]>();
  for (const item of items) {
    const key = item.className ?? '';
    const list = byClass.get(key) ?? [];
    list.push(item.id);
    byClass.set(key, list);
  }
  return [...byClass.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, ids]) => ({name, ids: [...ids].sort()}));
}

function hasClasses(items: readonly SplitItem[]): boolean {
  return items.some((i) => i.className !== undefined);
}

/** Seeded, stratified division of items into consecutive parts of the given fractions. */
function divide(items: readonly SplitItem[], fractions: readonly number[], seed: number, label: string): string[][] {
  const parts: string[][] = fractions.map(() => []);
  for (const stratum of strata(items)) {
    const shuffled = SeededRandom.stream(label, seed, hashLabel(stratum.name)).shuffled(stratum.ids);
    // Largest-remainder rounding: part sizes add up to the stratum size exactly.
    const exact = fractions.map((f) => f * shuffled.length);
    const sizes = exact.map(Math.floor);
    const order = exact.map((e, i) => ({i, r: e - Math.floor(e)})).sort((a, b) => b.r - a.r || a.i - b.i);
    const missing = shuffled.length - sizes.reduce((s, n) => s + n, 0);
    for (let k = 0; k < missing; k++) sizes[order[k % order.length]!.i]!++;
    let start = 0;
    for (const [p, n] of sizes.entries()) {
      parts[p]!.push(...shuffled.slice(start, start + n));
      start += n;
    }
  }
  return parts.map((p) => p.sort());
}

function validateRatios(ratios: readonly number[]): [number, number, number] {
  if (ratios.length !== 3 || ratios.some((r) => !Number.isFinite(r) || r < 0)) throw new DatasetError(ratios.join(','), 'ratios must be three non-negative numbers: train,validation,test');
  const sum = ratios.reduce((s, r) => s + r, 0);
  if (sum <= 0) throw new DatasetError(ratios.join(','), 'ratios must not all be zero');
  return ratios.map((r) => r / sum) as [number, number, number];
}

function officialAvailable(items: readonly SplitItem[]): boolean {
  return items.some((i) => i.split === 'test') && items.some((i) => i.split === 'train');
}

export function makeSplit(dataset: string, items: readonly SplitItem[], request: SplitRequest, fingerprint?: string): SplitFile {
  if (items.length === 0) throw new DatasetError(dataset, 'no images to split');
  const base = {format: 'mslk-split' as const, version: 1 as const, dataset, ...(fingerprint ? {fingerprint} : {})};
  const stratified = hasClasses(items) ? {stratifiedBy: 'class' as const} : {};
  if (request.method === 'official' || (request.method === 'auto' && officialAvailable(items))) {
    if (!officialAvailable(items)) throw new DatasetError(dataset, 'has no official split with a test subset here: use ratios or k-fold');
    const unassigned = items.find((i) => !i.split || !(SUBSETS as readonly string[]).includes(i.split));
    if (unassigned) throw new DatasetError(unassigned.id, `has no official split (or an unknown one: "${unassigned.split ?? ''}")`);
    const subsets: Record<SubsetName, string[]> = {train: [], validation: [], test: []};
    for (const item of items) subsets[item.split as SubsetName].push(item.id);
    let description = `official split (${subsets.train.length} train / ${subsets.validation.length} validation / ${subsets.test.length} test)`;
    if (subsets.validation.length === 0) {
      const fraction = request.validationFraction ?? DEFAULT_VALIDATION_FRACTION;
      const train = items.filter((i) => i.split === 'train');
      const [rest, validation] = divide(train, [1 - fraction, fraction], request.seed, 'validation');
      subsets.train = rest!;
      subsets.validation = validation!;
      description = `official split, validation = seeded ${Math.round(fraction * 100)}% of the official training set (${subsets.train.length} / ${subsets.validation.length} / ${subsets.test.length})`;
    }
    const groups: Record<string, string[]> = {};
    for (const item of items) if (item.group) (groups[item.group] ??= []).push(item.id);
    for (const key of Object.keys(subsets) as SubsetName[]) subsets[key].sort();
    return {...base, method: 'official', description, seed: request.seed, ...stratified, subsets, ...(Object.keys(groups).length ? {groups} : {})};
  }
  if (request.method === 'kfold') {
    const {folds, fold} = request;
    if (!Number.isInteger(folds) || folds < 2 || folds > items.length) throw new DatasetError(String(folds), `folds must be an integer from 2 to ${items.length}`);
    if (!Number.isInteger(fold) || fold < 0 || fold >= folds) throw new DatasetError(String(fold), `fold must be an integer from 0 to ${folds - 1}`);
    const parts = divide(items, Array(folds).fill(1 / folds), request.seed, 'kfold');
    const test = new Set(parts[fold]);
    const rest = items.filter((i) => !test.has(i.id));
    const fraction = request.validationFraction ?? DEFAULT_VALIDATION_FRACTION;
    const [train, validation] = divide(rest, [1 - fraction, fraction], request.seed, `kfold-validation-${fold}`);
    return {
      ...base,
      method: 'kfold',
      description: `seeded ${folds}-fold split, fold ${fold} as test, ${Math.round(fraction * 100)}% of the rest as validation${stratified.stratifiedBy ? ', stratified by class' : ''}`,
      seed: request.seed,
      folds,
      fold,
      ...stratified,
      subsets: {train: train!, validation: validation!, test: [...test].sort()},
    };
  }
  const ratios = validateRatios(request.ratios ?? DEFAULT_RATIOS);
  const [train, validation, test] = divide(items, ratios, request.seed, 'ratios');
  return {
    ...base,
    method: 'ratios',
    description: `seeded split ${ratios.map((r) => Math.round(r * 100)).join('/')} (${train!.length} / ${validation!.length} / ${test!.length})${stratified.stratifiedBy ? ', stratified by class' : ''}`,
    seed: request.seed,
    ratios,
    ...stratified,
    subsets: {train: train!, validation: validation!, test: test!},
  };
}

export async function writeSplitFile(path: string, split: SplitFile): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(split, null, 2) + '\n');
}

/** Reads a split file and checks it against the dataset's ids: known ids only, no id in two subsets. */
export async function readSplitFile(path: string, ids?: readonly string[]): Promise<SplitFile> {
  let split: SplitFile;
  try {
    split = JSON.parse(await readFile(path, 'utf8')) as SplitFile;
  } catch (error) {
    throw new DatasetError(path, `cannot read the split file: ${firstLine(error)}`);
  }
  if (split?.format !== 'mslk-split' || !split.subsets || SUBSETS.some((s) => !Array.isArray(split.subsets[s]))) {
    throw new DatasetError(path, 'not an mslk split file (needs format "mslk-split" and subsets train, validation, test)');
  }
  const known = ids ? new Set(ids) : undefined;
  const seen = new Map<string, SubsetName>();
  for (const subset of SUBSETS) {
    for (const id of split.subsets[subset]) {
      const other = seen.get(id);
      if (other) throw new DatasetError(path, `"${id}" is in both ${other} and ${subset}`);
      if (known && !known.has(id)) throw new DatasetError(path, `"${id}" is not an image of this dataset`);
      seen.set(id, subset);
    }
  }
  return split;
}
