// The inference form of a model: a copy with one output, the map inference uses (one head of several, or their sum
// through an Add layer), and its re-parameterisable blocks fused when asked. Evaluation, prediction and the
// profiler's latency run this form, so a model with several heads is evaluated on exactly its inference path.
import * as tf from '@tensorflow/tfjs';
import './layers/index.js';
import {fuseForInference, hasUnfusedLayers} from './fuse.js';
import {graphConfigOf, modelFromGraph, type LayerEntry, type NodeRef} from './graph-config.js';
import {foldBatchNorms} from './fold-batch-norm.js';
import {describeInferenceMap, type InferenceMap, type ModelOutputs} from './heads.js';

/** Name of the Add layer that sums the heads in the inference form of InferenceMap 'sum'. */
export const HEAD_SUM_LAYER = 'inference.sum';

/** The layers `outputs` depend on, in their order in `layers` (the others would be built and never used). */
function ancestors(layers: readonly LayerEntry[], outputs: readonly [string, number, number][]): LayerEntry[] {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const needed = new Set<string>();
  const pending = outputs.map(([name]) => name);
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (needed.has(name)) continue;
    needed.add(name);
    for (const node of byName.get(name)?.inboundNodes ?? []) for (const [inbound] of node) pending.push(inbound);
  }
  return layers.filter((l) => needed.has(l.name));
}

/**
 * A model with the one output `inference` names: `model` itself when it has a single output already; otherwise a
 * new model (the caller disposes it; `model` stays the caller's too) with the same layers and a copy of their
 * weights, pruned to what that output needs (the unused heads are dropped), or with an Add layer
 * (HEAD_SUM_LAYER) summing every head in order. Its outputs equal `inferenceLogits` of `model`'s. The user
 * metadata is kept, with `inference` naming the map. Throws an Error (one line) when a named head does not exist.
 */
export function inferenceGraph(model: tf.LayersModel, inference: InferenceMap): tf.LayersModel {
  const heads = model.outputs.length;
  if (heads === 1) return model;
  const config = graphConfigOf(model);
  let outputs: [string, number, number][];
  if (inference.kind === 'head') {
    const chosen = config.outputLayers[inference.head];
    if (chosen === undefined) throw new Error(`the inference map names head ${inference.head}, but the model has ${heads} outputs (0-based)`);
    outputs = [chosen];
  } else {
    const sum = tf.layers.add({name: HEAD_SUM_LAYER});
    config.layers.push({name: HEAD_SUM_LAYER, className: sum.getClassName(), config: sum.getConfig(),
      inboundNodes: [config.outputLayers.map(([name, node, tensor]): NodeRef => [name, node, tensor, {}])]});
    outputs = [[HEAD_SUM_LAYER, 0, 0]];
  }
  config.layers = ancestors(config.layers, outputs);
  config.outputLayers = outputs;
  const single = modelFromGraph(config, model, 'inferenceGraph');
  const metadata = model.getUserDefinedMetadata();
  single.setUserDefinedMetadata({...(metadata ?? {}), inference: describeInferenceMap(inference, heads)});
  return single;
}

/**
 * The form evaluation, prediction and profiling run: re-parameterisable blocks fused and batch norms folded into the
 * convolutions before them when `fuse` (fuseForInference, foldBatchNorms), then the single output `outputs.inference`
 * names (inferenceGraph). Returns `model` itself when every step is a no-op (a single-output model, and `fuse` false
 * or nothing to fuse or fold), else a new model the caller disposes; the intermediate forms are freed.
 */
export function inferenceForm(model: tf.LayersModel, o: {fuse: boolean; outputs: ModelOutputs}): tf.LayersModel {
  const steps: ((m: tf.LayersModel) => tf.LayersModel)[] = [
    ...(o.fuse ? [(m: tf.LayersModel) => (hasUnfusedLayers(m) ? fuseForInference(m) : m), foldBatchNorms] : []),
    (m: tf.LayersModel) => inferenceGraph(m, o.outputs.inference),
  ];
  let form = model;
  for (const step of steps) {
    try {
      const next = step(form);
      if (next !== form && form !== model) form.dispose();
      form = next;
    } catch (error) {
      if (form !== model) form.dispose();
      throw error;
    }
  }
  return form;
}
