// Splits are files: lists of image ids per subset, written next to results so anyone can rerun on the same split.
// The official split is the default where a dataset has one; otherwise a seeded split by ratios or k-fold,
// stratified by class where the dataset has classes, or a customary split named by the field (CHASE_DB1's first 20
// images for training). Where a dataset defines subjects (a patient, a child with two eyes), all images of one
// subject land in one subset. Subsets never overlap and together cover every image; an empty test subset is an
// error, a small one a warning the caller prints.
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
  /** The subject (patient, child) the image belongs to; images of one subject never straddle subsets. */
  subject?: string;
}

/**
 * A split the field uses by custom, offered by name (CHASE_DB1 `first-20`): each rule assigns the ids its
 * pattern (a regular expression on the id) matches to a subset; every id must match one rule.
 */
export interface NamedSplit {
  name: string;
  description: string;
  rules: ReadonlyArray<{pattern: string; split: SubsetName}>;
}

export interface SplitFile {
  format: 'mslk-split';
  version: 1;
  dataset: string;
  fingerprint?: string;
  method: 'official' | 'ratios' | 'kfold' | 'named';
  /** The customary split's name, for method 'named'. */
  name?: string;
  description: string;
  seed?: number;
  ratios?: [number, number, number];
  folds?: number;
  fold?: number;
  stratifiedBy?: 'class';
  /** Present when images were kept together by subject. */
  groupedBy?: 'subject';
  subsets: Record<SubsetName, string[]>;
  /** Official groups inside subsets (GlaS testA, testB), for reporting them apart. */
  groups?: Record<string, string[]>;
}

export type SplitRequest =
  /** Official where the dataset has one (with a test subset), else ratios. */
  | {method: 'auto'; seed: number; ratios?: [number, number, number]; validationFraction?: number}
  | {method: 'official'; seed: number; validationFraction?: number}
  | {method: 'ratios'; seed: number; ratios: [number, number, number]}
  | {method: 'kfold'; seed: number; folds: number; fold: number; validationFraction?: number}
  /** A customary split of the dataset (validation, when the rules give none, = seeded share of train). */
  | {method: 'named'; seed: number; split: NamedSplit; validationFraction?: number};

/** Something about a split worth a loud line, not an error: a subset too small for a number to mean much. */
export interface SplitWarning {
  kind: 'small-subset';
  subset: SubsetName;
  count: number;
  message: string;
}

/** Below this many images a validation or test number is mostly noise: the split comes with a warning. */
export const SMALL_SUBSET = 10;

export const DEFAULT_RATIOS: [number, number, number] = [0.8, 0.1, 0.1];
export const DEFAULT_VALIDATION_FRACTION = 0.1;

/** Images that must stay together: one subject's images, or a single image when it has no subject. */
interface Unit {
  key: string;
  ids: string[];
  className?: string;
}

function unitsOf(items: readonly SplitItem[]): Unit[] {
  const byKey = new Map<string, Unit>();
  for (const item of items) {
    const key = item.subject === undefined ? `image:${item.id}` : `subject:${item.subject}`;
    const unit = byKey.get(key) ?? {key, ids: []};
    unit.ids.push(item.id);
    byKey.set(key, unit);
  }
  const classes = new Map(items.map((i) => [i.id, i.className]));
  for (const unit of byKey.values()) {
    unit.ids.sort();
    const unitClasses = new Set(unit.ids.map((id) => classes.get(id)));
    if (unitClasses.size === 1) {
      const only = [...unitClasses][0];
      if (only !== undefined) unit.className = only;
    }
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function hasSubjects(items: readonly SplitItem[]): boolean {
  return unitsOf(items).some((u) => u.ids.length > 1);
}

/**
 * Stratify by class only when every subject has one class: CHASE_DB1's class is the eye, and stratifying by it
 * would send a child's left eye to one subset and the right eye to another.
 */
function stratifiable(items: readonly SplitItem[]): boolean {
  return items.some((i) => i.className !== undefined) && unitsOf(items).every((u) => u.ids.length === 1 || u.className !== undefined);
}

/** Units grouped by class (one group when not stratified), in a fixed order. */
function strata(units: readonly Unit[], stratify: boolean): Array<{name: string; units: Unit[]}> {
  const byClass = new Map<string, Unit[]>();
  for (const unit of units) {
    const key = stratify ? unit.className ?? '' : '';
    const list = byClass.get(key) ?? [];
    list.push(unit);
    byClass.set(key, list);
  }
  return [...byClass.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, list]) => ({name, units: list}));
}

