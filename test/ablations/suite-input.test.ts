// Issue 23, suite and config input that used to give a silently wrong number or a raw error, through the CLI:
// each is refused with one line naming the file, the problem and the fix (exit 2), before anything is written or
// trained, or (a CR from a CRLF script, a BOM) read as meant.
import test from 'ava';
import {copyFile, mkdir, mkdtemp, readdir, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {loadSuite, type LoadedSuite} from '../../src/ablations/load-suite.js';
import {expandSuite, planSuite, writeSuiteManifest} from '../../src/ablations/plan.js';
import {runMslk, type CliResult} from '../helpers/cli.js';
import {writeFolderDataset} from '../datasets/helpers.js';

const dataRoot = await mkdtemp(join(tmpdir(), 'mslk-suite-input-data-'));

/** A valid suite to change one thing of (base files from mslk's configs/). */
const VALID = {
  name: 'tiny', extends: 'training/default.yaml', model: 'models/ms-lkseg.yaml', datasets: ['synthetic'], seeds: [0],
  variants: {'full': {}, 'w/o MIE': {'mie.enabled': false}}, set: {'data.size': 32, 'train.epochs': 1},
} as Record<string, unknown>;

async function suiteFile(content: Record<string, unknown> | Buffer | string, name = 'suite.yaml'): Promise<{dir: string; file: string; store: string}> {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-suite-input-'));
  const file = join(dir, name);
  await writeFile(file, Buffer.isBuffer(content) || typeof content === 'string' ? content : JSON.stringify(content));
  return {dir, file, store: join(dir, 'store')};
}

function dryRun(file: string, store: string): Promise<CliResult> {
  return runMslk(['ablate', file, '--dry-run', '--no-estimate', '--store', store], {MSLK_DATA_ROOT: dataRoot});
}

/** The command failed with exactly `message` as its one line, exit code 2, and printed nothing on stdout. */
function refused(t: import('ava').ExecutionContext, result: CliResult, message: string): void {
  t.is(result.code, 2, result.stderr);
  t.is(result.stdout, '');
  t.is(result.stderr.trim().split('\n').at(-1), `Error: ${message}`);
  t.notRegex(result.stderr.trim().split('\n').at(-1)!, /[\r\u200b]/, 'a raw control character in the message');
}

test('seeds: [0, 0] is refused, naming the repeated seed (it ran once and counted n 2/2)', async (t) => {
  const {file, store} = await suiteFile({...VALID, seeds: [0, 1, 0, 1, 2]});
  refused(t, await dryRun(file, store), `${file}: seeds: 0, 1 are listed twice: a seed is one run, listed twice it would be counted twice; remove the repeat`);
  const one = await suiteFile({...VALID, seeds: [0, 0]});
  refused(t, await dryRun(one.file, one.store), `${one.file}: seeds: 0 is listed twice: a seed is one run, listed twice it would be counted twice; remove the repeat`);
  t.is(await stat(store).catch(() => undefined), undefined, 'the store was created');
});

test('two variants whose overrides resolve to one model config are refused, naming both', async (t) => {
  const {file, store} = await suiteFile({...VALID, variants: {'full': {}, 'k21': {'ld.largeKernel': 21}}});
  refused(t, await dryRun(file, store), `${file}: variants: 'full' and 'k21' are the same model config (the same runs under two names): remove one`);
});

test('any two runs of a suite that resolve to one config are refused, naming both (the check behind the named ones)', async (t) => {
  const {file} = await suiteFile(VALID);
  const loaded = await loadSuite(file, {dataRoot});
  // Two models with one config under two names, past the suite's own check (as a future way to get there would be).
  const twins: LoadedSuite = {...loaded, models: [loaded.models[0]!, {...loaded.models[0]!, name: 'again'}]};
  t.throws(() => expandSuite(twins), {message: `${file}: variant 'full' on synthetic seed 0 and variant 'again' on synthetic seed 0 resolve to the same run config (one run, which results would count twice): make them differ or remove one`});
  t.is(expandSuite(loaded).length, 2);
});

test('a second suite file with the name of one in the store is refused by ablate and status, naming both files; the same file, edited or moved, is not', async (t) => {
  const first = await suiteFile(VALID, 'first.yaml');
  await writeSuiteManifest(await planSuite(first.file, {store: first.store, dataRoot}));
  const second = join(first.dir, 'second.yaml');
  await writeFile(second, JSON.stringify({...VALID, seeds: [1]}));
  const message = `${second}: name: 'tiny' is already the name of another suite in the store, ${first.file} (manifest ${join(first.store, 'suites', 'tiny.json')}): their runs and reports would be mixed up; give this suite its own name, or use another --store`;
  refused(t, await dryRun(second, first.store), message);
  refused(t, await runMslk(['ablate', 'status', second, '--no-estimate', '--store', first.store], {MSLK_DATA_ROOT: dataRoot}), message);
  // The first suite, its file edited (another seed), and an identical copy elsewhere are the same suite.
  await writeFile(first.file, JSON.stringify({...VALID, seeds: [0, 2]}));
  const edited = await dryRun(first.file, first.store);
  t.is(edited.code, 0, edited.stderr);
  const moved = join(first.dir, 'moved', 'first.yaml');
  await mkdir(join(first.dir, 'moved'));
  await writeSuiteManifest(await planSuite(first.file, {store: first.store, dataRoot}));
  await copyFile(first.file, moved);
  const copy = await dryRun(moved, first.store);
  t.is(copy.code, 0, copy.stderr);
  // Once the first file has another name, the name is free.
  await writeFile(first.file, JSON.stringify({...VALID, name: 'renamed'}));
  const freed = await dryRun(second, first.store);
  t.is(freed.code, 0, freed.stderr);
});

test('a suite name of 235 characters, or a variant name of 121, is refused when the suite is validated (it was a raw ENAMETOOLONG)', async (t) => {
  const long = await suiteFile({...VALID, name: 'a'.repeat(235)});
  refused(t, await dryRun(long.file, long.store), `${long.file}: name: is 235 characters long: use at most 100 (it names <store>/suites/<name>.json and the files beside it)`);
  const variant = await suiteFile({...VALID, variants: {full: {}, ['v'.repeat(121)]: {'mie.enabled': false}}});
  refused(t, await dryRun(variant.file, variant.store), `${variant.file}: variants: '${'v'.repeat(40)}...' is 121 characters long: use at most 120`);
  const hundred = await suiteFile({...VALID, name: 'a'.repeat(100)});
  const ok = await dryRun(hundred.file, hundred.store);
  t.is(ok.code, 0, ok.stderr);
});

test('k-fold on 5 images with eval.checkpoint best: refused before training, naming the fold and the fix (ablate and train)', async (t) => {
  const {dir, file, store} = await suiteFile({...VALID, datasets: ['five'], variants: {full: {}}, folds: 5, set: {'data.size': 32, 'train.epochs': 1, 'eval.checkpoint': 'best'}});
  await writeFolderDataset(join(dir, 'five'), 5, 32, 32);
  const problem = "fold 0 of the 5-fold split has no validation images (4 train, 0 validation, 1 test images), and eval.checkpoint 'best' is picked by validation Dice: set eval.checkpoint: last, or use fewer folds or a dataset with more images";
  refused(t, await dryRun(file, store), `${file}: variant 'full' on five: ${problem}`);
  t.is(await stat(store).catch(() => undefined), undefined, 'the store was created');
  // A single run, its --set values ending in CR as a CRLF script passes them.
  const out = join(dir, 'runs');
  const train = await runMslk(['train', 'configs/quickstart.yaml', '--dataset', join(dir, 'five'), '--out', out,
    '--set', 'data.split.method=kfold\r', '--set', 'data.split.fold=3\r', '--set', 'eval.checkpoint=best\r', '--set', 'data.size=32\r'], {MSLK_DATA_ROOT: dataRoot});
  refused(t, train, `${join(dir, 'five')}: ${problem.replace('fold 0', 'fold 3')}`);
  t.is(await stat(out).catch(() => undefined), undefined, 'the run folder was created');
});

test('a suite dataset that is a file: said so, exit 2 (it was "put the dataset at /etc/passwd", exit 1)', async (t) => {
  const {dir, file, store} = await suiteFile({...VALID, datasets: ['notes.txt']});
  await writeFile(join(dir, 'notes.txt'), 'root:x:0:0\n');
  refused(t, await dryRun(file, store), `${file}: datasets[0]: 'notes.txt' is a file (${join(dir, 'notes.txt')}), not a dataset folder: name a folder of images and masks (relative to the suite file) or a dataset name (\`mslk datasets list\`)`);
  const passwd = await suiteFile({...VALID, datasets: ['/etc/passwd']});
  refused(t, await dryRun(passwd.file, passwd.store), `${passwd.file}: datasets[0]: '/etc/passwd' is a file (/etc/passwd), not a dataset folder: name a folder of images and masks (relative to the suite file) or a dataset name (\`mslk datasets list\`)`);
});

test('a byte that is not UTF-8 in a variant name is refused, naming the file, line and offset (it was shown as caf\\ufffd)', async (t) => {
  const text = `name: tiny\nextends: training/default.yaml\nmodel: models/ms-lkseg.yaml\ndatasets: [synthetic]\nvariants:\n  full: {}\n  caf`;
  const {file, store} = await suiteFile(Buffer.concat([Buffer.from(text), Buffer.from([0xe9]), Buffer.from(': {mie.enabled: false}\n')]));
  refused(t, await dryRun(file, store), `${file}: file: not valid UTF-8: byte 0xE9 at line 7, column 6 (byte offset ${text.length}): save the file as UTF-8`);
  // The same name in UTF-8 is a name like any other.
  const utf8 = await suiteFile(`${text}é: {mie.enabled: false}\nset: {data.size: 32}\n`);
  const ok = await dryRun(utf8.file, utf8.store);
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /^café /m);
});

