// Re-parameterisation for inference: a copy of the model whose ReDWConv / LD layers are in their fused form
// (one depthwise conv with bias per ReDW), with BN folded in. Exact in inference mode; not trainable the same
// way (BN statistics are baked in), so fuse only for evaluation, profiling and export.
import * as tf from '@tensorflow/tfjs';
import './layers/index.js';
import {isReparameterizable} from './layers/redw-conv.js';
import {graphConfigOf, modelFromGraph} from './graph-config.js';

const FUSABLE = new Set(['ReDWConv', 'LD']);

/** Whether any layer of the model has an unfused inference form. */
export function hasUnfusedLayers(model: tf.LayersModel): boolean {
  return model.layers.some((l) => isReparameterizable(l) && !l.fused);
}

/** Returns a new model (the input is left as it was); the caller disposes both. */
export function fuseForInference(model: tf.LayersModel): tf.LayersModel {
  const graph = graphConfigOf(model);
  for (const layer of graph.layers) if (FUSABLE.has(layer.className)) layer.config['fused'] = true;
  const fused = modelFromGraph(graph, model, 'fuseForInference',
    (source) => (isReparameterizable(source) && !source.fused ? source.fusedWeightValues() : {}));
  const metadata = model.getUserDefinedMetadata();
  if (metadata) fused.setUserDefinedMetadata({...metadata, fused: true});
  return fused;
}
