// Turns what a user typed (`kvasir-seg`, an imported name, or a path) into a dataset ready to read: its root,
// layout, pairs and the problems found while pairing. Known datasets are recognised by their layout (and by
// checksums where the layout alone looks like any other folder).
import {createHash} from 'node:crypto';
import {readdir, readFile, stat} from 'node:fs/promises';
import {basename, join, resolve} from 'node:path';
import {readFolderChecksums, type ChecksumList} from './checksums.js';
import {collectPairs, exists, layoutApplies, type SamplePair} from './collect.js';
import {detectFolderLayout, type FolderDetectionOptions} from './detect-folder.js';
import {DatasetError, type Problem} from './errors.js';
import {readImportRecord} from './imported.js';
import type {Layout} from './layout.js';
import {DATASETS, findDatasetEntry, type DatasetEntry} from './registry.js';
import {SYNTHETIC_DEFAULTS, writeSyntheticDataset} from './synthetic.js';
import {isJunk} from './walk.js';

export interface ResolvedDataset {
  /** Registry name, imported name, or the folder's name. */
  name: string;
  /** The registry entry, when the data is a known public dataset. */
  entry?: DatasetEntry;
  /** Absolute path of the layout root (where the layout's folders are). */
  root: string;
  layout: Layout;
  /** How the dataset and its layout were recognised, in words. */
  detectedBy: string;
  pairs: SamplePair[];
  /** Problems found while listing and pairing (content is checked by verify and prepare). */
  problems: Problem[];
  /** Known checksums of its files (registry list, or the folder's SHA256SUMS). */
  checksums?: ChecksumList;
}

export interface ResolveOptions extends FolderDetectionOptions {
  dataRoot: string;
  /** Read a path as this registry dataset instead of detecting it. */
  as?: string;
}

/** The folder itself, then folders reached through single sub-folders (a zip's top folder), up to 3 levels. */
async function rootCandidates(dir: string): Promise<string[]> {
  const out = [dir];
  let current = dir;
  for (let depth = 0; depth < 3; depth++) {
    let entries;
    try {
      entries = (await readdir(current, {withFileTypes: true})).filter((e) => !isJunk(e.name));
    } catch {
      break;
    }
    const folders = entries.filter((e) => e.isDirectory());
    if (folders.length !== 1 || entries.some((e) => e.isFile() && !/\.(txt|md|json|csv|pdf|html?)$/i.test(e.name))) break;
    current = join(current, folders[0]!.name);
    out.push(current);
  }
  return out;
}

