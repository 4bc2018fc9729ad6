// Without a training step given, the profiler times no training (src/models sits below src/training; the step
// comes from src/training/profile-step.ts, tested in test/training/profile-step.test.ts).
import test from 'ava';
import {parseModelConfig} from '../../src/models/registry.js';
import * as tf from '@tensorflow/tfjs';
import {countParams} from '../../src/models/profile/params.js';
import {measureInferenceLatency, profileBuiltModel, profileModel} from '../../src/models/profile/profile.js';
import {defaultTrainConfig} from '../../src/runs/config.js';
import {stepRunner, trainableOf} from '../../src/training/step.js';
import {multiHeadModel, multiHeadOutputs} from '../helpers/multi-head-model.js';
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

test.serial('a model with several heads: every head counted in the training form, the inference form is one head (fused), both timed, the step trains with the heads\' loss', async (t) => {
  const model = multiHeadModel(3, 0, 16);
  const outputs = multiHeadOutputs(3);
  const before = tf.memory().numTensors;
  const p = await profileBuiltModel(model, outputs, {...options, trainingStep: (m) => stepRunner(trainableOf(m, outputs), defaultTrainConfig())});
  t.is(tf.memory().numTensors, before);
  t.deepEqual(p.heads, {count: 3, inference: 'head 1 of 3, fused'});
  t.is(p.unfused.params.total, countParams(model).total);
  t.true(['head.0', 'head.1', 'head.2'].every((block) => p.unfused.params.byBlock[block]! > 0), JSON.stringify(p.unfused.params.byBlock));
  // The inference form drops what only heads 2 and 3 use: their levels' convolutions and their 1x1 heads.
  const headMacs = (h: number) => 16 * 16 * 4 / 4 ** h;
  t.true(p.fused !== undefined && p.fused.params.total < p.unfused.params.total);
  t.deepEqual(Object.keys(p.fused!.params.byBlock).filter((b) => b.startsWith('head')), ['head.0']);
  t.true(p.fused!.macs <= p.unfused.macs - headMacs(1) - headMacs(2), `${p.fused!.macs} vs ${p.unfused.macs}`);
  t.is(p.fused!.flops, 2 * p.fused!.macs);
  t.is(p.unfused.latency?.runs, 2);
  t.is(p.fused!.latency?.runs, 2);
  t.true((p.fused!.peakInferenceBytes ?? 0) > 0);
  t.is(p.unfused.trainError, undefined);
  t.is(p.unfused.trainStep?.runs, 2);
  model.dispose();
});
