import test from 'ava';
import fc from 'fast-check';
import {existsSync} from 'node:fs';
import {readdir, writeFile} from 'node:fs/promises';
import {join, relative, resolve, sep, isAbsolute} from 'node:path';
import {extractZip, safeEntryPath} from '../../src/datasets/zip.js';
import {makeZip, tempFolder} from './helpers.js';

test('an entry path is either inside the target or refused, whatever the name', (t) => {
  const target = resolve('/tmp/mslk-target');
  const segment = fc.oneof(fc.constantFrom('..', '.', '', 'a', 'b c', 'C:', '\\', '..\\..', '/'), fc.string({maxLength: 6}));
  fc.assert(
    fc.property(fc.array(segment, {minLength: 1, maxLength: 6}), fc.constantFrom('/', '\\'), (parts, separator) => {
      const name = parts.join(separator);
      let path: string;
      try {
        path = safeEntryPath(target, name);
      } catch {
        return true;
      }
      const rel = relative(target, path);
      return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..');
    }),
    {numRuns: 2000},
  );
  for (const bad of ['../evil.txt', 'a/../../evil.txt', '/etc/passwd', 'C:\\evil.txt', '..\\evil.txt']) t.throws(() => safeEntryPath(target, bad), {message: /unsafe zip entry refused/}, bad);
  t.is(safeEntryPath(target, 'images/a.png'), join(target, 'images', 'a.png'));
});

test('extraction writes the files of a sound archive', async (t) => {
  const dir = await tempFolder('zip');
  try {
    const zip = join(dir.path, 'ok.zip');
    await writeFile(zip, makeZip([{name: 'data/', data: ''}, {name: 'data/a.txt', data: 'alpha'}, {name: 'data/sub/b.txt', data: 'beta'}]));
    const result = await extractZip(zip, join(dir.path, 'out'));
    t.is(result.files, 2);
    t.true(existsSync(join(dir.path, 'out', 'data', 'sub', 'b.txt')));
  } finally {
    await dir.cleanup();
  }
});

for (const [label, entries] of [
  ['a ../ entry (zip-slip)', [{name: 'ok.txt', data: 'fine'}, {name: '../escaped.txt', data: 'evil'}]],
  ['an absolute entry', [{name: '/tmp/mslk-absolute-evil.txt', data: 'evil'}]],
  ['a symlink entry', [{name: 'link', data: '/etc/passwd', symlink: true}]],
] as const) {
  test(`extraction refuses ${label} and writes nothing outside the target`, async (t) => {
    const dir = await tempFolder('zipslip');
    try {
      const zip = join(dir.path, 'evil.zip');
      await writeFile(zip, makeZip(entries));
      await t.throwsAsync(extractZip(zip, join(dir.path, 'out')), {message: /unsafe zip entry refused|invalid|absolute/i});
      t.false(existsSync(join(dir.path, 'escaped.txt')));
      t.false(existsSync('/tmp/mslk-absolute-evil.txt'));
      t.deepEqual((await readdir(dir.path)).sort(), ['evil.zip', 'out']);
    } finally {
      await dir.cleanup();
    }
  });
}
