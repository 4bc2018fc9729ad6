import test from 'ava';
import {mkdtemp} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {runDoctor} from '../../src/engine/doctor.js';
import {MSLK_VERSION} from '../../src/version.js';

test('runDoctor reports on the data root it is given and on the backends it is asked about', async (t) => {
  const dataRoot = join(await mkdtemp(join(tmpdir(), 'mslk-doctor-')), 'not-yet-created');
  const report = await runDoctor({dataRoot, backends: ['cpu']});
  t.is(report.dataRoot.path, dataRoot);
  // Free space of the file system of the nearest existing ancestor.
  t.true((report.dataRoot.freeBytes ?? 0) > 0);
  t.deepEqual(report.backends.map((b) => b.name), ['cpu']);
  t.is(report.chosen, 'cpu');
  t.true(report.ok);
  t.is(report.mslk, MSLK_VERSION);
  t.is(report.code.runningFrom, 'src');
});
