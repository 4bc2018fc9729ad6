// Evaluation of a model with several heads, through its inference form (fused, the head its outputs name): per-image
// metrics at the original resolution of exactly the map validation scores.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import {inferenceForm} from '../../src/models/inference-graph.js';
import {parseRunConfig} from '../../src/runs/config.js';
import {evaluateIndices} from '../../src/runs/evaluate-run.js';
import {meanDiceAtPreparedSize} from '../../src/training/validate.js';
import {multiHeadModel, multiHeadOutputs} from '../helpers/multi-head-model.js';
import {tinyDataset} from '../helpers/tiny-dataset.js';
import {useWasm} from '../models/helpers.js';

test.before(useWasm);

test.serial('a 3-head model is evaluated on the head its outputs name: its per-image Dice averages to the validation Dice of that head', async (t) => {
  const dataset = tinyDataset(4, 16, {originalMasks: true});
  const indices = [0, 1, 2, 3];
  const config = parseRunConfig({model: {model: 'unet'}, data: {size: 16}, train: {batchSize: 2}});
  const model = multiHeadModel(3, 11);
  const before = tf.memory().numTensors;
  for (const head of [0, 2]) {
    const outputs = multiHeadOutputs(3, {rule: 'mutation'}, {kind: 'head', head});
    const form = inferenceForm(model, {fuse: false, outputs});
    const rows = await evaluateIndices(form, dataset, indices, config);
    form.dispose();
    t.deepEqual(rows.map((r) => r.name), ['s0', 's1', 's2', 's3']);
    const mean = rows.reduce((a, r) => a + r.metrics.dice, 0) / rows.length;
    const validation = await meanDiceAtPreparedSize(model, dataset, indices, 2, config.eval.threshold, outputs.inference);
    t.true(Math.abs(mean - validation) < 1e-12, `head ${head}: evaluation ${mean}, validation ${validation}`);
  }
  // The heads differ (the comparison above is not of one map with itself).
  const dice = (head: number) => meanDiceAtPreparedSize(model, dataset, indices, 2, 0.5, {kind: 'head', head});
  t.not(await dice(0), await dice(2));
  t.is(tf.memory().numTensors, before);
  model.dispose();
});
