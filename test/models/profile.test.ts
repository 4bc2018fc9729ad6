// Without a training step given, the profiler times no training (src/models sits below src/training; the step
// comes from src/training/profile-step.ts, tested in test/training/profile-step.test.ts).
import test from 'ava';
import {parseModelConfig} from '../../src/models/registry.js';
import {profileModel} from '../../src/models/profile/profile.js';
import {useWasm} from './helpers.js';

test.before(useWasm);

const options = {size: 16, batch: 1, latencyRuns: 2, trainSteps: 2, countsOnly: false, budgetMs: 60_000};

test.serial('without a training step, profileModel times no training', async (t) => {
  const config = parseModelConfig({model: 'unet', baseWidth: 4}, 'model');
  const p = await profileModel(config, options);
  t.is(p.unfused.trainStep, undefined);
  t.is(p.unfused.latency?.runs, 2);
});
