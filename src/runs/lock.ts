// The owner of a run directory: one process at a time trains or evaluates a run, whoever starts it (`train`, a
// suite's workers, two machines sharing the store). The lock is a file created exclusively (O_EXCL, atomic on local
// file systems and NFS v3+) holding the owner's host, pid and start time; the owner touches it every
// `heartbeatMs` so that a process on another host can tell a live owner from a dead one. The file is written whole
// before it appears (a temporary file hard-linked to its name), so a lock without a readable owner was damaged (or
// written by an older mslk that crashed between creating and writing it): it is stale once a short grace has passed.
// Whoever takes the lock first removes the temporary files that killed writers left in the run directory.
import {randomUUID} from 'node:crypto';
import {link, open, readFile, rename, rm, stat, utimes} from 'node:fs/promises';
import {hostname} from 'node:os';
import {join} from 'node:path';
import {removeTempFiles, tempPathFor} from '../io/atomic-write.js';

/** File name of the lock inside a run directory. */
export const LOCK_FILE = 'lock';

/**
 * How long a lock file without a readable owner counts as being written, ms; older, it is stale. (An mslk that
 * writes the owner before the name appears never leaves one; an older one wrote it right after creating the file.)
 */
export const UNREADABLE_LOCK_GRACE_MS = 2000;

/**
 * Files of a run directory written without its lock (by `ablate` preparing the run, or by a process waiting for the
 * lock): a temporary file of theirs may belong to a live writer, so it is removed only once it is a minute old.
 */
const WRITTEN_WITHOUT_LOCK = new Set(['config.json', 'test-sets.json', LOCK_FILE, `${LOCK_FILE}.takeover`]);

/** What the lock file holds (JSON). */
export interface RunLockOwner {
  host: string;
  pid: number;
  /** ISO 8601, when the lock was taken. */
  startedAt: string;
  /** What the owner runs (a command line or a label), for messages. */
  command: string;
  /** Random per acquisition: a process releases only the lock it took. */
  token: string;
}

export interface RunLockOptions {
  /** For the refusal message and the lock file. */
  command?: string;
  /** Interval of the heartbeat (the lock file's mtime), ms. Default 30 000. */
  heartbeatMs?: number;
  /** A lock of another host whose heartbeat is older than this is stale, ms. Default 5 minutes. */
  staleAfterMs?: number;
}

/** Thrown when a live process owns the run. The message names the owner; it never suggests `--resume`. */
export class RunLockedError extends Error {
  constructor(readonly dir: string, readonly owner: RunLockOwner, readonly heartbeatAgeMs: number) {
    super(`${dir} is in use by pid ${owner.pid} on ${owner.host} since ${owner.startedAt} ` +
      `(${owner.command || 'mslk'}; last heartbeat ${Math.round(heartbeatAgeMs / 1000)} s ago): ` +
      'wait for it to finish or stop that process; a lock whose owner died is taken over automatically');
  }
}

