// Without a training step given, the profiler times no training (src/models sits below src/training; the step
// comes from src/training/profile-step.ts, tested in test/training/profile-step.test.ts).
import test from 'ava';
import {parseModelConfig} from '../../src/models/registry.js';
import * as tf from '@tensorflow/tfjs';
import {measureInferenceLatency, profileModel} from '../../src/models/profile/profile.js';
import type {ProgressEvent} from '../../src/io/progress.js';
import {useWasm} from './helpers.js';

test.before(useWasm);

const options = {size: 16, batch: 1, latencyRuns: 2, trainSteps: 2, countsOnly: false, budgetMs: 60_000};

test.serial('without a training step, profileModel times no training', async (t) => {
  const config = parseModelConfig({model: 'unet', baseWidth: 4}, 'model');
  const p = await profileModel(config, options);
  t.is(p.unfused.trainStep, undefined);
  t.is(p.unfused.latency?.runs, 2);
});

test.serial('every progress task of a profile closes (the peak-memory lines too)', async (t) => {
  const config = parseModelConfig({model: 'unet', baseWidth: 4}, 'model');
  const events: ProgressEvent[] = [];
  await profileModel(config, {...options, onProgress: (e) => events.push(e)});
  const started = [...new Set(events.filter((e) => e.done === 0).map((e) => e.task))];
  t.true(started.some((task) => /peak tensor memory of one inference/.test(task)));
  for (const task of started) t.true(events.some((e) => e.task === task && (e.done >= e.total || e.note !== undefined)), `${task} never closes`);
});

test.serial('measureInferenceLatency: the asked runs after the warm-up, a positive median within its IQR, no tensor left behind', async (t) => {
  // MS-LKSeg has re-parameterisable blocks: the fused form is built, timed and disposed of too.
  const config = parseModelConfig({model: 'ms-lkseg', baseWidth: 4}, 'model');
  const before = tf.memory().numTensors;
  const events: ProgressEvent[] = [];
  const timing = await measureInferenceLatency(config, 64, {warmup: 1, runs: 3, onProgress: (e) => events.push(e)});
  t.is(timing.runs, 3);
  t.true(timing.medianMs > 0 && timing.iqrMs[0] <= timing.medianMs && timing.medianMs <= timing.iqrMs[1], JSON.stringify(timing));
  t.is(tf.memory().numTensors, before, 'tensors leaked');
  t.true(events.length > 0, 'progress of the timing is reported');
});
