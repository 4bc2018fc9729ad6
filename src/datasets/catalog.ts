// What `datasets list` and `datasets info` show: every registry entry and imported folder, whether it is present
// under the data root (present means readable as that dataset: its layout applies and pairs are found; the count
// is what was found, beside what the release has), and the facts a user needs to use and cite it.
import {join} from 'node:path';
import {collectPairs, exists} from './collect.js';
import {firstLine} from './errors.js';
import {resolveDataset} from './resolve.js';
import {listImportRecords} from './imported.js';
import {describeMaskRule} from './mask-rules.js';
import {describePairingRule} from './pairing.js';
import {DATASETS, findDatasetEntry, type DatasetEntry} from './registry.js';
import {readImportRecord} from './imported.js';
import {DatasetError} from './errors.js';

/** A dataset's name and whether it is readable on this machine (what `datasets list` and `info` both show). */
export interface DatasetPresence {
  name: string;
  title: string;
  kind: 'registry' | 'imported';
  task: string;
  /** Where it is (or would be) on this machine. */
  path: string;
  /** Readable as this dataset: its layout applies and at least one pair is found. */
  present: boolean;
  /** absent: nothing at the path; unreadable: something is there but cannot be read as this dataset. */
  state: PresenceState;
  /** Pairs found at the path (when something is there). */
  foundPairs?: number;
  /** Pairing problems found while listing (content is checked by `datasets verify`). */
  problems?: number;
  /** Why a folder that is there is unreadable. */
  reason?: string;
  expectedPairs?: number;
}

export interface CatalogRow extends DatasetPresence {
  download: 'direct' | 'manual' | 'generated' | 'imported';
  terms: string;
}

export type PresenceState = 'present' | 'absent' | 'unreadable';

export interface Presence {
  present: boolean;
  state: PresenceState;
  foundPairs?: number;
  problems?: number;
  reason?: string;
}

/** Reads the dataset as `datasets prepare` would (listing and pairing only, no decoding) and says what it found. */
async function presence(path: string, read: () => Promise<{pairs: readonly unknown[]; problems: readonly unknown[]}>): Promise<Presence> {
  if (!(await exists(path))) return {present: false, state: 'absent'};
  try {
    const {pairs, problems} = await read();
    if (pairs.length === 0) return {present: false, state: 'unreadable', foundPairs: 0, problems: problems.length, reason: 'no image/mask pairs found: run `mslk datasets verify` on it'};
    return {present: true, state: 'present', foundPairs: pairs.length, problems: problems.length};
  } catch (error) {
    return {present: false, state: 'unreadable', reason: firstLine(error)};
  }
}

/** "present: 26 pairs found (28 in the release), 2 problems" / "unreadable: <why>" / "absent", for listings. */
export function describePresence(p: Presence & {expectedPairs?: number}): string {
  if (p.state === 'absent') return 'absent';
  if (p.state === 'unreadable') return `unreadable: ${p.reason ?? 'cannot be read as this dataset'}`;
  const expected = p.expectedPairs === undefined ? '' : p.expectedPairs === p.foundPairs ? ' (as in the release)' : ` (${p.expectedPairs} in the release)`;
  const problems = p.problems ? `, ${p.problems} problem${p.problems === 1 ? '' : 's'} (see datasets verify)` : '';
  return `present: ${p.foundPairs} pairs found${expected}${problems}`;
}

function registryPresence(dataRoot: string, entry: DatasetEntry): Promise<Presence> {
  return presence(locationOf(dataRoot, entry), () => resolveDataset(entry.name, {dataRoot}));
}

function locationOf(dataRoot: string, entry: DatasetEntry): string {
  return join(dataRoot, entry.name);
}

