// Rebuilding a model from its (edited) graph with the weights of the model it came from.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import {graphConfigOf, modelFromGraph, weightNameInLayer} from '../../src/models/graph-config.js';
import {useWasm} from './helpers.js';

test.before(useWasm);

function twoConvs(biasOfB = true): tf.LayersModel {
  const input = tf.input({shape: [4, 4, 2]});
  const a = tf.layers.conv2d({name: 'a', filters: 3, kernelSize: 1, kernelInitializer: tf.initializers.glorotUniform({seed: 1})}).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({name: 'b', filters: 1, kernelSize: 1, useBias: biasOfB, kernelInitializer: tf.initializers.glorotUniform({seed: 2})}).apply(a) as tf.SymbolicTensor;
  return tf.model({inputs: input, outputs: b});
}

test.serial('the rebuilt model copies every weight by layer and short name, takes the replacements it is given, and frees them', async (t) => {
  const source = twoConvs();
  const before = tf.memory().numTensors;
  const rebuilt = modelFromGraph(graphConfigOf(source), source, 'test', (layer) => (layer.name === 'b' ? {bias: tf.fill([1], 0.5)} : {}));
  t.is(weightNameInLayer(rebuilt.getLayer('a'), rebuilt.getLayer('a').weights[0]!), 'kernel');
  t.deepEqual(Array.from(rebuilt.getLayer('a').getWeights()[0]!.dataSync()), Array.from(source.getLayer('a').getWeights()[0]!.dataSync()));
  t.deepEqual(Array.from(rebuilt.getLayer('b').getWeights()[1]!.dataSync()), [0.5]);
  t.deepEqual(Array.from(source.getLayer('b').getWeights()[1]!.dataSync()), [0], 'the source keeps its own weights');
  rebuilt.dispose();
  t.is(tf.memory().numTensors, before, 'the rebuilt model owned its weights, and the replacement was freed');
  source.dispose();
});

test.serial('a weight with no value is refused naming the caller and the weight, and the half-built model is freed', (t) => {
  const source = twoConvs(false);
  const graph = graphConfigOf(source);
  graph.layers.find((l) => l.name === 'b')!.config['useBias'] = true;
  const before = tf.memory().numTensors;
  t.throws(() => modelFromGraph(graph, source, 'rebuildTest'), {message: "rebuildTest: no value for weight 'b/bias'"});
  t.is(tf.memory().numTensors, before, 'nothing left behind');
  source.dispose();
});