/**
 * Seeded division of items into consecutive parts of the given fractions, whole subjects at a time (fractions of
 * subjects, so of images when every subject has as many images), stratified by class where every subject has one.
 */
function divide(items: readonly SplitItem[], fractions: readonly number[], seed: number, label: string): string[][] {
  const parts: string[][] = fractions.map(() => []);
  const n = fractions.length;
  // Ties between equal remainders go to the part after the one that last got a unit, so that across strata
  // the leftovers spread over the parts (k-fold on small classes would otherwise leave the last folds empty).
  let turn = 0;
  for (const stratum of strata(unitsOf(items), stratifiable(items))) {
    const shuffled = SeededRandom.stream(label, seed, hashLabel(stratum.name)).shuffled(stratum.units);
    // Largest-remainder rounding: part sizes add up to the stratum size exactly.
    const exact = fractions.map((f) => f * shuffled.length);
    const sizes = exact.map(Math.floor);
    const rank = (i: number) => (i - turn + n) % n;
    const order = exact.map((e, i) => ({i, r: e - Math.floor(e)})).sort((a, b) => b.r - a.r || rank(a.i) - rank(b.i));
    const missing = shuffled.length - sizes.reduce((s, k) => s + k, 0);
    for (let k = 0; k < missing; k++) sizes[order[k % order.length]!.i]!++;
    if (missing > 0) turn = (order[(missing - 1) % order.length]!.i + 1) % n;
    let start = 0;
    for (const [p, n] of sizes.entries()) {
      parts[p]!.push(...shuffled.slice(start, start + n).flatMap((u) => u.ids));
      start += n;
    }
  }
  return parts.map((p) => p.sort());
}

function validateRatios(ratios: readonly number[]): [number, number, number] {
  if (ratios.length !== 3 || ratios.some((r) => !Number.isFinite(r) || r < 0)) throw new DatasetError(ratios.join(','), 'ratios must be three non-negative numbers: train,validation,test');
  const sum = ratios.reduce((s, r) => s + r, 0);
  // A sum of 1.5 is a typo, not a wish: normalising it would silently train on another split than the one asked.
  if (Math.abs(sum - 1) > 1e-6) throw new DatasetError(`split ratios ${ratios.join(',')}`, `ratios sum to ${Number(sum.toFixed(6))}, not 1: give train,validation,test fractions that sum to 1 (e.g. 0.8,0.1,0.1; --ratios of datasets prepare, data.split.ratios of a run config)`);
  return [...ratios] as [number, number, number];
}

function officialAvailable(items: readonly SplitItem[]): boolean {
  return items.some((i) => i.split === 'test') && items.some((i) => i.split === 'train');
}

/** Official train/test and a validation subset (given, or a seeded share of train, whole subjects at a time). */
function withValidation(items: readonly SplitItem[], assigned: ReadonlyMap<string, SubsetName>, request: {seed: number; validationFraction?: number}): {subsets: Record<SubsetName, string[]>; drawn?: number} {
  const subsets: Record<SubsetName, string[]> = {train: [], validation: [], test: []};
  for (const item of items) subsets[assigned.get(item.id)!].push(item.id);
  let drawn: number | undefined;
  if (subsets.validation.length === 0) {
    drawn = request.validationFraction ?? DEFAULT_VALIDATION_FRACTION;
    const train = items.filter((i) => assigned.get(i.id) === 'train');
    const [rest, validation] = divide(train, [1 - drawn, drawn], request.seed, 'validation');
    subsets.train = rest!;
    subsets.validation = validation!;
  }
  for (const key of SUBSETS) subsets[key].sort();
  return {subsets, ...(drawn !== undefined ? {drawn} : {})};
}

