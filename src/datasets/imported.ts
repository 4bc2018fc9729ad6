// Folders registered with `mslk datasets import`: one JSON record per name under <data root>/imported/, holding
// the folder's path and the layout that was detected (or given), so later commands read it the same way.
import {readdir, readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {writeFileAtomic} from '../io/atomic-write.js';
import {DatasetError, firstLine} from './errors.js';
import type {Layout} from './layout.js';

export interface ImportRecord {
  name: string;
  /** Absolute path of the layout root. */
  root: string;
  layout: Layout;
  /** The registry dataset the folder was recognised as (its checksums then apply). */
  registryName?: string;
  /** How the layout was found, in words. */
  detectedBy: string;
  importedAt: string;
}

export const IMPORTED_FOLDER = 'imported';
const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function validateDatasetName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new DatasetError(name, 'not a valid dataset name (lower-case letters, digits, ".", "_", "-"; at most 64 characters)');
  }
}

function recordPath(dataRoot: string, name: string): string {
  return join(dataRoot, IMPORTED_FOLDER, `${name}.json`);
}

export async function readImportRecord(dataRoot: string, name: string): Promise<ImportRecord | undefined> {
  if (!NAME_PATTERN.test(name)) return undefined;
  const file = recordPath(dataRoot, name);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as ImportRecord;
  } catch (error) {
    throw new DatasetError(file, `damaged import record: ${firstLine(error)}`);
  }
}

export async function writeImportRecord(dataRoot: string, record: ImportRecord): Promise<string> {
  const file = recordPath(dataRoot, record.name);
  await writeFileAtomic(file, JSON.stringify(record, null, 2) + '\n');
  return file;
}

export async function listImportRecords(dataRoot: string): Promise<ImportRecord[]> {
  let names: string[];
  try {
    names = await readdir(join(dataRoot, IMPORTED_FOLDER));
  } catch {
    return [];
  }
  const records: ImportRecord[] = [];
  for (const name of names.sort()) {
    if (!name.endsWith('.json')) continue;
    const record = await readImportRecord(dataRoot, name.slice(0, -5)).catch(() => undefined);
    if (record) records.push(record);
  }
  return records;
}
