// `fetch`: download a dataset that has public direct links, verify it (archive sha256 where known, then every
// pair and every file checksum the registry knows), and only then move it into the data root. Everything happens
// in a temporary folder under the data root that is removed on any failure, so nothing is half-installed.
// Datasets behind a form or a login get instructions instead, and are installed from the downloaded copy with
// `from` (a folder or a .zip), through the same checks: layout, every pair, checksums, then the move.
import {cp, mkdir, readdir, rename, rm, rmdir, stat} from 'node:fs/promises';
import {basename, join, relative, resolve, sep} from 'node:path';
import {exists} from './collect.js';
import {downloadFile, type DownloadProgress} from './download.js';
import {DatasetError} from './errors.js';
import {findDatasetEntry, type DatasetEntry} from './registry.js';
import {resolveWithEntry} from './resolve.js';
import {SYNTHETIC_DEFAULTS, writeSyntheticDataset} from './synthetic.js';
import {verifyResolved} from './verify.js';
import {isJunk} from './walk.js';
import {extractZip} from './zip.js';
import {ensureOutputDir} from '../io/output-dir.js';

export const PARTIAL_FOLDER = '.partial';

export type FetchResult =
  | {status: 'installed'; name: string; path: string; pairs: number; from?: string; warnings?: string[]; archives: Array<{url: string; bytes: number; sha256: string; verified: boolean}>; checksumsMatched: number}
  | {status: 'already-present'; name: string; path: string}
  | {status: 'manual'; name: string; path: string; page: string; instructions: string; importCommand: string}
  | {status: 'generated'; name: string; path: string};

export interface FetchOptions {
  dataRoot: string;
  /** Replace an existing copy. */
  force?: boolean;
  onProgress?: (archive: string, progress: DownloadProgress) => void;
  /** Use this entry instead of the registry's (tests, mirrors). */
  entry?: DatasetEntry;
  /** Install from this downloaded copy (an unpacked folder or a .zip) instead of downloading. */
  from?: string;
}

/** The command that installs a manually downloaded copy of a registry dataset. */
export function installCommand(name: string, from = '<downloaded .zip or unpacked folder>'): string {
  return `mslk datasets fetch ${name} --from ${from}`;
}

export async function fetchDataset(name: string, options: FetchOptions): Promise<FetchResult> {
  const entry = options.entry ?? findDatasetEntry(name);
  if (!entry || entry.name === 'folder') throw new DatasetError(name, 'unknown dataset: see `mslk datasets list`');
  const target = join(options.dataRoot, entry.name);
  const present = await exists(target);
  if (present && !options.force) return {status: 'already-present', name: entry.name, path: target};
  const download = entry.download;
  if (options.from !== undefined) {
    if (download.kind === 'generated') throw new DatasetError(entry.name, 'is generated on this machine: run `mslk datasets fetch` without --from');
    return installFrom(entry, options.from, {...options, present, target});
  }
  if (download.kind === 'generated') {
    if (present) await rm(target, {recursive: true, force: true});
    await ensureOutputDir(options.dataRoot);
    await writeSyntheticDataset(target, SYNTHETIC_DEFAULTS);
    return {status: 'generated', name: entry.name, path: target};
  }
  if (download.kind === 'manual') {
    return {
      status: 'manual',
      name: entry.name,
      path: target,
      page: download.page,
      instructions: download.instructions,
      importCommand: installCommand(entry.name),
    };
  }
  const work = join(options.dataRoot, PARTIAL_FOLDER, `${entry.name}-${process.pid}`);
  const extracted = join(work, 'data');
  await rm(work, {recursive: true, force: true});
  await mkdir(extracted, {recursive: true});
  try {
    const archives: Array<{url: string; bytes: number; sha256: string; verified: boolean}> = [];
    for (const [i, archive] of download.archives.entries()) {
      const file = join(work, `archive-${i}.zip`);
      const got = await downloadFile(archive.url, file, {
        ...(archive.sha256 ? {expectedSha256: archive.sha256} : {}),
        ...(options.onProgress ? {onProgress: (p: DownloadProgress) => options.onProgress!(basename(new URL(archive.url).pathname), p)} : {}),
      }).catch((error: unknown) => {
        if (!(error instanceof DatasetError)) throw error;
        throw new DatasetError(error.file, `${error.problem}; nothing installed. To install by hand: download it from ${download.page}, unpack it, then run \`${installCommand(entry.name)}\``);
      });
      archives.push({url: archive.url, bytes: got.bytes, sha256: got.sha256, verified: archive.sha256 !== undefined});
      await extractZip(file, extracted);
      await rm(file, {force: true});
    }
    const installed = await verifyAndMove(extracted, entry, `downloaded ${entry.name}`, {...options, present, target});
    return {...installed, archives};
  } finally {
    await rm(work, {recursive: true, force: true});
    // Leave no empty scratch folder behind either (another fetch may still be using it: then it stays).
    await rmdir(join(options.dataRoot, PARTIAL_FOLDER)).catch(() => undefined);
  }
}


