// Literature rows: the shipped file parses (each row with citation and protocol), a bad file is one line naming the
// file and the key, and rows are matched to the report's datasets.
import test from 'ava';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {literatureFor, readLiterature, readLiteratureFile} from '../../src/reports/literature.js';

test('the shipped literature: the FCBFormer paper\'s Kvasir-SEG numbers and the BUSI benchmark, with citations and protocols', async (t) => {
  const rows = await readLiterature();
  t.true(rows.length >= 9);
  t.true(rows.every((r) => r.citation.length > 10 && r.protocol.length > 10));
  t.like(rows.find((r) => r.model === 'U-Net' && r.dataset === 'kvasir-seg'), {dice: 0.7821, iou: null});
  t.like(rows.find((r) => r.model === 'CMUNeXt' && r.dataset === 'busi'), {dice: 0.7986, iou: 0.7156});
});

test('a bad literature file: one line naming the file and the key', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-lit-'));
  t.teardown(() => rm(dir, {recursive: true, force: true}));
  const file = join(dir, 'bad.yaml');
  await writeFile(file, 'rows:\n  - {model: X, dataset: busi, dice: 78.2, citation: c, protocol: p}\n');
  const error = await t.throwsAsync(readLiteratureFile(file));
  t.regex(error!.message, /bad\.yaml: rows\[0\]\.dice: Number must be less than or equal to 1/);
  await writeFile(file, 'rows:\n  - {model: X, dataset: busi, dice: 0.7, citaton: c, protocol: p}\n');
  const unknown = await t.throwsAsync(readLiteratureFile(file));
  t.regex(unknown!.message, /unknown key 'rows\[0\]\.citaton': did you mean 'rows\[0\]\.citation'\?/);
  t.notRegex(unknown!.message, /\n/);
  await writeFile(file, 'rows:\n  - {model: X, dataset: busi, citation: c, protocol: p}\n');
  t.regex((await t.throwsAsync(readLiteratureFile(file)))!.message, /give dice or iou/);
});

test('rows match a dataset by its registry name or a folder derived from it', (t) => {
  const row = {model: 'U-Net', dataset: 'kvasir-seg', dice: 0.78, iou: null, citation: 'c', protocol: 'p'};
  t.is(literatureFor([row], ['kvasir-seg-352']).length, 1);
  t.is(literatureFor([row], ['Kvasir-SEG']).length, 1);
  t.is(literatureFor([row], ['kvasir']).length, 0);
  t.is(literatureFor([row], ['busi']).length, 0);
});
