// Every kind of invalid suite through the CLI (`mslk ablate <file> --dry-run`): one line naming the file, the key
// and the fix, exit code 2, and the store folder never created.
import test from 'ava';
import {runMslk, type CliResult} from '../helpers/cli.js';
import {mkdtemp, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';


function mslk(args: string[], env: Record<string, string>): Promise<CliResult> {
  return runMslk(args, env);
}

// A valid suite to start from (base files found in mslk's configs/); each case changes one thing.
const VALID = {
  name: 'tiny', extends: 'training/default.yaml', model: 'models/ms-lkseg.yaml', datasets: ['synthetic'], seeds: [0],
  variants: {'full': {}, 'w/o MIE': {'mie.enabled': false}}, set: {'data.size': 64, 'train.epochs': 1},
} as Record<string, unknown>;

const CASES: Array<{name: string; suite: Record<string, unknown>; error: RegExp}> = [
  {name: 'two bases that set one key', suite: {...VALID, extends: ['datasets/kvasir-seg.yaml', 'datasets/synthetic.yaml', 'training/default.yaml']},
    error: /: extends: 'data.dataset' is set by both configs\/datasets\/kvasir-seg.yaml and configs\/datasets\/synthetic.yaml/},
  {name: 'unknown key, with the nearest', suite: {...VALID, seed: [0]}, error: /: unknown key 'seed': did you mean 'seeds'\?/},
  {name: 'variant path the model config does not have', suite: {...VALID, variants: {'w/o MIE': {'mie.enabld': false}}},
    error: /: variants\['w\/o MIE'\]: unknown key 'mie.enabld': did you mean 'mie.enabled'\?/},
  {name: 'value of the wrong type', suite: {...VALID, seeds: 'zero'}, error: /: seeds: Expected array, received string/},
  {name: 'variant value of the wrong type', suite: {...VALID, variants: {full: {'mie.enabled': 'no'}}}, error: /: variants\['full'\]: mie.enabled: Expected boolean/},
  {name: 'empty grid', suite: {...VALID, grid: {}}, error: /: grid: is empty: list at least one model key/},
  {name: 'grid axis without values', suite: {...VALID, grid: {'ld.largeKernel': []}}, error: /: grid.ld.largeKernel: lists no values/},
  {name: 'zip axes of different lengths', suite: {...VALID, zip: {'ld.largeKernel': [7, 13], 'ld.smallKernel': [3]}}, error: /: zip: its axes have different lengths/},
  {name: 'grid point named like a variant', suite: {...VALID, variants: {'ld.largeKernel=13': {'ld.largeKernel': 13}}, grid: {'ld.largeKernel': [13]}},
    error: /: variants: 'ld.largeKernel=13' is named twice/},
  {name: 'two variants with one model config', suite: {...VALID, variants: {full: {}, 'k21': {'ld.largeKernel': 21}}},
    error: /: variants: 'full' and 'k21' are the same model config/},
  {name: 'dataset neither known nor a folder', suite: {...VALID, datasets: ['kvasir']}, error: /: datasets\[0\]: 'kvasir' is neither a dataset name nor a folder: did you mean 'kvasir-seg'\?/},
  {name: 'baseline that is not a model', suite: {...VALID, baselines: ['unett']}, error: /: baselines\[0\]: 'unett' is not a model: did you mean 'unet'\?/},
  {name: 'an extra test set that is the training dataset', suite: {...VALID, evaluate: {synthetic: ['synthetic']}},
    error: /: evaluate.synthetic\[0\]: 'synthetic' is the dataset the runs train on: its own test split is always evaluated/},
  {name: 'two extra test sets with one file stem', suite: {...VALID, evaluate: {synthetic: ['x/cvc', 'y/cvc']}},
    error: /: evaluate.synthetic\[1\]: 'y\/cvc' and 'x\/cvc' would share the result files eval\/external\/cvc-\*/},
  {name: 'an extra test set neither known nor a folder', suite: {...VALID, evaluate: {synthetic: ['cvc-clinic']}},
    error: /: evaluate.synthetic\[0\]: 'cvc-clinic' is neither a dataset name nor a folder: did you mean 'cvc-clinicdb'\?/},
  {name: 'reference naming no variant', suite: {...VALID, reference: 'fulll'}, error: /: reference: 'fulll' names no variant or baseline: did you mean 'full'\?/},
  {name: 'overrides of a dataset the suite does not have', suite: {...VALID, overrides: {busi: {'data.size': 128}}}, error: /: overrides.busi: 'busi' is not one of the suite's datasets/},
  {name: 'model key in set', suite: {...VALID, set: {'model.baseWidth': 8}}, error: /: set.model.baseWidth: model keys belong in variants/},
  {name: 'invalid model config of one variant', suite: {...VALID, variants: {full: {}, even: {'ld.largeKernel': 4}}}, error: /: variants\['even'\]: ld.largeKernel/},
  {name: 'an unknown executor', suite: {...VALID, executor: {slrum: {}}}, error: /: unknown key 'executor.slrum': did you mean 'executor.slurm'\?/},
  {name: 'a SLURM resource misspelt', suite: {...VALID, executor: {slurm: {partiton: 'gpu'}}}, error: /: unknown key 'executor.slurm.partiton': did you mean 'executor.slurm.partition'\?/},
  {name: 'a SLURM time in another format', suite: {...VALID, executor: {slurm: {time: '12h'}}}, error: /: executor.slurm.time: is not a SLURM time: use e.g. '30' \(minutes\), '12:00:00'/},
  {name: 'a run that cannot train on its data (found before anything trains)', suite: {...VALID, datasets: ['synthetic'], variants: {full: {}, huge: {'ld.largeKernel': 1001}}},
    error: /: variant 'huge' on synthetic: .*ld.largeKernel/},
];

for (const c of CASES) {
  test.serial(`invalid suite: ${c.name}`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'mslk-suite-'));
    const file = join(dir, 'suite.yaml');
    await writeFile(file, JSON.stringify(c.suite));
    const store = join(dir, 'store');
    const {code, stdout, stderr} = await mslk(['ablate', file, '--dry-run', '--no-estimate', '--store', store], {MSLK_DATA_ROOT: join(dir, 'data')});
    t.is(code, 2, stderr);
    t.is(stdout, '');
    const lines = stderr.trim().split('\n');
    t.is(lines.length, 1, stderr);
    t.true(lines[0]!.startsWith(`Error: ${file}: `), stderr);
    t.regex(lines[0]!, c.error);
    t.is(await stat(store).catch(() => undefined), undefined, 'the store was created');
  });
}
