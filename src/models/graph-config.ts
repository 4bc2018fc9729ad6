// A functional model's graph as plain data (what LayersModel.getConfig returns), and a model rebuilt from an edited
// graph with the weights of the model it came from: the one mechanism of the inference form's rewrites (fusing
// ReDW/LD, folding batch norms, keeping one head).
import * as tf from '@tensorflow/tfjs';
import './layers/index.js';
import {ownSharedLayers} from './shared-layers.js';

/** One input of a layer application: [layer name, node index, tensor index, call kwargs]. */
export type NodeRef = [string, number, number, Record<string, unknown>?];

/** One layer of the graph: its class, its config (serialisable) and the inputs of each of its applications. */
export interface LayerEntry {
  name: string;
  className: string;
  config: Record<string, unknown>;
  inboundNodes: NodeRef[][];
}

/** The graph of a functional model: its layers in order, and its inputs and outputs as [layer, node, tensor]. */
export interface GraphConfig {
  name: string;
  layers: LayerEntry[];
  inputLayers: [string, number, number][];
  outputLayers: [string, number, number][];
}

/** `model`'s graph, a fresh copy the caller may edit. */
export function graphConfigOf(model: tf.LayersModel): GraphConfig {
  return model.getConfig() as unknown as GraphConfig;
}

/** The short name of a weight within its layer: 'enc.0.mis.0.conv/kernel' -> 'kernel'. */
export function weightNameInLayer(layer: tf.layers.Layer, weight: tf.LayerVariable): string {
  const prefix = `${layer.name}/`;
  return weight.originalName.startsWith(prefix) ? weight.originalName.slice(prefix.length) : weight.originalName;
}

/**
 * A new model built from `graph` (it owns its layers: ownSharedLayers) whose every weight is a copy of the weight of
 * the same short name in `source`'s layer of the same name, or, where `replaced(sourceLayer)` gives a tensor under
 * that short name, of that tensor (each such tensor is disposed here). Throws an Error naming `what` and the weight
 * when a weight has no value. `source` stays the caller's; so does the new model.
 */
export function modelFromGraph(graph: GraphConfig, source: tf.LayersModel, what: string,
  replaced: (layer: tf.layers.Layer) => Record<string, tf.Tensor> = () => ({})): tf.LayersModel {
  const model = ownSharedLayers(tf.LayersModel.fromConfig(tf.LayersModel, graph as unknown as tf.serialization.ConfigDict) as tf.LayersModel);
  try {
    copyWeights(model, source, what, replaced);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

function copyWeights(model: tf.LayersModel, source: tf.LayersModel, what: string, replaced: (layer: tf.layers.Layer) => Record<string, tf.Tensor>): void {
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const from = source.getLayer(layer.name);
    const replacements = replaced(from);
    const byName = new Map(from.weights.map((w) => [weightNameInLayer(from, w), w]));
    try {
      layer.setWeights(layer.weights.map((w) => {
        const name = weightNameInLayer(layer, w);
        const value = replacements[name] ?? byName.get(name)?.read();
        if (!value) throw new Error(`${what}: no value for weight '${w.originalName}'`);
        return value;
      }));
    } finally {
      tf.dispose(Object.values(replacements));
    }
  }
}
