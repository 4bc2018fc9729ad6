// checksums.json: what it records, and that any change to a recorded file is found (fast-check over files and edits).
import test from 'ava';
import fc from 'fast-check';
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describeProblems, isRecomputable, readChecksums, recordChecksums, repairLine, runNumberFiles, unrecoverableReason, verifyRunFiles} from '../../src/runs/checksums.js';

let scratch = '';
test.before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mslk-checksums-'));
});
test.after.always(async () => {
  await rm(scratch, {recursive: true, force: true});
});

async function runWith(name: string, files: Record<string, Uint8Array | string>): Promise<string> {
  const dir = join(scratch, name);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(join(dir, file, '..'), {recursive: true});
    await writeFile(join(dir, file), content);
  }
  return dir;
}

test('runNumberFiles lists config, split, manifest, log, metrics and everything under eval/ and checkpoints/ but temp files', async (t) => {
  const dir = await runWith('listing', {'config.json': '{}', 'eval/test-last.csv': 'a', 'eval/external/colon-last.json': '{}',
    'checkpoints/last.ckpt': 'x', 'checkpoints/.last.ckpt.tmp-1-abc': 'y', 'status': 'done\n', 'test-sets.json': '{}'});
  t.deepEqual(await runNumberFiles(dir), ['checkpoints/last.ckpt', 'config.json', 'eval/external/colon-last.json', 'eval/test-last.csv',
    'log.jsonl', 'manifest.json', 'metrics.json', 'split.json']);
});

test('recomputable: evaluation files and metrics.json only', (t) => {
  t.true(isRecomputable('eval/test-last.csv'));
  t.true(isRecomputable('eval/external/colon-best.json'));
  t.true(isRecomputable('metrics.json'));
  for (const file of ['config.json', 'split.json', 'manifest.json', 'log.jsonl', 'checkpoints/best.ckpt']) t.false(isRecomputable(file));
});

test('property: any change to any byte of a recorded file, or its removal, is found; untouched files verify', async (t) => {
  let n = 0;
  await fc.assert(fc.asyncProperty(
    fc.uint8Array({minLength: 1, maxLength: 64}), fc.uint8Array({minLength: 1, maxLength: 64}), fc.nat(), fc.integer({min: 1, max: 255}), fc.boolean(),
    async (config, csv, at, flip, remove) => {
      const dir = await runWith(`p${n++}`, {'config.json': config, 'eval/test-last.csv': csv});
      await recordChecksums(dir, ['config.json', 'eval/test-last.csv']);
      t.deepEqual((await verifyRunFiles(dir, {checkpoints: true})).problems, []);
      const damaged = Buffer.from(csv);
      damaged[at % damaged.length] = damaged[at % damaged.length]! ^ flip;
      if (remove) await rm(join(dir, 'eval/test-last.csv'));
      else await writeFile(join(dir, 'eval/test-last.csv'), damaged);
      const v = await verifyRunFiles(dir, {checkpoints: true});
      t.deepEqual(v.problems, [{file: 'eval/test-last.csv', problem: remove ? 'missing' : 'changed', recomputable: true}]);
      t.is(v.checked, 2);
    }), {numRuns: 40});
});

test('checkpoints are compared only when asked; a run without checksums.json is unrecorded, not damaged', async (t) => {
  const dir = await runWith('ckpt', {'checkpoints/last.ckpt': 'weights', 'config.json': '{}'});
  t.deepEqual(await verifyRunFiles(dir, {checkpoints: true}), {recorded: false, checked: 0, problems: []});
  await recordChecksums(dir, ['checkpoints/last.ckpt', 'config.json']);
  await writeFile(join(dir, 'checkpoints/last.ckpt'), 'Weights');
  t.is((await verifyRunFiles(dir, {checkpoints: false})).problems.length, 0);
  t.is((await verifyRunFiles(dir, {checkpoints: true})).problems.length, 1);
});

test('recording a file that is gone drops its entry; concurrent records all land', async (t) => {
  const dir = await runWith('concurrent', {'a.json': '1', 'eval/b.csv': '2', 'eval/c.csv': '3'});
  await Promise.all([recordChecksums(dir, ['a.json']), recordChecksums(dir, ['eval/b.csv']), recordChecksums(dir, ['eval/c.csv'])]);
  t.deepEqual(Object.keys((await readChecksums(dir))!.files), ['a.json', 'eval/b.csv', 'eval/c.csv']);
  await rm(join(dir, 'a.json'));
  await recordChecksums(dir, ['a.json']);
  t.deepEqual(Object.keys((await readChecksums(dir))!.files), ['eval/b.csv', 'eval/c.csv']);
});

test('a damaged checksums.json is one line naming it and both fixes', async (t) => {
  const dir = await runWith('bad-record', {'checksums.json': '{"formatVersion": 1, "alg'});
  const v = await verifyRunFiles(dir, {checkpoints: false});
  t.is(v.damagedRecord, `${join(dir, 'checksums.json')}: not valid JSON (cut short or edited): the run's files cannot be verified; delete ${dir} and train the run again, or delete ${join(dir, 'checksums.json')} to take its files as they are`);
  t.is(unrecoverableReason(dir, v), v.damagedRecord);
  await writeFile(join(dir, 'checksums.json'), JSON.stringify({formatVersion: 2, algorithm: 'md5', files: {}}));
  t.regex((await verifyRunFiles(dir, {checkpoints: false})).damagedRecord!, /not a checksums file of this mslk \(format 2\)/);
});

test('messages: what changed and what is missing, the unrecoverable ones with both fixes, the recomputable ones with ablate', (t) => {
  const v = {recorded: true, checked: 4, problems: [
    {file: 'config.json', problem: 'changed' as const, recomputable: false},
    {file: 'log.jsonl', problem: 'missing' as const, recomputable: false},
    {file: 'eval/test-last.csv', problem: 'changed' as const, recomputable: true},
    {file: 'metrics.json', problem: 'changed' as const, recomputable: true},
  ]};
  t.is(unrecoverableReason('/r', v), 'config.json changed since it was written (sha256 differs from checksums.json); log.jsonl is missing in /r: put the original files back, or delete /r and run `mslk ablate` again to train the run anew');
  t.is(repairLine('/r', v), 'eval/test-last.csv and metrics.json changed since they were written (sha256 differs from checksums.json) in /r: `mslk ablate` evaluates the checkpoint again to rewrite them');
  t.is(describeProblems([]), '');
  t.is(unrecoverableReason('/r', {recorded: true, checked: 1, problems: []}), undefined);
});

test('checksums.json is sorted JSON with the algorithm named', async (t) => {
  const dir = await runWith('format', {'z.json': 'z', 'a.json': 'a'});
  await recordChecksums(dir, ['z.json', 'a.json']);
  const text = await readFile(join(dir, 'checksums.json'), 'utf8');
  t.regex(text, /^\{\n {2}"formatVersion": 1,\n {2}"algorithm": "sha256",\n {2}"files": \{\n {4}"a\.json": "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",\n {4}"z\.json": "594e519ae499312b29433b7dd8a97ff068defcba9755b6d5d00e84c524d67b06"\n {2}\}\n\}\n$/);
});
