import test from 'ava';
import {mkdtemp, readdir, readFile, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {writeFileAtomic} from '../../src/io/atomic-write.js';

test('writes the chunks; a failure mid-write keeps the old file and leaves no temporary file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-atomic-'));
  const target = join(dir, 'metrics.json');
  await writeFileAtomic(target, ['{"dice":', Buffer.from('0.8}')]);
  t.is(await readFile(target, 'utf8'), '{"dice":0.8}');
  await writeFile(target, 'old');
  function* failing(): Generator<string> {
    yield 'half of the new';
    throw new Error('disk full');
  }
  await t.throwsAsync(writeFileAtomic(target, failing()), {message: 'disk full'});
  t.is(await readFile(target, 'utf8'), 'old');
  t.deepEqual(await readdir(dir), ['metrics.json']);
});
