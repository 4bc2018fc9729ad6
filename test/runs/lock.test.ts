import test from 'ava';
import {spawn, type ChildProcess} from 'node:child_process';
import {mkdtemp, readFile, readdir, utimes, writeFile} from 'node:fs/promises';
import {hostname, tmpdir} from 'node:os';
import {join} from 'node:path';
import {acquireRunLock, LOCK_FILE, RunLockedError, runLockOwner} from '../../src/runs/lock.js';

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

test('a damaged lock file (cut short by a crash) is judged by its age', async (t) => {
  const dir = await runDir();
  const path = join(dir, LOCK_FILE);
  await writeFile(path, '{"host": "a');
  await t.throwsAsync(acquireRunLock(dir, {staleAfterMs: 60_000}), {instanceOf: RunLockedError});
  const old = new Date(Date.now() - 120_000);
  await utimes(path, old, old);
  const lock = await acquireRunLock(dir, {staleAfterMs: 60_000});
  await lock.release();
  t.pass();
});
