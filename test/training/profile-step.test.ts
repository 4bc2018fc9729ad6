// The profiler with the training loop's step: it times latency and that step, reports progress, leaks nothing.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import {activateBackend} from '../../src/engine/backends.js';
import type {ProgressEvent} from '../../src/io/progress.js';
import {parseModelConfig} from '../../src/models/registry.js';
import {profileModelTraining} from '../../src/training/profile-step.js';

test.before(async () => {
  await activateBackend('wasm');
});

const options = {size: 16, batch: 1, latencyRuns: 2, trainSteps: 2, countsOnly: false, budgetMs: 60_000};

test.serial('profileModelTraining times latency and the training step, reports progress, and leaks no tensor', async (t) => {
  const config = parseModelConfig({model: 'unet', baseWidth: 4}, 'model');
  const events: ProgressEvent[] = [];
  const before = tf.memory().numTensors;
  const p = await profileModelTraining(config, {...options, onProgress: (e) => events.push(e)});
  t.is(tf.memory().numTensors, before);
  t.is(p.unfused.trainError, undefined);
  t.is(p.unfused.trainStep?.runs, 2);
  t.true(p.unfused.trainStep!.medianMs > 0);
  t.true((p.unfused.peakTrainBytes ?? 0) > 0);
  t.is(p.unfused.latency?.runs, 2);
  t.true(events.some((e) => e.task === 'unfused: training step at 16x16, batch 1, timed' && e.done === 2 && e.total === 2));
});