async function sha256File(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** True when one of the first image files has the checksum the registry lists for its path. */
async function checksumsConfirm(root: string, pairs: readonly SamplePair[], checksums: ChecksumList): Promise<boolean> {
  const listed = pairs.filter((p) => checksums.has(p.image)).slice(0, 3);
  for (const pair of listed) {
    if ((await sha256File(join(root, pair.image)).catch(() => '')) === checksums.get(pair.image)!.sha256) return true;
  }
  return false;
}

interface LayoutMatch {
  root: string;
  layout: Layout;
  pairs: SamplePair[];
  problems: Problem[];
}

/** The first layout of the entry that applies to dir (or a single sub-folder of it), if any. */
async function matchEntry(dir: string, entry: DatasetEntry, strict: boolean): Promise<LayoutMatch | undefined> {
  // A flat layout ('.') applies to any folder: an outer folder with no pairs (a zip's top folder above the data)
  // only counts when no folder below it has pairs.
  let empty: LayoutMatch | undefined;
  for (const root of await rootCandidates(dir)) {
    for (const layout of entry.layouts) {
      if (!(await layoutApplies(root, layout))) continue;
      const collected = await collectPairs(root, layout);
      if (strict) {
        // Layouts that look like many others claim a folder only on positive evidence.
        if (collected.pairs.length === 0) continue;
        if (layout.needsChecksumMatch && !(entry.checksums && (await checksumsConfirm(root, collected.pairs, entry.checksums())))) continue;
        if (layout.classFromStem && collected.pairs.some((p) => !p.className)) continue;
        if (layout.split?.kind === 'stem-prefix' && collected.pairs.some((p) => !p.split)) continue;
      }
      const match = {root, layout, pairs: collected.pairs, problems: collected.problems};
      if (collected.pairs.length > 0) return match;
      empty ??= match;
    }
  }
  return empty;
}

async function withChecksums(dataset: ResolvedDataset): Promise<ResolvedDataset> {
  const own = await readFolderChecksums(dataset.root);
  const official = dataset.entry?.checksums?.();
  const checksums = own && official ? new Map([...own, ...official]) : own ?? official;
  if (checksums) dataset.checksums = checksums;
  return dataset;
}

function describeLayouts(entry: DatasetEntry): string {
  return entry.layouts.map((l) => l.description).join(' | ');
}

/** Reads dir as the given dataset (its layouts only, no detection of other kinds). */
export async function resolveWithEntry(dir: string, entry: DatasetEntry, how: string, name = entry.name): Promise<ResolvedDataset> {
  return resolveEntryAt(dir, entry, name, how);
}

async function resolveEntryAt(dir: string, entry: DatasetEntry, name: string, how: string): Promise<ResolvedDataset> {
  const match = await matchEntry(dir, entry, false);
  if (!match) throw new DatasetError(dir, `does not look like ${entry.name}: expected ${describeLayouts(entry)}`);
  return withChecksums({name, entry, root: match.root, layout: match.layout, detectedBy: `${how}; layout ${match.layout.id}`, pairs: match.pairs, problems: match.problems});
}

export async function resolveDataset(ref: string, options: ResolveOptions): Promise<ResolvedDataset> {
  const dataRoot = resolve(options.dataRoot);
  const entry = findDatasetEntry(ref);
  if (entry && entry.name !== 'folder') {
    const dir = join(dataRoot, entry.name);
    if (entry.name === 'synthetic' && !(await exists(dir))) await writeSyntheticDataset(dir, SYNTHETIC_DEFAULTS);
    if (!(await exists(dir))) {
      const how = entry.download.kind === 'direct' ? `run \`mslk datasets fetch ${entry.name}\`` : `see \`mslk datasets fetch ${entry.name}\` for how to get it`;
      throw new DatasetError(dir, `${entry.name} is not in the data root: ${how}, or pass its folder`);
    }
    if (entry.name === 'synthetic') {
      const detected = await detectFolderLayout(dir);
      return withChecksums({name: entry.name, entry, root: dir, layout: detected.layout, detectedBy: 'generated synthetic dataset', pairs: detected.collected.pairs, problems: detected.collected.problems});
    }
    return resolveEntryAt(dir, entry, entry.name, `registry dataset ${entry.name} in the data root`);
  }
  const record = await readImportRecord(dataRoot, ref);
  if (record) {
    const collected = await collectPairs(record.root, record.layout);
    const known = record.registryName ? findDatasetEntry(record.registryName) : undefined;
    return withChecksums({name: record.name, ...(known ? {entry: known} : {}), root: record.root, layout: record.layout, detectedBy: `imported dataset (${record.detectedBy})`, pairs: collected.pairs, problems: collected.problems});
  }
  const dir = resolve(ref);
  let info;
  try {
    info = await stat(dir);
  } catch {
    const known = [...DATASETS.map((d) => d.name).filter((n) => n !== 'folder')].join(', ');
    throw new DatasetError(ref, `no such dataset or folder (known datasets: ${known}; or import a folder)`);
  }
  if (!info.isDirectory()) throw new DatasetError(ref, 'not a folder');
  if (options.as) {
    const forced = findDatasetEntry(options.as);
    if (!forced) throw new DatasetError(options.as, 'unknown dataset name');
    if (forced.name !== 'folder') return resolveEntryAt(dir, forced, basename(dir), `read as ${forced.name} (as asked)`);
  } else if (!options.imagesGlob && !options.maskSuffix) {
    for (const candidate of DATASETS) {
      if (candidate.layouts.length === 0) continue;
      const match = await matchEntry(dir, candidate, true);
      if (match) {
        return withChecksums({
          name: basename(dir),
          entry: candidate,
          root: match.root,
          layout: match.layout,
          detectedBy: `recognised as ${candidate.name} (layout ${match.layout.id})`,
          pairs: match.pairs,
          problems: match.problems,
        });
      }
    }
  }
  const detected = await detectFolderLayout(dir, options);
  return withChecksums({name: basename(dir), root: dir, layout: detected.layout, detectedBy: detected.detectedBy, pairs: detected.collected.pairs, problems: detected.collected.problems});
}