interface InstallPlace {
  dataRoot: string;
  present: boolean;
  target: string;
}

/** Reads `data` as the entry's layout, checks every pair and checksum, and only then moves it to the target. */
async function verifyAndMove(data: string, entry: DatasetEntry, how: string, place: InstallPlace): Promise<{status: 'installed'; name: string; path: string; pairs: number; checksumsMatched: number; warnings: string[]}> {
  const dataset = await resolveWithEntry(data, entry, how);
  const report = await verifyResolved(dataset);
  if (report.problems.length) {
    const first = report.problems[0]!;
    throw new DatasetError(first.file, `${first.problem} (${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} in the ${how.startsWith('downloaded') ? 'download' : 'copy'}; nothing installed)`);
  }
  await ensureOutputDir(place.dataRoot);
  if (place.present) await rm(place.target, {recursive: true, force: true});
  await rename(data, place.target);
  return {status: 'installed', name: entry.name, path: place.target, pairs: report.pairs, checksumsMatched: report.checksums.matched, warnings: report.warnings};
}

/**
 * A DatasetError about the scratch copy, restated about the source the user gave: paths under `data` become paths
 * in `source` (the folder, or `<zip> (unpacked)`), and a copy where nothing of the dataset was found says what the
 * source holds and what the dataset's layout expects.
 */
async function inSourceTerms(error: DatasetError, data: string, source: string, isFolder: boolean, entry: DatasetEntry): Promise<DatasetError> {
  const shown = isFolder ? source : `${source} (unpacked)`;
  const inside = error.file === data || error.file.startsWith(data + sep);
  if (!inside) return error;
  const rest = relative(data, error.file);
  const file = rest === '' ? shown : isFolder ? join(source, rest) : `${source} (unpacked): ${rest}`;
  if (!/^folder is empty|no image\/mask pairs/.test(error.problem)) return new DatasetError(file, error.problem);
  const names = (await readdir(data, {withFileTypes: true}).catch(() => [])).filter((e) => !isJunk(e.name)).map((e) => e.isDirectory() ? `${e.name}/` : e.name).sort();
  const found = names.length === 0 ? 'it holds nothing' : `it holds ${names.slice(0, 6).join(', ')}${names.length > 6 ? ` and ${names.length - 6} more` : ''}`;
  const expected = entry.layouts.map((l) => l.description).join('; or ');
  return new DatasetError(file, `no ${entry.name} files found (${found}; expected: ${expected}): pass the folder the download unpacks to, or the .zip itself; nothing installed`);
}

/**
 * Installs a downloaded copy (folder or .zip) of a registry dataset into the data root as that dataset: copied
 * (or unpacked) into a scratch folder under the data root, read with the entry's layouts, verified, then moved.
 * The source is never changed; on any failure nothing is installed.
 */
async function installFrom(entry: DatasetEntry, from: string, place: InstallPlace): Promise<FetchResult> {
  const source = resolve(from);
  const info = await stat(source).catch(() => undefined);
  if (!info) throw new DatasetError(from, 'no such file or folder: give the downloaded .zip or the folder it unpacks to');
  const work = join(place.dataRoot, PARTIAL_FOLDER, `${entry.name}-${process.pid}`);
  const data = join(work, 'data');
  await rm(work, {recursive: true, force: true});
  await mkdir(work, {recursive: true});
  try {
    if (info.isDirectory()) await cp(source, data, {recursive: true, dereference: true});
    else if (/\.zip$/i.test(source)) {
      await mkdir(data, {recursive: true});
      await extractZip(source, data);
    } else throw new DatasetError(from, 'not a folder or a .zip file');
    try {
      const installed = await verifyAndMove(data, entry, `${entry.name} from ${source}`, place);
      return {...installed, from: source, archives: []};
    } catch (error) {
      throw error instanceof DatasetError ? await inSourceTerms(error, data, source, info.isDirectory(), entry) : error;
    }
  } finally {
    await rm(work, {recursive: true, force: true});
    await rmdir(join(place.dataRoot, PARTIAL_FOLDER)).catch(() => undefined);
  }
}
