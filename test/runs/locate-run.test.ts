// Readable run directory names, and finding a run again by its id alone.
import test from 'ava';
import fc from 'fast-check';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join, relative} from 'node:path';
import {datasetNamePart, findRunById, locateRun, runDirName, runIdOfName, sanitiseNamePart} from '../../src/runs/locate-run.js';
import {RunNotFoundError} from '../../src/runs/run-dir.js';

let scratch = '';
test.before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mslk-locate-'));
});
test.after.always(async () => {
  await rm(scratch, {recursive: true, force: true});
});

async function makeRun(parent: string, name: string): Promise<string> {
  const dir = join(parent, name);
  await mkdir(dir, {recursive: true});
  await writeFile(join(dir, 'config.json'), '{}\n');
  return dir;
}

const hexId = fc.stringMatching(/^[0-9a-f]{12}$/);

test('every run name is [a-z0-9._-] only, ends in -s<seed>-<id>, and gives its id back', (t) => {
  fc.assert(fc.property(fc.string({maxLength: 60}), fc.string({maxLength: 80}), fc.nat(), hexId, (model, dataset, seed, id) => {
    const name = runDirName({model: {model}, data: {dataset}, seed}, id);
    t.regex(name, /^[a-z0-9._-]+$/);
    t.true(name.endsWith(`-s${seed}-${id}`));
    t.is(runIdOfName(name), id);
    t.false(name.startsWith('-') || name.startsWith('.'));
  }));
});

test('names read as <model>-<dataset>-s<seed>-<id>: registry names as they are, folders by their base name', (t) => {
  const id = '3f2a9c1b7d4e';
  t.is(runDirName({model: {model: 'ms-lkseg'}, data: {dataset: 'kvasir-seg'}, seed: 0}, id), `ms-lkseg-kvasir-seg-s0-${id}`);
  t.is(runDirName({model: {model: 'unet'}, data: {dataset: '../shared/datasets/Kvasir SEG 352/'}, seed: 12}, id), `unet-kvasir-seg-352-s12-${id}`);
  t.is(datasetNamePart('C:\\data\\BUSI'), 'c-data-busi', 'a Windows path on POSIX is one odd name, still sanitised');
  t.is(sanitiseNamePart('///'), 'x');
  t.throws(() => runDirName({model: {model: 'unet'}, data: {dataset: 'x'}, seed: 0}, 'abc'), {message: /not 12 hex digits/});
});

test('a run is found by its id alone: its directory, <parent>/<id>, a bare id in --runs, or an old <id> directory', async (t) => {
  const parent = join(scratch, 'runs');
  const named = await makeRun(parent, 'unet-synthetic-s0-0123456789ab');
  const old = await makeRun(parent, 'fedcba987654');
  t.is(await locateRun(named), named);
  t.is(await locateRun(join(parent, '0123456789ab')), named);
  t.is(await locateRun(join(parent, 'other-words-0123456789ab')), named, 'a renamed prefix still finds the run');
  t.is(await locateRun('0123456789ab', parent), named);
  t.is(await locateRun(relative(process.cwd(), join(parent, '0123456789ab'))), named, 'relative paths too');
  t.is(await locateRun('fedcba987654', parent), old);
  t.is(await findRunById(parent, '000000000000'), undefined);
  t.is(await findRunById(join(scratch, 'absent'), '0123456789ab'), undefined);
});

test('a run that is not there, or ambiguous, is a one-line RunNotFoundError naming the fix', async (t) => {
  const parent = join(scratch, 'ambiguous');
  await makeRun(parent, 'unet-a-s0-aaaaaaaaaaaa');
  await makeRun(parent, 'unet-b-s0-aaaaaaaaaaaa');
  const several = await t.throwsAsync(locateRun('aaaaaaaaaaaa', parent), {instanceOf: RunNotFoundError});
  t.regex(several!.message, /several directories end in run id aaaaaaaaaaaa \(unet-a-s0-aaaaaaaaaaaa, unet-b-s0-aaaaaaaaaaaa, copies of one run\): pass one of them, or remove or rename all but one of them/);
  // train finds a run by id alone and takes no run directory: it is told to remove or rename one, not to pass one.
  const byId = await t.throwsAsync(findRunById(parent, 'aaaaaaaaaaaa'), {instanceOf: RunNotFoundError});
  t.regex(byId!.message, /several directories end in run id aaaaaaaaaaaa \(.*\): remove or rename all but one of them/);
  t.false(byId!.message.includes('pass one'));
  const missing = await t.throwsAsync(locateRun('bbbbbbbbbbbb', parent), {instanceOf: RunNotFoundError});
  t.regex(missing!.message, /^bbbbbbbbbbbb: no run bbbbbbbbbbbb in .*ambiguous .*--runs/);
  await mkdir(join(scratch, 'plain'), {recursive: true});
  const plain = await t.throwsAsync(locateRun(join(scratch, 'plain')), {instanceOf: RunNotFoundError});
  t.regex(plain!.message, /plain: not a run directory \(no config\.json\)/);
  for (const error of [several, missing, plain]) t.false(error!.message.includes('\n'));
});
