// A layer applied at several places of one model (EMCAD's shared SAB) is freed with the model (ownSharedLayers),
// by every path that makes a model: buildModel, and the inference copy evaluation runs (inferenceForm).
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import {inferenceForm} from '../../src/models/inference-graph.js';
import {buildModel, outputsOf} from '../../src/models/registry.js';
import {ownSharedLayers} from '../../src/models/shared-layers.js';
import {randomImage, useWasm} from './helpers.js';

test.before(useWasm);

/** A model that applies one dense layer three times, and its input. */
function threeTimes(): tf.LayersModel {
  const x = tf.input({shape: [4]});
  const shared = tf.layers.dense({units: 4, name: 'shared'});
  let y = x;
  for (let i = 0; i < 3; i++) y = shared.apply(y) as tf.SymbolicTensor;
  return tf.model({inputs: x, outputs: y});
}

test.serial('tf.layers alone leaks a shared layer\'s weights on dispose; owned, they are freed', (t) => {
  const before = tf.memory().numTensors;
  threeTimes().dispose();
  t.is(tf.memory().numTensors - before, 2, 'the kernel and bias outlive the model (what ownSharedLayers is for)');
  const owned = tf.memory().numTensors;
  ownSharedLayers(threeTimes()).dispose();
  t.is(tf.memory().numTensors, owned);
});

test.serial('an EMCAD b0 (shared SAB) and its inference copy free every tensor on dispose; the copy\'s dispose leaves the model intact', (t) => {
  const before = tf.memory().numTensors;
  const {model, config} = buildModel({model: 'emcad', encoder: 'b0'}, {seed: 1});
  t.true(model.getLayer('dec.sab').inboundNodes.length === 4, 'SAB is applied at the four decoder stages');
  const x = randomImage(1, 64, 4);
  const predicted = () => tf.tidy(() => Array.from((model.predict(x) as tf.Tensor[])[0]!.dataSync()));
  const first = predicted();
  const single = inferenceForm(model, {fuse: false, outputs: outputsOf(config)});
  t.not(single, model);
  single.dispose();
  t.deepEqual(predicted(), first, 'the model still predicts the same after its copy was disposed');
  model.dispose();
  tf.dispose(x);
  t.is(tf.memory().numTensors, before);
});
