// `fetch`: download a dataset that has public direct links, verify it (archive sha256 where known, then every
// pair and every file checksum the registry knows), and only then move it into the data root. Everything happens
// in a temporary folder under the data root that is removed on any failure, so nothing is half-installed.
// Datasets behind a form or a login get instructions instead.
import {mkdir, rename, rm, rmdir} from 'node:fs/promises';
import {basename, join} from 'node:path';
import {exists} from './collect.js';
import {downloadFile, type DownloadProgress} from './download.js';
import {DatasetError} from './errors.js';
import {findDatasetEntry, type DatasetEntry} from './registry.js';
import {resolveWithEntry} from './resolve.js';
import {SYNTHETIC_DEFAULTS, writeSyntheticDataset} from './synthetic.js';
import {verifyResolved} from './verify.js';
import {extractZip} from './zip.js';

export const PARTIAL_FOLDER = '.partial';

export type FetchResult =
  | {status: 'installed'; name: string; path: string; pairs: number; archives: Array<{url: string; bytes: number; sha256: string; verified: boolean}>; checksumsMatched: number}
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
}

export async function fetchDataset(name: string, options: FetchOptions): Promise<FetchResult> {
  const entry = options.entry ?? findDatasetEntry(name);
  if (!entry || entry.name === 'folder') throw new DatasetError(name, 'unknown dataset: see `mslk datasets list`');
  const target = join(options.dataRoot, entry.name);
  const present = await exists(target);
  if (present && !options.force) return {status: 'already-present', name: entry.name, path: target};
  const download = entry.download;
  if (download.kind === 'generated') {
    if (present) await rm(target, {recursive: true, force: true});
    await mkdir(options.dataRoot, {recursive: true});
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
      importCommand: `mslk datasets import <unpacked folder> --name ${entry.name}`,
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
        throw new DatasetError(error.file, `${error.problem}; nothing installed. To install by hand: download it from ${download.page}, unpack it, then run \`mslk datasets import <folder> --name ${entry.name}-local\` or unpack it into ${target}`);
      });
      archives.push({url: archive.url, bytes: got.bytes, sha256: got.sha256, verified: archive.sha256 !== undefined});
      await extractZip(file, extracted);
      await rm(file, {force: true});
    }
    const dataset = await resolveWithEntry(extracted, entry, `downloaded ${entry.name}`);
    const report = await verifyResolved(dataset);
    if (report.problems.length) {
      const first = report.problems[0]!;
      throw new DatasetError(first.file, `${first.problem} (${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} in the download; nothing installed)`);
    }
    await mkdir(options.dataRoot, {recursive: true});
    if (present) await rm(target, {recursive: true, force: true});
    await rename(extracted, target);
    return {status: 'installed', name: entry.name, path: target, pairs: report.pairs, archives, checksumsMatched: report.checksums.matched};
  } finally {
    await rm(work, {recursive: true, force: true});
    // Leave no empty scratch folder behind either (another fetch may still be using it: then it stays).
    await rmdir(join(options.dataRoot, PARTIAL_FOLDER)).catch(() => undefined);
  }
}