test('a suite file with a BOM is read; a zero-width character in one of its keys is refused, shown escaped', async (t) => {
  const bom = await suiteFile(`\uFEFF${JSON.stringify(VALID)}`);
  const read = await dryRun(bom.file, bom.store);
  t.is(read.code, 0, read.stderr);
  const zw = await suiteFile({...VALID, set: {'data.size': 32, 'train\u200b.epochs': 1}});
  refused(t, await dryRun(zw.file, zw.store), `${zw.file}: file: the key 'set.train\\u200b.epochs' holds an invisible character (U+200B): retype the key`);
  const variant = await suiteFile({...VALID, variants: {'full\u200b': {}}});
  refused(t, await dryRun(variant.file, variant.store), `${variant.file}: file: the key 'variants.full\\u200b' holds an invisible character (U+200B): retype the key`);
});

test('--set values from a CRLF script: the CR is dropped (train.epochs=2\\r was "Expected number, received string")', async (t) => {
  const shown = await runMslk(['config', 'show', 'configs/quickstart.yaml', '--json', '--set', 'train.epochs=2\r', '--set', 'eval.checkpoint=best\r', '--set', 'data.dataset=x\r']);
  t.is(shown.code, 0, shown.stderr);
  const config = JSON.parse(shown.stdout) as {train: {epochs: number}; eval: {checkpoint: string}; data: {dataset: string}};
  t.deepEqual([config.train.epochs, config.eval.checkpoint, config.data.dataset], [2, 'best', 'x']);
  const dataset = await runMslk(['config', 'show', 'configs/quickstart.yaml', '--json', '--dataset', 'y\r\n']);
  t.is(dataset.code, 0, dataset.stderr);
  t.is((JSON.parse(dataset.stdout) as {data: {dataset: string}}).data.dataset, 'y');
  // A CR inside a value is kept, and the message shows it escaped.
  const inside = await runMslk(['config', 'show', 'configs/quickstart.yaml', '--set', 'eval.checkpoint=be\rst']);
  refused(t, inside, "eval.checkpoint: Invalid enum value. Expected 'last' | 'best', received 'be\\rst'");
  const key = await runMslk(['train', 'configs/quickstart.yaml', '--set', 'train\u200b.epochs=2', '--out', join(tmpdir(), 'mslk-never-written')]);
  refused(t, key, "--set train\\u200b.epochs=2: the key 'train\\u200b' holds an invisible character (U+200B): retype the key");
  t.deepEqual((await readdir(tmpdir())).filter((f) => f === 'mslk-never-written'), []);
});
