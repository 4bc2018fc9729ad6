// Output folders: a path under /proc fails at once with one line (Node's recursive mkdir would hang there), an
// existing folder of a virtual file system is refused, a file in the way is named, a new path is created folder by
// folder; and a write on a full disk names the file and the fix.
import test from 'ava';
import {mkdtemp, readdir, readFile, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {DiskFullError, writeFileAtomic} from '../../src/io/atomic-write.js';
import {checkOutputDir, ensureOutputDir, OutputDirError} from '../../src/io/output-dir.js';
import {mountSmallDisk, smallDiskUnavailable} from '../helpers/full-disk.js';

/** Rejects after `ms` unless `promise` settled first: a hang fails the test instead of stalling the suite. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms))]);
}

test('a path under /proc or /sys fails at once with one line, never hangs; an existing /proc folder is refused too', async (t) => {
  t.timeout(20_000);
  const cases: Array<[string, string]> = [
    ['/proc/zz/yy', "/proc/zz/yy: /proc is on the kernel's proc file system, not a disk; pass a folder on a disk"],
    ['/proc/self', "/proc/self: is on the kernel's proc file system, not a disk; pass a folder on a disk"],
    ['/sys/kernel/mslk', "/sys/kernel/mslk: /sys/kernel is on the kernel's sysfs file system, not a disk; pass a folder on a disk"],
  ];
  for (const [path, message] of cases) {
    await t.throwsAsync(within(ensureOutputDir(path), 5000), {instanceOf: OutputDirError, message});
    await t.throwsAsync(within(checkOutputDir(path), 5000), {instanceOf: OutputDirError, message});
  }
});

test('a file on the way is named; a missing path is created folder by folder; an existing folder is returned as it is', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-output-dir-'));
  await writeFile(join(dir, 'file'), 'x');
  await t.throwsAsync(ensureOutputDir(join(dir, 'file', 'a')), {instanceOf: OutputDirError, message: `${join(dir, 'file', 'a')}: ${join(dir, 'file')} is a file, not a folder; pass a path inside a folder`});
  await t.throwsAsync(ensureOutputDir(join(dir, 'file')), {instanceOf: OutputDirError, message: `${join(dir, 'file')}: is a file; pass a folder`});
  t.is(await ensureOutputDir(join(dir, 'a', 'b', 'c')), join(dir, 'a', 'b', 'c'));
  t.true((await stat(join(dir, 'a', 'b', 'c'))).isDirectory());
  t.is(await ensureOutputDir(join(dir, 'a')), join(dir, 'a'));
  // Two at once (two workers preparing one store) both succeed.
  await Promise.all([ensureOutputDir(join(dir, 'x', 'y')), ensureOutputDir(join(dir, 'x', 'y', 'z'))]);
  t.true((await stat(join(dir, 'x', 'y', 'z'))).isDirectory());
});

const noDisk = smallDiskUnavailable();
const diskTest = noDisk !== null && process.env['CI'] !== 'true' ? test.skip : test;
if (noDisk !== null) console.log(`full-disk test: ${noDisk}`);

diskTest('a write on a full disk names the file and the fix, keeps the old file and leaves no temporary file', async (t) => {
  const disk = await mountSmallDisk(256);
  try {
    const target = join(disk.path, 'checkpoints', 'last.ckpt');
    await writeFileAtomic(target, 'old');
    await disk.fill(4096);
    const error = await t.throwsAsync(writeFileAtomic(target, Buffer.alloc(64 * 1024, 7)), {instanceOf: DiskFullError});
    t.is(error?.message, `no space left on the disk of ${target}: free some space there (or choose another folder: --store, --out), then run the command again`);
    t.is(error?.code, 'ENOSPC');
    t.is(await readFile(target, 'utf8'), 'old');
    t.deepEqual(await readdir(join(disk.path, 'checkpoints')), ['last.ckpt']);
  } finally {
    await disk.release();
  }
});
