// `config show`, `config keys` and `models list` through the CLI: resolved configs as YAML or JSON, and key
// listings read from the schemas.
import test from 'ava';
import {runMslk, type CliResult} from '../helpers/cli.js';
import {parse as parseYaml} from 'yaml';


function mslk(...args: string[]): Promise<CliResult> {
  return runMslk(args);
}

test('config show prints the resolved run config as YAML, with --set applied and the bases merged', async (t) => {
  const {code, stdout, stderr} = await mslk('config', 'show', 'configs/quickstart.yaml', '--set', 'train.epochs=3');
  t.is(code, 0, stderr);
  const shown = parseYaml(stdout) as {model: {model: string; baseWidth: number; mie: {gnGroups: number}}; train: {epochs: number; batchSize: number}; data: {size: number}};
  t.is(shown.train.epochs, 3);
  t.is(shown.train.batchSize, 8);
  t.like(shown, {model: {model: 'ms-lkseg', baseWidth: 8, mie: {gnGroups: 4}}, data: {size: 64}});
  t.regex(stdout, /kernels: \[3, 5, 7, 9\]/);
});

test('config show --json of a model name is the resolved model config; bad input is one line', async (t) => {
  const model = await mslk('config', 'show', 'ms-lkseg', '--set', 'ld.largeKernel=31', '--json');
  t.is(model.code, 0, model.stderr);
  t.like(JSON.parse(model.stdout), {model: 'ms-lkseg', ld: {largeKernel: 31, smallKernel: 3}});
  const typo = await mslk('config', 'show', 'configs/quickstart.yaml', '--set', 'train.epoch=3');
  t.is(typo.code, 2);
  t.regex(typo.stderr, /unknown key 'train.epoch': did you mean 'train.epochs'\?/);
  t.notRegex(typo.stderr, /\bat .*\.(ts|js):\d+/);
});

test('models list --json lists every schema key (mie.gnGroups, inChannels) with type and default; config keys lists the run keys', async (t) => {
  const list = await mslk('models', 'list', '--json');
  t.is(list.code, 0, list.stderr);
  const models = (JSON.parse(list.stdout) as {models: {name: string; keys: {path: string; type: string; default: string; description: string}[]}[]}).models;
  const msLkSeg = models.find((m) => m.name === 'ms-lkseg')!;
  t.like(msLkSeg.keys.find((k) => k.path === 'mie.gnGroups'), {default: '4'});
  t.like(msLkSeg.keys.find((k) => k.path === 'midm.pool'), {type: "'avg' | 'max'", default: '"avg"'});
  t.true(models.every((m) => m.keys.some((k) => k.path === 'inChannels') && m.keys.some((k) => k.path === 'outChannels')));
  const keys = await mslk('config', 'keys', '--json');
  t.is(keys.code, 0, keys.stderr);
  const rows = (JSON.parse(keys.stdout) as {keys: {path: string; default: string}[]}).keys;
  t.like(rows.find((r) => r.path === 'train.epochs'), {default: '300'});
  t.truthy(rows.find((r) => r.path === 'data.augment.rotate90'));
  t.truthy(rows.find((r) => r.path === 'seed'));
});

test('config show refuses what train refuses: split settings by key, and a model that cannot run at data.size', async (t) => {
  const cases: [set: string[], expected: RegExp][] = [
    [['data.split.method=ratios', 'data.split.ratios=[0.5,0.3,0.3]'], /^Error: data\.split\.ratios: 0\.5, 0\.3, 0\.3 sum to 1\.1, not 1: give .* that sum to 1/m],
    [['data.split.method=kfold', 'data.split.fold=7'], /^Error: data\.split\.fold: 7 is not a fold of 5 .*: use a fold from 0 to 4/m],
    [['data.split.method=named'], /^Error: data\.split\.name: method 'named' needs the split's name: set data\.split\.name/m],
    [['model.inChannels=1'], /^Error: .*inChannels/m],
  ];
  for (const [set, expected] of cases) {
    const shown = await mslk('config', 'show', 'configs/quickstart.yaml', ...set.flatMap((s) => ['--set', s]));
    t.is(shown.code, 2, set.join(' '));
    t.regex(shown.stderr, expected, shown.stderr);
    t.is(shown.stdout, '', 'nothing printed for a refused config');
  }
});
