// The commands through the CLI itself: exit codes, JSON, and one-line errors with no stack trace.
import test from 'ava';
import {runMslk, type CliResult} from '../helpers/cli.js';
import {rename} from 'node:fs/promises';
import {join} from 'node:path';
import {tempFolder, writeFolderDataset, writeRectMask} from './helpers.js';


function mslk(args: string[], dataRoot: string): Promise<CliResult> {
  return runMslk(args, {MSLK_DATA_ROOT: dataRoot});
}

test('datasets import, list --json and verify --json (problems: exit 1, JSON with every problem)', async (t) => {
  const dir = await tempFolder('cli');
  try {
    const data = join(dir.path, 'data');
    const dataRoot = join(dir.path, 'root');
    await writeFolderDataset(data, 3);
    const imported = await mslk(['datasets', 'import', data, '--name', 'mine'], dataRoot);
    t.is(imported.code, 0, imported.stderr);
    t.regex(imported.stdout, /Imported mine: 3 pairs/);
    t.regex(imported.stdout, /layout: images\/ \+ masks\/ with equal stems/);
    const list = await mslk(['datasets', 'list', '--json'], dataRoot);
    const rows = (JSON.parse(list.stdout) as {datasets: Array<{name: string; present: boolean}>}).datasets;
    t.true(rows.some((r) => r.name === 'kvasir-seg' && !r.present));
    t.true(rows.some((r) => r.name === 'mine' && r.present));
    await writeRectMask(join(data, 'masks', 'case1.png'), 5, 5, undefined);
    const verify = await mslk(['datasets', 'verify', 'mine', '--json'], dataRoot);
    t.is(verify.code, 1);
    const report = JSON.parse(verify.stdout) as {pairs: number; problems: Array<{file: string; problem: string}>};
    t.is(report.pairs, 3);
    t.deepEqual(report.problems.map((p) => p.file), ['masks/case1.png']);
    const missing = await mslk(['datasets', 'verify', join(dir.path, 'nope')], dataRoot);
    t.is(missing.code, 1);
    t.notRegex(missing.stderr, /\bat .*\.(ts|js):\d+/);
    t.regex(missing.stderr, /nope: no such dataset or folder/);
  } finally {
    await dir.cleanup();
  }
});

test('datasets prepare --size 24 and a second import of a name: one-line errors naming the fix; fetch chase-db1 prints a working install command', async (t) => {
  const dir = await tempFolder('cli-issue10');
  try {
    const data = join(dir.path, 'data');
    const dataRoot = join(dir.path, 'root');
    await writeFolderDataset(data, 3);
    const size = await mslk(['datasets', 'prepare', data, '--size', '24'], dataRoot);
    t.not(size.code, 0);
    t.regex(size.stderr, /24: size must be a multiple of 16 pixels/);
    t.notRegex(size.stderr, /\bat .*\.(ts|js):\d+/);
    t.is((await mslk(['datasets', 'import', data, '--name', 'mine'], dataRoot)).code, 0);
    const again = await mslk(['datasets', 'import', data, '--name', 'mine'], dataRoot);
    t.not(again.code, 0);
    t.regex(again.stderr, /mine: is already imported .*pass --force/s);
    t.is((await mslk(['datasets', 'import', data, '--name', 'mine', '--force'], dataRoot)).code, 0);
    const fetch = await mslk(['datasets', 'fetch', 'chase-db1'], dataRoot);
    t.regex(fetch.stdout, /Then: mslk datasets fetch chase-db1 --from </);
  } finally {
    await dir.cleanup();
  }
});

test('hints name flags the command has: info gives the run-config form of a named split; verify takes --images/--masks; a plain folder has no known checksums', async (t) => {
  const dir = await tempFolder('cli-hints');
  try {
    const dataRoot = join(dir.path, 'root');
    const info = await mslk(['datasets', 'info', 'chase-db1'], dataRoot);
    t.is(info.code, 0, info.stderr);
    t.regex(info.stdout, /split by name: first-20: .*\(datasets prepare --split first-20; train: --set data\.split\.method=named --set data\.split\.name=first-20\)/);
    const data = join(dir.path, 'data');
    await writeFolderDataset(data, 2);
    const plain = await mslk(['datasets', 'verify', data], dataRoot);
    t.is(plain.code, 0, plain.stderr);
    t.regex(plain.stdout, /checksums: none known for these files/);
    t.notRegex(plain.stdout, /verify says how/);
    const odd = join(dir.path, 'odd');
    await writeFolderDataset(odd, 2);
    await rename(join(odd, 'images'), join(odd, 'img'));
    await rename(join(odd, 'masks'), join(odd, 'gt'));
    const globbed = await mslk(['datasets', 'verify', odd, '--images', 'img/*.png', '--masks', 'gt/*.png'], dataRoot);
    t.is(globbed.code, 0, globbed.stderr);
    t.regex(globbed.stdout, /2 pairs/);
  } finally {
    await dir.cleanup();
  }
});
