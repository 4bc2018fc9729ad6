// Issue 23: MSLK_DATA_ROOT is checked as the --data-root flag is. A variable naming a file (or a path below a
// file) fails in one line naming the variable and the fix, with the usage exit code, in doctor and in the other
// commands that read it, instead of doctor's "(75.6 GiB free)" for a file.
import test from 'ava';
import {mkdir, writeFile} from 'node:fs/promises';
import {join, resolve} from 'node:path';
import {DataRootError, defaultDataRoot, resolveDataRoot} from '../../src/datasets/data-root.js';
import {runMslk} from '../helpers/cli.js';
import {tempFolder} from './helpers.js';

const FIX = 'set MSLK_DATA_ROOT to a folder (it is created when missing), or unset it to use the default';

for (const args of [['doctor'], ['datasets', 'list'], ['datasets', 'verify', 'kvasir-seg'], ['datasets', 'prepare', 'synthetic', '--size', '32']]) {
  test(`MSLK_DATA_ROOT naming a file: mslk ${args.join(' ')} exits 2 with one line naming the variable`, async (t) => {
    const dir = await tempFolder('data-root-file');
    try {
      const file = join(dir.path, 'datasets.txt');
      await writeFile(file, 'not a folder\n');
      const result = await runMslk(args, {MSLK_DATA_ROOT: file, MSLK_BACKEND: 'cpu'});
      t.is(result.code, 2);
      t.is(result.stderr, `Error: MSLK_DATA_ROOT=${file}: is a file, not a folder; ${FIX}\n`);
      t.notRegex(result.stdout, /free/);
    } finally {
      await dir.cleanup();
    }
  });
}

test('MSLK_DATA_ROOT below a file: doctor names the file in the path', async (t) => {
  const dir = await tempFolder('data-root-below');
  try {
    const file = join(dir.path, 'a-file');
    await writeFile(file, '');
    const result = await runMslk(['doctor'], {MSLK_DATA_ROOT: join(file, 'datasets')});
    t.is(result.code, 2);
    t.is(result.stderr, `Error: MSLK_DATA_ROOT=${join(file, 'datasets')}: ${file} is a file, not a folder; ${FIX}\n`);
  } finally {
    await dir.cleanup();
  }
});

test('resolveDataRoot: the flag wins over the variable (which is then not read), a missing folder is fine, empty is unset', async (t) => {
  const dir = await tempFolder('data-root-ok');
  try {
    const file = join(dir.path, 'f');
    await writeFile(file, '');
    await mkdir(join(dir.path, 'root'));
    t.is(resolveDataRoot(join(dir.path, 'root'), {MSLK_DATA_ROOT: file}), join(dir.path, 'root'));
    t.is(resolveDataRoot(undefined, {MSLK_DATA_ROOT: join(dir.path, 'root')}), join(dir.path, 'root'));
    t.is(resolveDataRoot(undefined, {MSLK_DATA_ROOT: join(dir.path, 'new', 'deeper')}), join(dir.path, 'new', 'deeper'));
    // An empty value is unset, not the current folder (resolve('') would be the working directory).
    t.is(resolveDataRoot(undefined, {MSLK_DATA_ROOT: '', XDG_CACHE_HOME: dir.path}), resolve(defaultDataRoot({XDG_CACHE_HOME: dir.path})));
    t.throws(() => resolveDataRoot(undefined, {MSLK_DATA_ROOT: file}), {instanceOf: DataRootError});
  } finally {
    await dir.cleanup();
  }
});
