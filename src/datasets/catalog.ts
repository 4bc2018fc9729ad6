// What `datasets list` and `datasets info` show: every registry entry and imported folder, whether it is present
// under the data root, and the facts a user needs to use and cite it.
import {join} from 'node:path';
import {exists} from './collect.js';
import {listImportRecords} from './imported.js';
import {describeMaskRule} from './mask-rules.js';
import {describePairingRule} from './pairing.js';
import {DATASETS, findDatasetEntry, type DatasetEntry} from './registry.js';
import {readImportRecord} from './imported.js';
import {DatasetError} from './errors.js';

export interface CatalogRow {
  name: string;
  title: string;
  kind: 'registry' | 'imported';
  task: string;
  /** Where it is (or would be) on this machine. */
  path: string;
  present: boolean;
  expectedPairs?: number;
  download: 'direct' | 'manual' | 'generated' | 'imported';
  terms: string;
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
      present: await exists(path),
      ...(entry.expectedPairs !== undefined ? {expectedPairs: entry.expectedPairs} : {}),
      download: entry.download.kind,
      terms: entry.terms,
    });
  }
  for (const record of await listImportRecords(dataRoot)) {
    rows.push({name: record.name, title: record.name, kind: 'imported', task: 'binary segmentation', path: record.root, present: await exists(record.root), download: 'imported', terms: 'those of the data'});
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

export interface DatasetInfo {
  name: string;
  title: string;
  kind: 'registry' | 'imported';
  task: string;
  modality: string;
  expectedPairs?: number;
  classes?: readonly string[];
  path: string;
  present: boolean;
  layouts: LayoutInfo[];
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
      present: await exists(record.root),
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
    present: await exists(path),
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
