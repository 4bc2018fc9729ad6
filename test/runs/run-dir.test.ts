import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import test from 'ava';
import {DamagedRunFileError, RunDir} from '../../src/runs/run-dir.js';

test('a run file that is not valid JSON is named in a one-line error with the fix; an absent one stays ENOENT', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-rundir-'));
  try {
    const run = new RunDir(dir);
    for (const name of ['config', 'manifest', 'split', 'metrics'] as const) {
      await t.throwsAsync(run.readJson(name), {code: 'ENOENT'});
      await writeFile(run.file(name), '{"runId": "abc", ');
      const error = await t.throwsAsync(run.readJson(name), {instanceOf: DamagedRunFileError});
      t.true(error?.message.startsWith(`${run.file(name)}: not valid JSON (`), error?.message);
      t.regex(error?.message ?? '', /put the original back, or delete .* and train the run again$/);
      t.false(error?.message.includes('\n'));
    }
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
});
