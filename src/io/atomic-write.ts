// Atomic file writes: write a temporary file beside the target, then rename over it, so a reader sees the old
// file or the new one, never half of one (rename is atomic within a file system).
import {randomUUID} from 'node:crypto';
import {lstat, open, readdir, rename, rm} from 'node:fs/promises';
import {basename, dirname, join} from 'node:path';
import {ensureOutputDir} from './output-dir.js';

/** The temporary file beside `target` a write goes to first: `.<name>.tmp-<pid>-<8 hex>` (TEMP_NAME matches it). */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`);
}

/** The names tempPathFor makes; group 1 is the target's name. */
export const TEMP_NAME = /^\.(.+)\.tmp-\d+-[0-9a-f]{8}$/;

/**
 * Removes the temporary files (TEMP_NAME) under `dir`, in every subfolder, that writers killed mid-write left behind
 * (a temporary file is removed by its writer on any failure it lives through). Only for a folder whose writers are
 * excluded meanwhile (a run directory under its lock): `remove(target, ageMs)` returning false spares a file (e.g. one
 * of a target written without the lock, while young). Symbolic links are not followed. Returns the paths removed.
 */
export async function removeTempFiles(dir: string, remove: (target: string, ageMs: number) => boolean = () => true): Promise<string[]> {
  const removed: string[] = [];
  const entries = await readdir(dir, {withFileTypes: true}).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      removed.push(...await removeTempFiles(path, remove));
      continue;
    }
    const match = TEMP_NAME.exec(entry.name);
    if (!match || !entry.isFile()) continue;
    const info = await lstat(path).catch(() => undefined);
    if (info === undefined || !remove(match[1]!, Date.now() - info.mtimeMs)) continue;
    await rm(path, {force: true});
    removed.push(path);
  }
  return removed;
}

/**
 * A write that failed because the disk (or the user's quota) is full. Node's own message ("ENOSPC: no space left on
 * device, write") names neither the file nor what to do; this one does, on one line.
 */
export class DiskFullError extends Error {
  readonly code: string;
  constructor(readonly path: string, cause: NodeJS.ErrnoException) {
    super(`no space left on the disk of ${path}${cause.code === 'EDQUOT' ? ' (disk quota exceeded)' : ''}: ` +
      'free some space there (or choose another folder: --store, --out), then run the command again', {cause});
    this.name = 'DiskFullError';
    this.code = cause.code ?? 'ENOSPC';
  }
}

/** `error` as a DiskFullError naming `path` when it is ENOSPC or EDQUOT; else `error` itself. */
export function withDiskFullPath(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (error instanceof DiskFullError || (code !== 'ENOSPC' && code !== 'EDQUOT')) return error;
  return new DiskFullError(path, error as NodeJS.ErrnoException);
}

/**
 * Writes chunks to `target` atomically; the temporary file is removed on any failure. Its folder is created when
 * missing (ensureOutputDir). Throws DiskFullError naming `target` on a full disk; what the file system throws otherwise.
 */
export async function writeFileAtomic(target: string, chunks: Iterable<Uint8Array | string> | Uint8Array | string): Promise<void> {
  await ensureOutputDir(dirname(target));
  const temp = tempPathFor(target);
  const handle = await open(temp, 'w').catch((error: unknown) => {
    throw withDiskFullPath(error, target);
  });
  try {
    const list = typeof chunks === 'string' || chunks instanceof Uint8Array ? [chunks] : chunks;
    for (const chunk of list) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      // One write call may write part of the bytes (a disk filling up answers with what fit, then ENOSPC): write
      // the rest until all is written or the error comes, never leave a silently shorter file.
      for (let offset = 0; offset < bytes.length;) offset += (await handle.write(bytes, offset, bytes.length - offset)).bytesWritten;
    }
    await handle.sync();
    await handle.close();
    await rename(temp, target);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, {force: true});
    throw withDiskFullPath(error, target);
  }
}
