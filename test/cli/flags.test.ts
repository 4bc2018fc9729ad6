import test from 'ava';
import fc from 'fast-check';
import {mkdir, mkdtemp, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {BadPathError, expectPathKind, type PathKind} from '../../src/cli/flags.js';

async function sandbox(): Promise<{dir: string; file: string}> {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-flags-'));
  await mkdir(join(dir, 'folder'));
  await writeFile(join(dir, 'file.txt'), 'x');
  return {dir, file: join(dir, 'file.txt')};
}

test('expectPathKind: each wrong kind is one line naming the flag, the path and the fix', async (t) => {
  const {dir, file} = await sandbox();
  const folder = join(dir, 'folder');
  const cases: {path: string; kind: PathKind; error?: string}[] = [
    {path: folder, kind: 'directory'},
    {path: file, kind: 'file'},
    {path: join(dir, 'new', 'deeper'), kind: 'directory'},
    {path: join(folder, 'new.safetensors'), kind: 'file'},
    {path: folder, kind: 'file', error: `--out ${folder}: is a directory; pass a file path`},
    {path: file, kind: 'directory', error: `--out ${file}: is a file; pass a folder`},
    {path: join(file, 'x'), kind: 'directory', error: `--out ${join(file, 'x')}: ${file} is a file, not a folder; pass a path inside a folder`},
    {path: join(file, 'x', 'y.bin'), kind: 'file', error: `--out ${join(file, 'x', 'y.bin')}: ${file} is a file, not a folder; pass a path inside a folder`},
  ];
  for (const c of cases) {
    if (c.error === undefined) {
      t.is(await expectPathKind('--out', c.path, c.kind), c.path, `${c.path} as a ${c.kind}`);
    } else {
      const error = await t.throwsAsync(expectPathKind('--out', c.path, c.kind), {instanceOf: BadPathError});
      t.is(error?.line, c.error);
      t.false(error?.line.includes('\n'));
    }
  }
});

test('expectPathKind: any path below a file is refused for either kind (property)', async (t) => {
  const {file} = await sandbox();
  await fc.assert(fc.asyncProperty(
    fc.array(fc.stringMatching(/^[a-z0-9_.-]{1,8}$/).filter((s) => s !== '.' && s !== '..'), {minLength: 1, maxLength: 4}),
    fc.constantFrom<PathKind>('file', 'directory'),
    async (segments, kind) => {
      const path = join(file, ...segments);
      const error = await expectPathKind('--data-root', path, kind).then(() => undefined, (e: unknown) => e);
      return error instanceof BadPathError && error.line.startsWith(`--data-root ${path}: ${file} is a file`);
    },
  ), {numRuns: 50});
  t.pass();
});
