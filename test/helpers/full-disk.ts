// A small disk that fills up: a tmpfs of a given size mounted in a temporary folder (root only: CI runs as root),
// for tests of what mslk says and keeps on a full disk (ENOSPC from the kernel itself, not a mock).
import {execFile} from 'node:child_process';
import {mkdtemp, open, rm, statfs} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {promisify} from 'node:util';

/** A mounted tmpfs: `fill` takes all its free space but `leaveBytes` (rounded to pages); `release` unmounts it. */
export interface SmallDisk {
  path: string;
  fill(leaveBytes: number): Promise<void>;
  /** Frees what fill took. */
  unfill(): Promise<void>;
  release(): Promise<void>;
}

/** Why a small disk cannot be mounted here (the test then says so), or null when it can be tried. */
export function smallDiskUnavailable(): string | null {
  if (process.platform !== 'linux') return 'a tmpfs needs Linux';
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root: run the tests as root, as CI does';
  return null;
}

/** Mounts a tmpfs of `kib` KiB in a new temporary folder. Throws when mount fails. */
export async function mountSmallDisk(kib: number): Promise<SmallDisk> {
  const path = await mkdtemp(join(tmpdir(), 'mslk-small-disk-'));
  await promisify(execFile)('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', path]);
  const filler = join(path, 'filler');
  return {
    path,
    async fill(leaveBytes) {
      const info = await statfs(path);
      const free = Number(info.bavail) * Number(info.bsize);
      const handle = await open(filler, 'a');
      try {
        const bytes = Math.max(0, free - leaveBytes);
        if (bytes > 0) await handle.write(Buffer.alloc(bytes, 1));
      } finally {
        await handle.close();
      }
    },
    async unfill() {
      await rm(filler, {force: true});
    },
    async release() {
      await promisify(execFile)('umount', [path]).catch(() => undefined);
      await rm(path, {recursive: true, force: true});
    },
  };
}
