// The Kvasir-SEG learning check of test/training/learning.test.ts for EMCAD b0 from scratch, which is too slow for
// the test suite (about 4.3 minutes a training on this project's 2-core machine, against the test's budget of 3):
// configs/torch-twin/emcad-b0.yaml on ../shared/datasets/kvasir-seg-352 (official 800/100/100 split) at 64 px for
// U-Net's 3 epochs; prints the test mDice (per-image mean at the stored 352 px) and the time, beside the trivial
// predictors (all background: 0; all foreground: about 0.3). MODELS=unet,ms-lkseg,emcad-b0 also trains the test's
// two cases under their own settings, for figures measured side by side on the same machine.
// Run: nice -n 19 node --import=tsx bench/emcad-learning-check.ts
import {existsSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {performance} from 'node:perf_hooks';
import {fileURLToPath} from 'node:url';
import {activateBackend} from '../src/engine/backends.js';
import {resolveRunConfig} from '../src/runs/config.js';
import {trainRun} from '../src/runs/train-run.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const kvasir = join(root, '..', 'shared', 'datasets', 'kvasir-seg-352');
if (!existsSync(kvasir)) {
  console.log(`skipped: ${kvasir} is absent`);
  process.exit(0);
}

/** The learning check's cases: the torch twin's config, epochs and `--set` lines (learning.test.ts for the first two). */
const CASES: Record<string, {epochs: number; set: string[]}> = {
  'unet': {epochs: 3, set: ['model.baseWidth=8']},
  'ms-lkseg': {epochs: 2, set: ['model.baseWidth=8', 'model.dyconv.temperature.schedule=constant']},
  'emcad-b0': {epochs: 3, set: []},
};
const models = (process.env['MODELS'] ?? 'emcad-b0').split(',').map((m) => m.trim()).filter((m) => m !== '');
const unknown = models.filter((m) => !Object.hasOwn(CASES, m));
if (unknown.length > 0) {
  console.error(`MODELS: unknown ${unknown.join(', ')}; use some of ${Object.keys(CASES).join(', ')}`);
  process.exit(2);
}

await activateBackend('wasm');
const scratch = await mkdtemp(join(tmpdir(), 'mslk-bench-learning-'));
try {
  for (const model of models) {
    const {epochs, set} = CASES[model]!;
    const config = await resolveRunConfig(join(root, 'configs', 'torch-twin', `${model}.yaml`), {
      dataset: kvasir, set: [...set, 'data.size=64', `train.epochs=${epochs}`],
    });
    const started = performance.now();
    const result = await trainRun({config, out: join(scratch, 'runs'), dataRoot: join(scratch, 'data')});
    const seconds = (performance.now() - started) / 1000;
    const test = result.evaluations.test!;
    console.log(`${model}: test mDice ${test.dice!.toFixed(4)} (n = ${test.images}) at 352 px after ${epochs} epochs at 64 px; ${seconds.toFixed(0)} s (data preparation included for the first)`);
  }
} finally {
  await rm(scratch, {recursive: true, force: true});
}
