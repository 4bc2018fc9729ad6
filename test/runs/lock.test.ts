import test from 'ava';
import {spawn, type ChildProcess} from 'node:child_process';
import {mkdir, mkdtemp, readFile, readdir, utimes, writeFile} from 'node:fs/promises';
import {hostname, tmpdir} from 'node:os';
import {join} from 'node:path';
import {acquireRunLock, LOCK_FILE, RunLockedError, runLockOwner, UNREADABLE_LOCK_GRACE_MS} from '../../src/runs/lock.js';

async function runDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'mslk-lock-'));
}

/** A second process that takes the lock, says so on stdout, and holds it until killed. */
async function holder(dir: string): Promise<ChildProcess> {
  const code = `import {acquireRunLock} from './src/runs/lock.ts';
    await acquireRunLock(${JSON.stringify(dir)}, {command: 'holder', heartbeatMs: 100});
    console.log('locked'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import=tsx', '--input-type=module', '-e', code], {stdio: ['ignore', 'pipe', 'inherit']});
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('locked')) resolve(); });
    child.on('exit', (c) => reject(new Error(`holder exited with ${c}`)));
  });
  return child;
}

test('a second owner is refused with the owner named while it lives, and takes over once it is killed', async (t) => {
  const dir = await runDir();
  const child = await holder(dir);
  try {
    const error = await t.throwsAsync(acquireRunLock(dir), {instanceOf: RunLockedError});
    t.regex(error!.message, new RegExp(`in use by pid ${child.pid} on ${hostname()}`));
    t.notRegex(error!.message, /--resume/);
    t.is((await runLockOwner(dir))?.pid, child.pid);
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  // SIGKILL leaves the file behind; its pid is dead on this host, so the lock is stale.
  t.true((await readdir(dir)).includes(LOCK_FILE));
  t.is(await runLockOwner(dir), null);
  const lock = await acquireRunLock(dir);
  t.is(lock.tookOver?.pid, child.pid);
  t.is(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')).pid, process.pid);
  await lock.release();
  t.deepEqual(await readdir(dir), []);
});

test('one process cannot hold the same run twice; release frees it, and only the owner removes the file', async (t) => {
  const dir = await runDir();
  const first = await acquireRunLock(dir);
  await t.throwsAsync(acquireRunLock(dir), {instanceOf: RunLockedError});
  await first.release();
  const second = await acquireRunLock(dir);
  await first.release(); // a stale handle must not remove the new owner's lock
  t.true((await readdir(dir)).includes(LOCK_FILE));
  await second.release();
  t.deepEqual(await readdir(dir), []);
});

test('a lock of another host is live while it heartbeats and stale after staleAfterMs without one', async (t) => {
  const dir = await runDir();
  const path = join(dir, LOCK_FILE);
  const other = {host: 'node-17.cluster', pid: 4242, startedAt: '2026-01-01T00:00:00.000Z', command: 'run-one', token: 'x'};
  await writeFile(path, JSON.stringify(other));
  const error = await t.throwsAsync(acquireRunLock(dir, {staleAfterMs: 60_000}), {instanceOf: RunLockedError});
  t.regex(error!.message, /pid 4242 on node-17\.cluster/);
  const old = new Date(Date.now() - 120_000);
  await utimes(path, old, old);
  const lock = await acquireRunLock(dir, {staleAfterMs: 60_000});
  t.is(lock.tookOver?.host, 'node-17.cluster');
  await lock.release();
});

test('the heartbeat keeps the lock file fresh', async (t) => {
  const dir = await runDir();
  const lock = await acquireRunLock(dir, {heartbeatMs: 50});
  const old = new Date(Date.now() - 600_000);
  await utimes(lock.path, old, old);
  await new Promise((r) => setTimeout(r, 300));
  const {mtimeMs} = await import('node:fs/promises').then((fs) => fs.stat(lock.path));
  t.true(Date.now() - mtimeMs < 10_000);
  await lock.release();
});

test('an empty or damaged lock file (a crash between creating and writing it) is stale after a 2 s grace, not after 5 minutes', async (t) => {
  for (const content of ['', '{"host": "a']) {
    const dir = await runDir();
    const path = join(dir, LOCK_FILE);
    await writeFile(path, content);
    // Fresh: it may be another process's lock being written, so it is waited on for the grace, then taken over.
    const started = Date.now();
    const lock = await acquireRunLock(dir);
    const waited = Date.now() - started;
    t.true(waited >= UNREADABLE_LOCK_GRACE_MS - 300 && waited < 10_000, `waited ${waited} ms for ${JSON.stringify(content)}`);
    t.is(lock.tookOver, null);
    t.is(JSON.parse(await readFile(path, 'utf8')).pid, process.pid);
    await lock.release();
    // Older than the grace: taken over at once.
    await writeFile(path, content);
    const old = new Date(Date.now() - 5000);
    await utimes(path, old, old);
    const again = Date.now();
    const second = await acquireRunLock(dir);
    t.true(Date.now() - again < 1500);
    await second.release();
    t.deepEqual(await readdir(dir), [], 'no temporary file of the lock is left');
  }
});

test('a run whose lock is empty is owned by nobody: runLockOwner names no owner once the grace is over', async (t) => {
  const dir = await runDir();
  await writeFile(join(dir, LOCK_FILE), '');
  const old = new Date(Date.now() - 5000);
  await utimes(join(dir, LOCK_FILE), old, old);
  t.is(await runLockOwner(dir), null);
});

test('taking a run\'s lock removes the temporary files killed writers left (a young one of a file written without the lock is kept)', async (t) => {
  const dir = await runDir();
  await mkdir(join(dir, 'checkpoints'));
  await mkdir(join(dir, 'eval'));
  const leftovers = [join(dir, 'checkpoints', '.best.ckpt.tmp-4242-0a1b2c3d'), join(dir, 'eval', '.test-last.csv.tmp-17-deadbeef'), join(dir, '.status.tmp-99-12345678')];
  for (const file of leftovers) await writeFile(file, Buffer.alloc(1024));
  const young = join(dir, '.config.json.tmp-4242-0a1b2c3d');
  const oldConfigTemp = join(dir, '.test-sets.json.tmp-4242-00000000');
  await writeFile(young, '{');
  await writeFile(oldConfigTemp, '{');
  const old = new Date(Date.now() - 120_000);
  await utimes(oldConfigTemp, old, old);
  await writeFile(join(dir, 'checkpoints', 'last.ckpt'), 'kept');
  const lock = await acquireRunLock(dir);
  t.deepEqual([...lock.removedTempFiles].sort(), [...leftovers, oldConfigTemp].sort());
  t.deepEqual((await readdir(join(dir, 'checkpoints'))), ['last.ckpt']);
  t.deepEqual((await readdir(join(dir, 'eval'))), []);
  t.true((await readdir(dir)).includes('.config.json.tmp-4242-0a1b2c3d'), 'may be a live `ablate` writing config.json');
  await lock.release();
});
