import test from 'ava';
import {execFile} from 'node:child_process';
import {mkdtemp, readFile, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {promisify} from 'node:util';
import {gitState, provenance} from '../../src/io/provenance.js';
import {TRACKED_PACKAGES} from '../../src/version.js';

const git = (cwd: string, ...args: string[]) => promisify(execFile)('git', args, {cwd});

test('gitState: the commit of HEAD, clean until a tracked file changes (untracked files do not count)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-git-'));
  await git(dir, 'init', '-q');
  await writeFile(join(dir, 'a.txt'), 'one\n');
  await git(dir, 'add', 'a.txt');
  await git(dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'first');
  const head = (await git(dir, 'rev-parse', 'HEAD')).stdout.trim();
  t.deepEqual(await gitState(dir), {commit: head, dirty: false});
  await writeFile(join(dir, 'untracked.txt'), 'x\n');
  t.deepEqual(await gitState(dir), {commit: head, dirty: false});
  await writeFile(join(dir, 'a.txt'), 'two\n');
  t.deepEqual(await gitState(dir), {commit: head, dirty: true});
});

test('gitState: null outside a git work tree, no throw', async (t) => {
  t.is(await gitState(await mkdtemp(join(tmpdir(), 'mslk-nogit-'))), null);
});

test('provenance: the manifest fields under their names, the backend only when given', async (t) => {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {version: string};
  const p = await provenance();
  t.is(p.mslk, pkg.version);
  t.is(p.node, process.version);
  t.deepEqual(Object.keys(p.packages).sort(), [...TRACKED_PACKAGES].sort());
  t.is(p.packages['@tensorflow/tfjs-core'], '4.22.0');
  t.deepEqual(p.code, {runningFrom: 'src', buildMatchesSources: null});
  t.true(p.system.cores >= 1);
  // This checkout is a git work tree: the commit is 40 hex digits.
  t.regex(p.git?.commit ?? '', /^[0-9a-f]{40}$/);
  t.false('backend' in p);
  t.is((await provenance({backend: 'wasm'})).backend, 'wasm');
});