export async function listDatasets(dataRoot: string): Promise<CatalogRow[]> {
  const rows: CatalogRow[] = [];
  for (const entry of DATASETS) {
    if (entry.name === 'folder') continue;
    const path = locationOf(dataRoot, entry);
    rows.push({
      name: entry.name,
      title: entry.title,
      kind: 'registry',
      task: entry.task,
      path,
      ...(await registryPresence(dataRoot, entry)),
      ...(entry.expectedPairs !== undefined ? {expectedPairs: entry.expectedPairs} : {}),
      download: entry.download.kind,
      terms: entry.terms,
    });
  }
  for (const record of await listImportRecords(dataRoot)) {
    const found = await presence(record.root, () => collectPairs(record.root, record.layout));
    rows.push({name: record.name, title: record.name, kind: 'imported', task: 'binary segmentation', path: record.root, ...found, download: 'imported', terms: 'those of the data'});
  }
  return rows;
}

export interface LayoutInfo {
  id: string;
  description: string;
  pairing: string;
  masks: string;
  split?: string;
}

export interface DatasetInfo extends DatasetPresence {
  modality: string;
  classes?: readonly string[];
  layouts: LayoutInfo[];
  /** Customary splits offered by name (`--split <name>`). */
  namedSplits?: Array<{name: string; description: string}>;
  officialSplit: string;
  knownChecksums: number;
  download: {kind: string; page?: string; urls?: string[]; instructions?: string};
  terms: string;
  citation: string;
  notes: readonly string[];
}

function splitWords(layout: DatasetEntry['layouts'][number]): string | undefined {
  const s = layout.split;
  if (!s) return undefined;
  if (s.kind === 'csv') return `from ${s.file} (columns ${s.imageColumn}, ${s.splitColumn})`;
  if (s.kind === 'groups') return `from the folders (${layout.groups.filter((g) => g.split).map((g) => `${g.images} = ${g.split}`).join(', ')})`;
  return `from the name: ${s.rules.map((r) => `${r.prefix}* = ${r.group ?? r.split}`).join(', ')}`;
}

export async function datasetInfo(name: string, dataRoot: string): Promise<DatasetInfo> {
  const entry = findDatasetEntry(name);
  if (!entry) {
    const record = await readImportRecord(dataRoot, name);
    if (!record) throw new DatasetError(name, `unknown dataset (known: ${DATASETS.map((d) => d.name).join(', ')}; or an imported name)`);
    const layout = record.layout;
    return {
      name,
      title: name,
      kind: 'imported',
      task: 'binary segmentation',
      modality: 'unknown',
      path: record.root,
      ...(await presence(record.root, () => collectPairs(record.root, record.layout))),
      layouts: [{id: layout.id, description: layout.description, pairing: describePairingRule(layout.pairing), masks: describeMaskRule(layout.maskRule)}],
      officialSplit: 'none (seeded 80/10/10, or a split file)',
      knownChecksums: 0,
      download: {kind: 'imported', instructions: record.detectedBy},
      terms: 'those of the data',
      citation: '',
      notes: [`imported ${record.importedAt}`],
    };
  }
  const path = locationOf(dataRoot, entry);
  const d = entry.download;
  return {
    name: entry.name,
    title: entry.title,
    kind: 'registry',
    task: entry.task,
    modality: entry.modality,
    ...(entry.expectedPairs !== undefined ? {expectedPairs: entry.expectedPairs} : {}),
    ...(entry.classes ? {classes: entry.classes} : {}),
    path,
    ...(await registryPresence(dataRoot, entry)),
    ...(entry.namedSplits ? {namedSplits: entry.namedSplits.map((n) => ({name: n.name, description: n.description}))} : {}),
    layouts: entry.layouts.map((l) => {
      const split = splitWords(l);
      return {id: l.id, description: l.description, pairing: describePairingRule(l.pairing), masks: describeMaskRule(l.maskRule), ...(split ? {split} : {})};
    }),
    officialSplit: entry.officialSplit,
    knownChecksums: entry.checksums?.().size ?? 0,
    download:
      d.kind === 'direct' ? {kind: d.kind, page: d.page, urls: d.archives.map((a) => a.url)} : d.kind === 'manual' ? {kind: d.kind, page: d.page, instructions: d.instructions} : {kind: d.kind},
    terms: entry.terms,
    citation: entry.citation,
    notes: entry.notes ?? [],
  };
}