/** Refuses a split nothing can be trained or tested on: an empty train or test subset. */
function requireTrainAndTest(dataset: string, split: SplitFile, count: number): SplitFile {
  for (const subset of ['train', 'test'] as const) {
    if (split.subsets[subset].length === 0) {
      throw new DatasetError(dataset, `the ${subset} subset of the split is empty (${split.description}, ${count} image${count === 1 ? '' : 's'}): use a dataset with more images, a larger ${subset} ratio, or a split file`);
    }
  }
  return split;
}

/**
 * Makes a split of `items` (every image id of a dataset) as requested. Images sharing a `subject` always land
 * in one subset. Throws a DatasetError on no items, ratios that are not three non-negative fractions summing to
 * 1, an impossible k-fold, an official or named split that does not cover every image, or an empty train or
 * test subset. Small subsets are not refused: see `splitWarnings`.
 */
export function makeSplit(dataset: string, items: readonly SplitItem[], request: SplitRequest, fingerprint?: string): SplitFile {
  if (items.length === 0) throw new DatasetError(dataset, 'no images to split');
  const base = {format: 'mslk-split' as const, version: 1 as const, dataset, ...(fingerprint ? {fingerprint} : {})};
  const stratified = stratifiable(items) ? {stratifiedBy: 'class' as const} : {};
  const grouped = hasSubjects(items) ? {groupedBy: 'subject' as const} : {};
  const words = `${stratified.stratifiedBy ? ', stratified by class' : ''}${grouped.groupedBy ? ', subjects kept together' : ''}`;
  const units = unitsOf(items).length;
  if (request.method === 'named') {
    const rules = request.split.rules.map((r) => ({pattern: new RegExp(r.pattern), split: r.split}));
    const assigned = new Map<string, SubsetName>();
    for (const item of items) {
      const rule = rules.find((r) => r.pattern.test(item.id));
      if (!rule) throw new DatasetError(item.id, `is not covered by the split "${request.split.name}" (${request.split.description}): use another split`);
      assigned.set(item.id, rule.split);
    }
    const {subsets, drawn} = withValidation(items, assigned, request);
    const validationWords = drawn === undefined ? '' : `, validation = seeded ${Math.round(drawn * 100)}% of its training set`;
    const description = `${request.split.name}: ${request.split.description}${validationWords} (${subsets.train.length} / ${subsets.validation.length} / ${subsets.test.length})${grouped.groupedBy ? ', subjects kept together' : ''}`;
    return requireTrainAndTest(dataset, {...base, method: 'named', name: request.split.name, description, seed: request.seed, ...grouped, subsets}, items.length);
  }
  if (request.method === 'official' || (request.method === 'auto' && officialAvailable(items))) {
    if (!officialAvailable(items)) throw new DatasetError(dataset, 'has no official split with a test subset here: use ratios or k-fold');
    const unassigned = items.find((i) => !i.split || !(SUBSETS as readonly string[]).includes(i.split));
    if (unassigned) throw new DatasetError(unassigned.id, `has no official split (or an unknown one: "${unassigned.split ?? ''}")`);
    const {subsets, drawn} = withValidation(items, new Map(items.map((i) => [i.id, i.split as SubsetName])), request);
    const description =
      drawn === undefined
        ? `official split (${subsets.train.length} train / ${subsets.validation.length} validation / ${subsets.test.length} test)`
        : `official split, validation = seeded ${Math.round(drawn * 100)}% of the official training set (${subsets.train.length} / ${subsets.validation.length} / ${subsets.test.length})`;
    const groups: Record<string, string[]> = {};
    for (const item of items) if (item.group) (groups[item.group] ??= []).push(item.id);
    return {...base, method: 'official', description, seed: request.seed, ...stratified, ...grouped, subsets, ...(Object.keys(groups).length ? {groups} : {})};
  }
  if (request.method === 'kfold') {
    const {folds, fold} = request;
    if (!Number.isInteger(folds) || folds < 2 || folds > units) throw new DatasetError(`split folds ${folds}`, `folds must be an integer from 2 to ${units}${units < items.length ? ' (the number of subjects)' : ''} (--folds of datasets prepare, data.split.folds of a run config)`);
    if (!Number.isInteger(fold) || fold < 0 || fold >= folds) throw new DatasetError(`split fold ${fold}`, `fold must be an integer from 0 to ${folds - 1} (--fold of datasets prepare, data.split.fold of a run config)`);
    const parts = divide(items, Array(folds).fill(1 / folds), request.seed, 'kfold');
    const test = new Set(parts[fold]);
    const rest = items.filter((i) => !test.has(i.id));
    const fraction = request.validationFraction ?? DEFAULT_VALIDATION_FRACTION;
    const [train, validation] = divide(rest, [1 - fraction, fraction], request.seed, `kfold-validation-${fold}`);
    return requireTrainAndTest(dataset, {
      ...base,
      method: 'kfold',
      description: `seeded ${folds}-fold split, fold ${fold} as test, ${Math.round(fraction * 100)}% of the rest as validation${words}`,
      seed: request.seed,
      folds,
      fold,
      ...stratified,
      ...grouped,
      subsets: {train: train!, validation: validation!, test: [...test].sort()},
    }, items.length);
  }
  const ratios = validateRatios(request.ratios ?? DEFAULT_RATIOS);
  const [train, validation, test] = divide(items, ratios, request.seed, 'ratios');
  return requireTrainAndTest(dataset, {
    ...base,
    method: 'ratios',
    description: `seeded split ${ratios.map((r) => Math.round(r * 100)).join('/')} (${train!.length} / ${validation!.length} / ${test!.length})${words}`,
    seed: request.seed,
    ratios,
    ...stratified,
    ...grouped,
    subsets: {train: train!, validation: validation!, test: test!},
  }, items.length);
}

