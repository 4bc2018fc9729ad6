// writeReport: the CSVs and tables from the model, byte-identical when written twice, atomically, and nothing else in
// the folder touched.
import test from 'ava';
import {mkdir, readFile, readdir, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {collectReport} from '../../src/reports/collect.js';
import {writeReport} from '../../src/reports/write-report.js';
import {id, images, makeRunStore} from './fixtures/run-store.js';

async function filesOf(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, {recursive: true, withFileTypes: true})) {
    if (entry.isFile()) out.set(join(entry.parentPath, entry.name).slice(dir.length + 1), await readFile(join(entry.parentPath, entry.name), 'utf8'));
  }
  return out;
}

test('the same runs give byte-identical files; other files in the folder stay; no temporary file is left', async (t) => {
  const {store} = await makeRunStore([
    {runId: id(1), variant: 'full', seed: 0, state: 'done', images: images(0.8, 0.6)},
    {runId: id(2), variant: 'full', seed: 1, state: 'partial', epochsDone: 1},
    {runId: id(3), variant: 'ld.largeKernel=13', seed: 0, state: 'done', images: images(0.7, 0.6)},
    {runId: id(4), variant: 'U-Net', kind: 'baseline', seed: 0, state: 'done', images: images(0.5, 0.4)},
  ], {name: 'twice', reference: 'full'});
  const out = join(store, '..', 'report');
  await mkdir(join(out, 'charts'), {recursive: true});
  await writeFile(join(out, 'charts', 'mine.svg'), '<svg/>');
  await writeFile(join(out, 'notes.txt'), 'keep me');
  const written = await writeReport(await collectReport('twice', {store, costs: false}), out);
  t.deepEqual(written, ['results.csv', 'summary.csv', 'per-image.csv', 'tables/ablation.md', 'tables/ablation.tex', 'tables/baselines.md',
    'tables/baselines.tex', 'tables/kernel-sweep.md', 'tables/kernel-sweep.tex', 'tables/macros.tex',
    ...['ablation', 'kernel-sweep', 'per-image-dice', 'training-curves'].flatMap((c) => [`charts/${c}.vl.json`, `charts/${c}.svg`]), 'index.html']);
  const first = await filesOf(out);
  await writeReport(await collectReport('twice', {store, costs: false}), out);
  const second = await filesOf(out);
  t.deepEqual([...second.keys()].sort(), [...first.keys()].sort());
  for (const [path, content] of first) t.is(second.get(path), content, path);
  t.is(second.get('notes.txt'), 'keep me');
  t.is(second.get('charts/mine.svg'), '<svg/>');
  t.false([...second.keys()].some((p) => p.includes('.tmp-')));
  t.regex(second.get('tables/ablation.md')!, /Missing for full on synthetic: seed 1: partial at epoch 1\/4\./);
});
