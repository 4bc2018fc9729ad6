// `mslk report` and `mslk compare` through the CLI: on a store built by hand (failed and partial runs shown with their
// reasons, one-line errors), and once end to end on a tiny suite trained by `mslk ablate` (1 epoch, 32 px U-Nets),
// rendered twice to byte-identical files (latency included: measured by `mslk ablate status`, only read by reports).
import test from 'ava';
import {mkdtemp, readFile, readdir, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {parseCsv} from '../../src/datasets/csv.js';
import {runMslk} from '../helpers/cli.js';
import {id, images, makeRunStore} from '../reports/fixtures/run-store.js';

async function filesOf(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const entry of await readdir(dir, {recursive: true, withFileTypes: true})) {
    if (entry.isFile()) out.set(join(entry.parentPath, entry.name).slice(dir.length + 1), await readFile(join(entry.parentPath, entry.name)));
  }
  return out;
}

test('report on a hand-built store: the headline, failed and partial runs with their reasons, the files written', async (t) => {
  const {store, dirs} = await makeRunStore([
    {runId: id(1), variant: 'full', seed: 0, state: 'done', images: images(0.8, 0.7)},
    {runId: id(2), variant: 'full', seed: 1, state: 'failed', reason: 'loss is NaN at epoch 2, step 3'},
    {runId: id(3), variant: 'w/o MIE', seed: 0, state: 'done', images: images(0.6, 0.7)},
    {runId: id(4), variant: 'w/o MIE', seed: 1, state: 'partial', epochsDone: 2},
  ], {name: 'cli', reference: 'full'});
  const out = join(store, '..', 'out');
  const result = await runMslk(['report', 'cli', '--store', store, '--out', out, '--no-costs']);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /synthetic\s+test\s+full \(reference\)\s+0\.7500\s+1\/2/);
  t.regex(result.stdout, /Missing runs \(not in the means\):\n {2}full on synthetic: seed 1: failed: loss is NaN at epoch 2, step 3\n {2}w\/o MIE on synthetic: seed 1: partial at epoch 2\/4/);
  t.regex(result.stdout, /Wrote \d+ files to .*out; open .*out\/index\.html/);
  for (const file of ['results.csv', 'summary.csv', 'per-image.csv', 'tables/ablation.md', 'tables/ablation.tex', 'tables/macros.tex', 'index.html']) {
    t.truthy(await readFile(join(out, file), 'utf8'), file);
  }
  // Hand-built runs have no checkpoint: the gallery leaves them out and says so; the report is still written.
  t.regex(result.stderr, /gallery: full on synthetic left out: .*checkpoint/);
  t.regex(await readFile(join(out, 'results.csv'), 'utf8'), /,failed,.*failed: loss is NaN at epoch 2, step 3/);

  const compare = await runMslk(['compare', dirs[0]!, dirs[2]!]);
  t.is(compare.code, 0, compare.stderr);
  t.regex(compare.stdout, /Paired over 2 test images: mean Dice difference \(B - A\) -0\.1000/);
  // One non-zero difference: the exact Wilcoxon p is 1; the bootstrap CI spans the two observed differences.
  t.regex(compare.stdout, /95% paired bootstrap CI \[-0\.2000, \+?0\.0000\]; two-sided Wilcoxon signed-rank p = 1\.0000 \(exact\)/);

  const missing = await runMslk(['report', 'nosuch', '--store', store, '--no-costs']);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /^Error: suite 'nosuch' has no manifest in .*: run `mslk ablate .*` first.*\n$/);
});

