import test from 'ava';
import {mkdir, mkdtemp, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {codeState, sourceDigest, writeBuildStamp} from '../../src/io/build-stamp.js';

async function fakePackage(): Promise<{root: string; moduleUrl: string}> {
  const root = await mkdtemp(join(tmpdir(), 'mslk-stamp-'));
  await mkdir(join(root, 'src', 'io'), {recursive: true});
  await mkdir(join(root, 'dist', 'io'), {recursive: true});
  await writeFile(join(root, 'src', 'io', 'a.ts'), 'export const a = 1;\n');
  return {root, moduleUrl: pathToFileURL(join(root, 'dist', 'io', 'build-stamp.js')).href};
}

test('the sources run directly: no build to compare', async (t) => {
  t.deepEqual(await codeState(), {runningFrom: 'src', buildMatchesSources: null});
});

test('a build matches the sources it was stamped from, and stops matching when they change', async (t) => {
  const {root, moduleUrl} = await fakePackage();
  t.deepEqual(await codeState(moduleUrl), {runningFrom: 'dist', buildMatchesSources: null});
  await writeBuildStamp(root);
  t.deepEqual(await codeState(moduleUrl), {runningFrom: 'dist', buildMatchesSources: true});
  const before = await sourceDigest(root);
  await writeFile(join(root, 'src', 'io', 'a.ts'), 'export const a = 2;\n');
  t.not(await sourceDigest(root), before);
  t.deepEqual(await codeState(moduleUrl), {runningFrom: 'dist', buildMatchesSources: false});
  await writeBuildStamp(root);
  await writeFile(join(root, 'src', 'b.ts'), 'export const b = 1;\n');
  t.is((await codeState(moduleUrl)).buildMatchesSources, false);
});