/** A held lock: heartbeats until released. */
export interface RunLock {
  readonly path: string;
  readonly owner: RunLockOwner;
  /** The owner of the stale lock that was taken over (a dead owner, or null for none or an unreadable lock file). */
  readonly tookOver: RunLockOwner | null;
  /** Temporary files of killed writers removed from the run directory on taking the lock (paths). */
  readonly removedTempFiles: string[];
  /** Stops the heartbeat and removes the lock file if it is still this acquisition's. Idempotent. */
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(path: string): Promise<{owner: RunLockOwner | null; mtimeMs: number} | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    let owner: RunLockOwner | null = null;
    try {
      const parsed = JSON.parse(text) as Partial<RunLockOwner>;
      if (typeof parsed.host === 'string' && typeof parsed.pid === 'number') owner = parsed as RunLockOwner;
    } catch {
      owner = null; // a lock file cut short by a crash while it was written: its mtime still tells its age
    }
    return {owner, mtimeMs: info.mtimeMs};
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Whether a lock's owner is gone: a dead pid on this host, no heartbeat for `staleAfterMs` from anywhere, or no
 * readable owner for UNREADABLE_LOCK_GRACE_MS.
 */
function isStale(owner: RunLockOwner | null, mtimeMs: number, staleAfterMs: number): boolean {
  if (owner && owner.host === hostname()) return !isAlive(owner.pid);
  return Date.now() - mtimeMs > (owner === null ? Math.min(UNREADABLE_LOCK_GRACE_MS, staleAfterMs) : staleAfterMs);
}

/**
 * Creates `path` holding `owner` unless it exists: the owner is written and synced into a temporary file first,
 * which is then hard-linked to `path` (link fails when `path` exists, atomically, on local file systems and NFS), so
 * `path` never exists empty. Where hard links are not supported, falls back to an exclusive create.
 */
async function createExclusive(path: string, owner: RunLockOwner): Promise<boolean> {
  const temp = tempPathFor(path);
  const handle = await open(temp, 'wx');
  try {
    try {
      await handle.writeFile(JSON.stringify(owner) + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, path);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    }
    return await createExclusiveByOpen(path, owner);
  } finally {
    await rm(temp, {force: true});
  }
}

async function createExclusiveByOpen(path: string, owner: RunLockOwner): Promise<boolean> {
  try {
    const handle = await open(path, 'wx');
    try {
      await handle.writeFile(JSON.stringify(owner) + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Takes the lock of the run directory `dir` (which must exist), taking over a stale one.
 * @throws RunLockedError when a live process owns it; file-system errors otherwise.
 */
export async function acquireRunLock(dir: string, options: RunLockOptions = {}): Promise<RunLock> {
  const path = join(dir, LOCK_FILE);
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  const staleAfterMs = options.staleAfterMs ?? 5 * 60_000;
  const owner: RunLockOwner = {
    host: hostname(), pid: process.pid, startedAt: new Date().toISOString(), command: options.command ?? '', token: randomUUID(),
  };
  let tookOver: RunLockOwner | null = null;
  for (let attempt = 0; ; attempt++) {
    if (await createExclusive(path, owner)) break;
    const seen = await readOwner(path);
    if (seen === undefined) continue; // released between our two calls
    if (seen.owner === null && !isStale(null, seen.mtimeMs, staleAfterMs)) {
      // Being written by an older mslk, or damaged: wait out the grace rather than refuse with no owner to name.
      await new Promise((r) => setTimeout(r, 200));
      attempt--;
      continue;
    }
    if (!isStale(seen.owner, seen.mtimeMs, staleAfterMs)) {
      throw new RunLockedError(dir, seen.owner ?? {host: '?', pid: -1, startedAt: '?', command: '', token: ''}, Date.now() - seen.mtimeMs);
    }
    if (attempt >= 10) throw new Error(`${path}: could not take over a stale lock (another process keeps replacing it): retry`);
    // Take over under a second exclusive file, so that two processes never both remove a stale lock and one of
    // them the other's fresh one.
    const takeover = `${path}.takeover`;
    const guard: RunLockOwner = {...owner, token: randomUUID()};
    if (!(await createExclusive(takeover, guard))) {
      const other = await readOwner(takeover);
      if (other && Date.now() - other.mtimeMs > 60_000) await rm(takeover, {force: true});
      // Back off by a pid-dependent delay so two contenders do not retry in lockstep.
      await new Promise((r) => setTimeout(r, 50 * (attempt + 1) + (process.pid % 50)));
      continue;
    }
    try {
      const again = await readOwner(path);
      if (again && (again.owner?.token ?? null) === (seen.owner?.token ?? null) && again.mtimeMs === seen.mtimeMs) {
        const aside = `${path}.stale-${process.pid}-${randomUUID().slice(0, 8)}`;
        await rename(path, aside);
        await rm(aside, {force: true});
        tookOver = seen.owner;
      }
    } finally {
      await rm(takeover, {force: true});
    }
  }
  // Every other writer of this run's files needs the lock, so their temporary files are leftovers of killed
  // processes (a cut checkpoint can weigh megabytes): removed now, before this owner writes anything.
  const removedTempFiles = await removeTempFiles(dir, (target, ageMs) => !WRITTEN_WITHOUT_LOCK.has(target) || ageMs > 60_000);
  const timer = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => undefined);
  }, heartbeatMs);
  timer.unref();
  let released = false;
  return {
    path, owner, tookOver, removedTempFiles,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      const seen = await readOwner(path);
      if (seen?.owner?.token === owner.token) await rm(path, {force: true});
    },
  };
}

/** The current owner of a run directory's lock, if a live one holds it (for status displays). */
export async function runLockOwner(dir: string, staleAfterMs = 5 * 60_000): Promise<RunLockOwner | null> {
  const seen = await readOwner(join(dir, LOCK_FILE));
  if (!seen || isStale(seen.owner, seen.mtimeMs, staleAfterMs)) return null;
  return seen.owner;
}
