// Bad input: every kind gives a problem (or a one-line error) naming the file.
import test from 'ava';
import {mkdir, rm, symlink, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {resolveDataset} from '../../src/datasets/resolve.js';
import {verifyDataset} from '../../src/datasets/verify.js';
import {tempFolder, writeFolderDataset, writePng, writeRectMask} from './helpers.js';

async function withData(label: string, mutate: (root: string) => Promise<void>) {
  const dir = await tempFolder(label);
  const data = join(dir.path, 'data');
  await writeFolderDataset(data, 4);
  await mutate(data);
  const report = await verifyDataset(data, {dataRoot: join(dir.path, 'root')}).finally(() => dir.cleanup());
  return report;
}

test('a missing folder is a one-line error naming it', async (t) => {
  const error = await t.throwsAsync(resolveDataset('/nonexistent/mslk-data', {dataRoot: '/tmp'}));
  t.regex(error!.message, /^\/nonexistent\/mslk-data: no such dataset or folder/);
  t.false(error!.message.includes('\n'));
});

test('an empty folder is a one-line error naming it', async (t) => {
  const dir = await tempFolder('empty');
  try {
    const error = await t.throwsAsync(resolveDataset(dir.path, {dataRoot: dir.path}));
    t.regex(error!.message, /no image\/mask pairs found/);
    t.true(error!.message.startsWith(dir.path));
  } finally {
    await dir.cleanup();
  }
});

test('an unpaired mask, a non-image file and a symlink loop are each reported with their file', async (t) => {
  const report = await withData('bad-files', async (data) => {
    await writeRectMask(join(data, 'masks', 'orphan.png'), 24, 20, undefined);
    await writeFile(join(data, 'images', 'notes.txt'), 'not an image');
    await symlink('loop', join(data, 'images', 'loop'));
    await mkdir(join(data, 'masks', 'sub'));
    await symlink('..', join(data, 'masks', 'sub', 'up'));
  });
  const byFile = new Map(report.problems.map((p) => [p.file, p.problem]));
  t.regex(byFile.get('masks/orphan.png') ?? '', /mask has no matching image/);
  t.regex(byFile.get('images/notes.txt') ?? '', /not an image file/);
  t.regex(byFile.get('images/loop') ?? '', /symlink loop/);
  t.regex(byFile.get('masks/sub/up') ?? '', /symlink loop/);
});

test('a corrupt image, a size mismatch and a grey-level mask are each reported with their file', async (t) => {
  const report = await withData('bad-content', async (data) => {
    await writeFile(join(data, 'images', 'case1.png'), 'PNG? no.');
    await writeRectMask(join(data, 'masks', 'case2.png'), 12, 10, {x: 1, y: 1, w: 3, h: 3});
    const grey = Uint8Array.from({length: 24 * 20}, (_, i) => (i * 7) % 256);
    await writePng(join(data, 'masks', 'case3.png'), 24, 20, 1, grey);
  });
  const byFile = new Map(report.problems.map((p) => [p.file, p.problem]));
  t.is(report.problems.length, 3, JSON.stringify(report.problems));
  t.regex(byFile.get('images/case1.png') ?? '', /not a readable image/);
  t.regex(byFile.get('masks/case2.png') ?? '', /mask is 12x10 but its image is 24x20/);
  t.regex(byFile.get('masks/case3.png') ?? '', /mask is not binary/);
});

test('a file that is not an image but has an image extension is reported', async (t) => {
  const report = await withData('fake-ext', async (data) => {
    await rm(join(data, 'masks', 'case0.png'));
    await writeFile(join(data, 'masks', 'case0.png'), '%PDF-1.4 not an image');
  });
  t.deepEqual(report.problems.map((p) => p.file), ['masks/case0.png']);
  t.regex(report.problems[0]!.problem, /not a readable image: not an image/);
});
