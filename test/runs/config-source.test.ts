// What `config show` resolves: a run config, a model config file or a model name, as `train` and `export` would.
import test from 'ava';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {ConfigError} from '../../src/config/parse.js';
import {resolveConfigSource} from '../../src/runs/config-source.js';
import {resolveRunConfig} from '../../src/runs/config.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const config = (name: string) => join(root, 'configs', name);

test('a run config resolves as train resolves it', async (t) => {
  const shown = await resolveConfigSource(config('quickstart.yaml'), {set: ['train.epochs=3'], dataset: 'busi', seed: 2});
  t.deepEqual(shown, {kind: 'run', config: await resolveRunConfig(config('quickstart.yaml'), {set: ['train.epochs=3'], dataset: 'busi', seed: 2})});
  t.like(shown.config, {train: {epochs: 3}, data: {dataset: 'busi'}, seed: 2});
});

test('a model config file or name resolves to the model config; run keys make a model file a run config', async (t) => {
  t.like(await resolveConfigSource('unet', {set: ['baseWidth=8']}), {kind: 'model', config: {model: 'unet', baseWidth: 8, blocksPerLevel: 2}});
  t.like(await resolveConfigSource(config('models/ms-lkseg.yaml'), {set: ['model.ld.largeKernel=31']}), {kind: 'model', config: {model: 'ms-lkseg', ld: {largeKernel: 31}}});
  t.like(await resolveConfigSource(config('models/unet.yaml'), {set: ['train.epochs=2']}), {kind: 'run', config: {model: {model: 'unet'}, train: {epochs: 2}}});
  await t.throwsAsync(resolveConfigSource('unet', {seed: 1}), {instanceOf: ConfigError, message: /'unet' is a model name: .*need a run config/});
  await t.throwsAsync(resolveConfigSource('no-such.yaml'), {instanceOf: ConfigError, message: /no such file \(and not a model name\)/});
});
