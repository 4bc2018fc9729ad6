// The evaluation summary format (version 2) and the reader of format 1, on hand-written run directories.
import test from 'ava';
import {mkdir, mkdtemp, readFile, readdir, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {maskMetrics, type NamedPerImageMetrics} from '../../src/evaluation/index.js';
import {
  EvaluationFormatError, EvaluationNotFoundError, metricsIndex, readRunEvaluation, writeEvaluation,
} from '../../src/runs/evaluation-summary.js';
import {RunDir} from '../../src/runs/run-dir.js';
import {activateBackend} from '../../src/engine/backends.js';

let scratch = '';
test.before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mslk-summary-'));
});
test.after.always(async () => {
  await rm(scratch, {recursive: true, force: true});
});

async function runDir(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(scratch, name);
  await mkdir(dir, {recursive: true});
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  return dir;
}

// Two 2x2 images: a perfect prediction, and one half right (Dice 2/3).
const shape = {height: 2, width: 2};
const ROWS: NamedPerImageMetrics[] = [
  {name: 'a', metrics: maskMetrics(Uint8Array.of(1, 0, 0, 0), Uint8Array.of(1, 0, 0, 0), shape)},
  {name: 'b', metrics: maskMetrics(Uint8Array.of(1, 1, 0, 0), Uint8Array.of(1, 0, 0, 0), shape)},
];

test('writeEvaluation writes eval/<split>-<checkpoint>.json and .csv, and readRunEvaluation reads it back', async (t) => {
  const dir = await runDir('new', {});
  await activateBackend('cpu');
  const written = await writeEvaluation(new RunDir(dir), {runId: '0123456789ab', split: 'validation', checkpoint: 'best', epoch: 3, threshold: 0.5, rows: ROWS});
  t.deepEqual(await readdir(join(dir, 'eval')), ['validation-best.csv', 'validation-best.json']);
  t.is(written.files.summary, join(dir, 'eval/validation-best.json'));
  const summary = await readRunEvaluation(dir, 'validation', 'best');
  t.deepEqual(summary, written.summary);
  t.like(summary, {formatVersion: 2, runId: '0123456789ab', split: 'validation', checkpoint: 'best', epoch: 3, threshold: 0.5,
    resolution: 'original', images: 2, perImageCsv: 'eval/validation-best.csv'});
  t.true(Math.abs(summary.dice! - (1 + 2 / 3) / 2) < 1e-12);
  t.is(summary.metrics.perImageMean.dice.n, 2);
  // Which backend computed the predictions: `mslk eval` may run on another than training did.
  t.is(summary.computedOn?.backend, 'cpu');
  t.is(summary.computedOn?.gpuAdapter, undefined);
  const csv = (await readFile(join(dir, 'eval/validation-best.csv'), 'utf8')).trim().split('\n');
  t.deepEqual(csv.map((line) => line.split(',')[0]), ['name', 'a', 'b']);
  t.deepEqual(metricsIndex('0123456789ab', [summary]), {formatVersion: 2, runId: '0123456789ab', headline: null,
    evaluations: [{split: 'validation', checkpoint: 'best', summary: 'eval/validation-best.json', perImageCsv: 'eval/validation-best.csv'}]});
});

// The files of format 1, as mslk 0.1.0 wrote them (abridged to what the reader uses, plus the duplicate `test`).
const aggregate = (dice: number, images: number): object => ({
  images,
  perImageMean: {dice: {mean: dice, std: 0.1, n: images}, iou: {mean: dice / (2 - dice), std: 0.1, n: images}},
  hd95NonEmptyPairs: {mean: 4, std: 1, n: images}, hd95PooledMedpyNonEmptyPairs: {mean: 3, std: 1, n: images},
  pooled: {dice: 0.8, iou: 0.67, tp: 10, fp: 2, fn: 3, tn: 100}, emptyMasks: {gtEmpty: 0, predEmpty: 0, bothEmpty: 0},
});
const FORMAT_1 = {
  'manifest.json': JSON.stringify({runId: 'abcdefabcdef', mslk: '0.1.0'}),
  'config.json': JSON.stringify({eval: {threshold: 0.4}}),
  'metrics.json': JSON.stringify({
    checkpoint: 'last', epoch: 2, threshold: 0.4, resolution: 'original',
    splits: {validation: {dice: 0.7, iou: 0.7 / 1.3, ...aggregate(0.7, 3)}, test: {dice: 0.75, iou: 0.75 / 1.25, ...aggregate(0.75, 4)}},
    test: {dice: 0.75, iou: 0.75 / 1.25, ...aggregate(0.75, 4)},
  }),
  'per-image.csv': 'name,dice\na,1\n',
  'eval-test-best.json': JSON.stringify({runDir: '/somewhere/abcdefabcdef', split: 'test', checkpoint: 'best', epoch: 1, images: 4,
    dice: 0.6, iou: 0.6 / 1.4, metrics: aggregate(0.6, 4), files: {metrics: 'x', perImage: 'y'}}),
  'per-image-test-best.csv': 'name,dice\na,1\n',
};

test('a format-1 run directory reads as summaries: metrics.json splits, per-image.csv, eval-*.json', async (t) => {
  const dir = await runDir('abcdefabcdef', FORMAT_1);
  const test1 = await readRunEvaluation(dir, 'test', 'last');
  t.like(test1, {formatVersion: 2, runId: 'abcdefabcdef', split: 'test', checkpoint: 'last', epoch: 2, threshold: 0.4, images: 4,
    dice: 0.75, perImageCsv: 'per-image.csv'});
  t.false('dice' in test1.metrics, 'the headline shortcuts are not part of the aggregate');
  t.is(test1.metrics.pooled.tp, 10);
  const validation = await readRunEvaluation(dir, 'validation', 'last');
  t.like(validation, {images: 3, dice: 0.7, perImageCsv: null});
  const best = await readRunEvaluation(dir, 'test', 'best');
  t.like(best, {checkpoint: 'best', epoch: 1, threshold: 0.4, dice: 0.6, perImageCsv: 'per-image-test-best.csv'});
  await t.throwsAsync(readRunEvaluation(dir, 'validation', 'best'), {instanceOf: EvaluationNotFoundError,
    message: /no evaluation of the validation split at the 'best' checkpoint: run `mslk eval .* --split validation --checkpoint best`$/});
});

test('files of an unknown format version fail with one line naming the version', async (t) => {
  const future = await runDir('future', {'metrics.json': JSON.stringify({formatVersion: 3, runId: 'x'})});
  const error = await t.throwsAsync(readRunEvaluation(future, 'test', 'last'), {instanceOf: EvaluationFormatError});
  t.regex(error!.message, /metrics\.json: evaluation format version 3; mslk \S+ reads versions 1 and 2: /);
  t.false(error!.message.includes('\n'));
  const summary = await runDir('future-summary', {});
  await mkdir(join(summary, 'eval'));
  await writeFile(join(summary, 'eval/test-last.json'), JSON.stringify({formatVersion: '7'}));
  await t.throwsAsync(readRunEvaluation(summary, 'test', 'last'), {instanceOf: EvaluationFormatError, message: /test-last\.json: evaluation format version "7"/});
  await writeFile(join(summary, 'eval/test-last.json'), '{"formatVersion": 2,');
  await t.throwsAsync(readRunEvaluation(summary, 'test', 'last'), {instanceOf: EvaluationFormatError, message: /test-last\.json: not valid JSON/});
  const none = await runDir('none', {});
  await t.throwsAsync(readRunEvaluation(none, 'test', 'last'), {instanceOf: EvaluationNotFoundError});
});
