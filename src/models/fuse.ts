// Re-parameterisation for inference: a copy of the model whose ReDWConv / LD layers are in their fused form
// (one depthwise conv with bias per ReDW), with BN folded in. Exact in inference mode; not trainable the same
// way (BN statistics are baked in), so fuse only for evaluation, profiling and export.
import * as tf from '@tensorflow/tfjs';
import './layers/index.js';
import {isReparameterizable} from './layers/redw-conv.js';
import {ownSharedLayers} from './shared-layers.js';

const FUSABLE = new Set(['ReDWConv', 'LD']);

/** Short weight name within its layer: 'enc.0.mis.0.conv/kernel' -> 'kernel'. */
export function weightNameInLayer(layer: tf.layers.Layer, weight: tf.LayerVariable): string {
  const prefix = `${layer.name}/`;
  return weight.originalName.startsWith(prefix) ? weight.originalName.slice(prefix.length) : weight.originalName;
}

/** Whether any layer of the model has an unfused inference form. */
export function hasUnfusedLayers(model: tf.LayersModel): boolean {
  return model.layers.some((l) => isReparameterizable(l) && !l.fused);
}

/** Returns a new model (the input is left as it was); the caller disposes both. */
export function fuseForInference(model: tf.LayersModel): tf.LayersModel {
  const config = model.getConfig() as unknown as {layers: {className: string; config: Record<string, unknown>}[]};
  for (const layer of config.layers) if (FUSABLE.has(layer.className)) layer.config['fused'] = true;
  const fused = ownSharedLayers(tf.LayersModel.fromConfig(tf.LayersModel, config as unknown as tf.serialization.ConfigDict) as tf.LayersModel);
  for (const layer of fused.layers) {
    if (layer.weights.length === 0) continue;
    const source = model.getLayer(layer.name);
    const replaced: Record<string, tf.Tensor> = isReparameterizable(source) && !source.fused ? source.fusedWeightValues() : {};
    const byName = new Map(source.weights.map((w) => [weightNameInLayer(source, w), w]));
    const values = layer.weights.map((w) => {
      const name = weightNameInLayer(layer, w);
      const value = replaced[name] ?? byName.get(name)?.read();
      if (!value) throw new Error(`fuseForInference: no value for weight '${w.originalName}'`);
      return value;
    });
    layer.setWeights(values);
    tf.dispose(Object.values(replaced));
  }
  const metadata = model.getUserDefinedMetadata();
  if (metadata) fused.setUserDefinedMetadata({...metadata, fused: true});
  return fused;
}
