// A learning check on real data (Kvasir-SEG, 352 px layout, official 800/100/100 split) at 64 px: both U-Net and
// the full MS-LKSeg must end far above the trivial predictors (all background: Dice 0; all foreground: about 0.3).
import test from 'ava';
import {existsSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {activateBackend} from '../../src/engine/backends.js';
import {resolveRunConfig} from '../../src/runs/config.js';
import {trainRun} from '../../src/runs/train-run.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const kvasir = join(root, '..', 'shared', 'datasets', 'kvasir-seg-352');
const available = existsSync(kvasir);
const check = available ? test.serial : test.skip;
if (!available) console.log(`learning check skipped: ${kvasir} is absent (it is in ../shared on CI and developer machines)`);

let scratch = '';
test.before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mslk-learn-'));
  await activateBackend('wasm');
});
test.after.always(async () => {
  if (scratch) await rm(scratch, {recursive: true, force: true});
});

// Training on wasm is deterministic, so these runs give the same numbers everywhere; the thresholds leave room for
// benign changes. Measured 2026-11-25: U-Net 0.590 after 3 epochs. MS-LKSeg learns slowly while its DyConv
// temperature anneals from 30 (0.436 after 2 epochs, 0.401 after 3 with the anneal spread over them), so this check
// holds tau at 1: 0.485 after 2 epochs. EMCAD b0 from scratch (configs/torch-twin/emcad-b0.yaml) under U-Net's
// protocol (3 epochs at 64 px) is not a case here: one training takes about 4.3 minutes on the 2-core machine, over
// this file's budget of 3. bench/emcad-learning-check.ts measures it; on 2026-11-30, side by side: U-Net 0.586
// (100 s), MS-LKSeg 0.476 (145 s), EMCAD b0 0.425 (256 s; val mDice 0.37, 0.35, 0.39 by epoch).
const cases = [
  {model: 'unet', epochs: 3, threshold: 0.5, set: []},
  {model: 'ms-lkseg', epochs: 2, threshold: 0.42, set: ['model.dyconv.temperature.schedule=constant']},
] as const;
for (const {model, epochs, threshold, set} of cases) {
  check(`${model} (baseWidth 8) learns Kvasir-SEG at 64 px: test mDice far above the trivial predictors`, async (t) => {
    const config = await resolveRunConfig(join(root, 'configs', 'torch-twin', `${model}.yaml`), {
      dataset: kvasir, set: ['model.baseWidth=8', 'data.size=64', `train.epochs=${epochs}`, ...set],
    });
    const result = await trainRun({config, out: join(scratch, 'runs'), dataRoot: join(scratch, 'data')});
    const dice = result.evaluations.test!.dice!;
    t.log(`${model}: test mDice ${dice.toFixed(4)} at 352 px after ${epochs} epochs`);
    t.is(result.evaluations.test!.images, 100);
    t.true(dice > threshold, `test mDice ${dice}`);
  });
}
