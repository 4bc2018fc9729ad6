// Safe zip extraction: every entry must land inside the target folder. Absolute paths, `..` segments, drive
// letters and symlink entries are refused (zip-slip), and so is the whole archive when any entry is: the caller
// extracts into a temporary folder and removes it on failure, so nothing half-extracted is left behind.
import {createWriteStream} from 'node:fs';
import {mkdir} from 'node:fs/promises';
import {dirname, isAbsolute, relative, resolve, sep} from 'node:path';
import {pipeline} from 'node:stream/promises';
import yauzl from 'yauzl';
import {DatasetError} from './errors.js';

/** Where an entry would be written under target; throws when it would escape target. */
export function safeEntryPath(target: string, entryName: string): string {
  const refuse = (why: string) => new DatasetError(entryName, `unsafe zip entry refused (${why})`);
  if (entryName.includes('\0')) throw refuse('NUL in the name');
  const name = entryName.replace(/\\/g, '/');
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name) || isAbsolute(name)) throw refuse('absolute path');
  if (name.split('/').includes('..')) throw refuse('".." in the path');
  const root = resolve(target);
  const full = resolve(root, name);
  const rel = relative(root, full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) throw refuse('outside the target folder');
  return full;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((done, fail) => {
    // decodeStrings stays on (yauzl rejects some bad names itself); entries are read one at a time.
    yauzl.open(file, {lazyEntries: true, autoClose: true, strictFileNames: false}, (error, zip) => (error || !zip ? fail(error ?? new Error('cannot open')) : done(zip)));
  });
}

export interface ExtractResult {
  files: number;
  bytes: number;
}

/** Extracts every entry of `zipFile` under `target` (which should be a fresh temporary folder). */
export async function extractZip(zipFile: string, target: string): Promise<ExtractResult> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(zipFile);
  } catch (error) {
    throw new DatasetError(zipFile, `not a readable zip archive: ${error instanceof Error ? error.message : String(error)}`);
  }
  await mkdir(target, {recursive: true});
  const result: ExtractResult = {files: 0, bytes: 0};
  return new Promise((done, fail) => {
    let failed = false;
    const stop = (error: unknown) => {
      if (failed) return;
      failed = true;
      zip.close();
      fail(error instanceof DatasetError ? error : new DatasetError(zipFile, `cannot extract: ${error instanceof Error ? error.message : String(error)}`));
    };
    zip.on('error', (error: Error) => {
      // yauzl refuses absolute and ".." names itself with messages like "invalid relative path".
      stop(/invalid|absolute|relative/i.test(error.message) ? new DatasetError(zipFile, `unsafe zip entry refused (${error.message})`) : error);
    });
    zip.on('end', () => {
      if (!failed) done(result);
    });
    zip.on('entry', (entry: yauzl.Entry) => {
      void (async () => {
        try {
          const path = safeEntryPath(target, entry.fileName);
          const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
          if (mode === S_IFLNK) throw new DatasetError(entry.fileName, 'unsafe zip entry refused (symbolic link)');
          if (entry.fileName.endsWith('/')) {
            await mkdir(path, {recursive: true});
          } else {
            await mkdir(dirname(path), {recursive: true});
            const stream = await new Promise<NodeJS.ReadableStream>((ok, ko) => zip.openReadStream(entry, (e, s) => (e || !s ? ko(e ?? new Error('no stream')) : ok(s))));
            await pipeline(stream, createWriteStream(path, {flags: 'wx'}));
            result.files++;
            result.bytes += entry.uncompressedSize;
          }
          zip.readEntry();
        } catch (error) {
          stop(error);
        }
      })();
    });
    zip.readEntry();
  });
}

