// Validation of a model with several heads: the probabilities are the sigmoid of the map its outputs name for
// inference (one head, or the sum of all), the same numbers its inference graph gives; without that map it refuses.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import {inferenceForm, inferenceGraph} from '../../src/models/inference-graph.js';
import {buildModel, outputsOf} from '../../src/models/registry.js';
import type {InferenceMap} from '../../src/models/heads.js';
import {meanDiceAtPreparedSize, predictProbabilities} from '../../src/training/validate.js';
import {multiHeadModel} from '../helpers/multi-head-model.js';
import {tinyDataset} from '../helpers/tiny-dataset.js';
import {useWasm} from '../models/helpers.js';

test.before(useWasm);

const SIZE = 16;
const dataset = tinyDataset(3, SIZE);
const indices = [0, 1, 2];

/** The sigmoid of `pick` of the model's heads, image by image, computed directly. */
function expectedProbabilities(model: tf.LayersModel, pick: (heads: tf.Tensor[] | tf.Tensor) => tf.Tensor): number[][] {
  return indices.map((i) => tf.tidy(() => {
    const x = tf.tensor4d(dataset.imagesFloat32([i]), [1, SIZE, SIZE, 3]);
    return Array.from(tf.sigmoid(pick(model.predict(x) as tf.Tensor[] | tf.Tensor)).dataSync());
  }));
}

test.serial('validation of a 3-head model takes the inference map: the named head, or the sum, as its inference graph does', async (t) => {
  const model = multiHeadModel(3, 9);
  const cases: [InferenceMap, (heads: tf.Tensor[]) => tf.Tensor][] = [
    [{kind: 'head', head: 0}, (h) => h[0]!],
    [{kind: 'head', head: 2}, (h) => h[2]!],
    [{kind: 'sum'}, (h) => tf.add(tf.add(h[0]!, h[1]!), h[2]!)],
  ];
  const asList = (pick: (heads: tf.Tensor[]) => tf.Tensor) => (out: tf.Tensor[] | tf.Tensor) => pick(out as tf.Tensor[]);
  const before = tf.memory().numTensors;
  for (const [inference, pick] of cases) {
    const probabilities = (await predictProbabilities(model, dataset, indices, 2, inference)).map((p) => Array.from(p));
    t.deepEqual(probabilities, expectedProbabilities(model, asList(pick)), JSON.stringify(inference));
    const graph = inferenceGraph(model, inference);
    t.deepEqual((await predictProbabilities(graph, dataset, indices, 2)).map((p) => Array.from(p)), probabilities, `graph of ${JSON.stringify(inference)}`);
    graph.dispose();
  }
  t.is(tf.memory().numTensors, before);
  const dice = await meanDiceAtPreparedSize(model, dataset, indices, 2, 0.5, {kind: 'head', head: 1});
  t.true(dice >= 0 && dice <= 1, `dice ${dice}`);
  await t.throwsAsync(() => predictProbabilities(model, dataset, indices, 2), {message: /returns 3 maps but no inference map was given/});
  model.dispose();
});

test.serial('every single-output family validates and is inferred from its one output as before: the same probabilities with or without its inference map, and no copy', async (t) => {
  for (const name of ['ms-lkseg', 'unet', 'attention-unet', 'unetpp', 'lk-unet'] as const) {
    const {model, config} = buildModel({model: name, baseWidth: 4}, {seed: 3});
    const outputs = outputsOf(config);
    t.is(outputs.heads, 1, name);
    t.is(inferenceForm(model, {fuse: false, outputs}), model, name);
    const withMap = await predictProbabilities(model, dataset, indices, 2, outputs.inference);
    const asBefore = await predictProbabilities(model, dataset, indices, 2);
    const direct = expectedProbabilities(model, (out) => (Array.isArray(out) ? out[0]! : out));
    t.deepEqual(withMap.map((p) => Array.from(p)), direct, name);
    t.deepEqual(asBefore.map((p) => Array.from(p)), direct, name);
    model.dispose();
  }
});