test('end to end: ablate a tiny suite (1 epoch), report it twice: byte-identical files, params counted, latency from the store', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-report-e2e-'));
  t.teardown(() => rm(dir, {recursive: true, force: true}));
  const file = join(dir, 'tiny.yaml');
  await writeFile(file, JSON.stringify({name: 'tiny', extends: 'training/default.yaml', model: 'models/unet.yaml', datasets: ['synthetic'], seeds: [0],
    variants: {small: {baseWidth: 4}, 'w/o x_%': {baseWidth: 2}}, reference: 'small', set: {'data.size': 32, 'train.epochs': 1, 'train.batchSize': 8}}));
  const store = join(dir, 'store');
  const env = {MSLK_DATA_ROOT: join(dir, 'data')};
  const ablate = await runMslk(['ablate', file, '--jobs', '2', '--store', store, '--backend', 'wasm', '--no-estimate'], env);
  t.is(ablate.code, 0, ablate.stderr);
  // --no-estimate measured no latency: the report shows none, says why, and draws no latency chart.
  const unmeasured = join(dir, 'report-without-latency');
  const without = await runMslk(['report', file, '--store', store, '--out', unmeasured, '--backend', 'wasm'], env);
  t.is(without.code, 0, without.stderr);
  const withoutRows = parseCsv(await readFile(join(unmeasured, 'summary.csv'), 'utf8'));
  t.deepEqual(withoutRows.map((r) => r['latency_ms']), ['', '']);
  t.true(withoutRows.every((r) => r['reason']!.includes('latency: not measured on wasm (run `mslk ablate status <suite>`')));
  t.false((await filesOf(unmeasured)).has('charts/dice-vs-latency.svg'));
  t.regex(without.stdout, /small \(reference\)\s+0\.\d{4}\s+1\/1\s+\S+\s+0\.\d{3}\s+-\n/);
  t.regex(without.stdout, /\nlatency: not measured on wasm \(run `mslk ablate status <suite>`/);
  // `ablate status` (estimate on) measures each model's latency into the store's calibration cache.
  const status = await runMslk(['ablate', 'status', file, '--store', store, '--backend', 'wasm'], env);
  t.is(status.code, 0, status.stderr);
  t.is((status.stderr.match(/measuring the inference latency of unet at 32 px/g) ?? []).length, 2, status.stderr);
  const out = join(dir, 'report');
  const first = await runMslk(['report', file, '--store', store, '--out', out, '--backend', 'wasm'], env);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /synthetic\s+test\s+small \(reference\)\s+0\.\d{4}\s+1\/1\s+\d+(\.\d)?k\s+0\.\d{3}\s+\d+\.\d{2}\n/);
  t.regex(first.stdout, /latency: median ms of one batch-1 inference on wasm, measured by `mslk ablate`/);
  const before = await filesOf(out);
  t.true(before.has('tables/ablation.tex') && before.has('per-image.csv'));
  t.true((await readFile(join(out, 'tables', 'ablation.tex'), 'utf8')).includes('w/o x\\_\\%'));
  // The gallery is predicted again from the real checkpoints: image, ground truth and both variants per picked image.
  const page = await readFile(join(out, 'index.html'), 'utf8');
  const pictures = (page.match(/<img src="data:image\/png;base64,/g) ?? []).length;
  t.true(pictures >= 4 && pictures % 4 === 0, `${pictures} gallery pictures`);
  t.true(before.has('charts/per-image-dice.svg'));
  t.true(before.has('charts/dice-vs-latency.svg'));
  const rows = parseCsv(before.get('summary.csv')!.toString('utf8'));
  t.true(rows.every((r) => /^\d+\.\d{2}$/.test(r['latency_ms']!) && !r['reason']!.includes('latency')), JSON.stringify(rows));
  t.true(page.includes('id="latency-note"'));
  const second = await runMslk(['report', file, '--store', store, '--out', out, '--backend', 'wasm', '--json'], env);
  t.is(second.code, 0, second.stderr);
  t.is((JSON.parse(second.stdout) as {summary: unknown[]}).summary.length, 2);
  const after = await filesOf(out);
  t.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
  for (const [path, bytes] of before) t.true(after.get(path)!.equals(bytes), `${path} changed between two reports of the same runs`);
});