/** Warnings for subsets below SMALL_SUBSET images (validation or test): their numbers are mostly noise. */
export function splitWarnings(split: SplitFile, minimum = SMALL_SUBSET): SplitWarning[] {
  const warnings: SplitWarning[] = [];
  for (const subset of ['validation', 'test'] as const) {
    const count = split.subsets[subset].length;
    if (count < minimum) {
      warnings.push({kind: 'small-subset', subset, count, message: `WARNING: the ${subset} subset has only ${count} image${count === 1 ? '' : 's'} (fewer than ${minimum}): its metrics will be mostly noise; use more data or k-fold cross-validation`});
    }
  }
  return warnings;
}

/** A short name for a split's parameters, for file names: two requests that differ never share a file. */
export function splitTag(split: SplitFile): string {
  const percent = (r: number) => String(Number((r * 100).toFixed(2))).replace('.', 'p');
  switch (split.method) {
    case 'kfold':
      return `kfold${split.folds}-${split.fold}`;
    case 'ratios':
      return `ratios${(split.ratios ?? DEFAULT_RATIOS).map(percent).join('-')}`;
    case 'named':
      return `named-${(split.name ?? 'unnamed').replace(/[^A-Za-z0-9._-]+/g, '_')}`;
    case 'official':
      return 'official';
  }
}

/** Writes the split file; when the file already holds exactly this split it is left untouched (and false returned). */
export async function writeSplitFile(path: string, split: SplitFile): Promise<boolean> {
  const text = JSON.stringify(split, null, 2) + '\n';
  if ((await readFile(path, 'utf8').catch(() => undefined)) === text) return false;
  await writeFileAtomic(path, text);
  return true;
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
    // Ids are NFC, as pairing makes them (src/datasets/pairing.ts): a split file written on a Mac may hold NFD.
    split.subsets[subset] = split.subsets[subset].map((id) => (typeof id === 'string' ? id.normalize('NFC') : id));
    for (const id of split.subsets[subset]) {
      const other = seen.get(id);
      if (other) throw new DatasetError(path, `"${id}" is in both ${other} and ${subset}`);
      if (known && !known.has(id)) throw new DatasetError(path, `"${id}" is not an image of this dataset`);
      seen.set(id, subset);
    }
  }
  return split;
}
