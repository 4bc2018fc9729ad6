// The model as used for inference (evaluation, prediction, export of a run): the trained graph with its
// re-parameterised blocks fused when the config asks for it, and one output, the map its family infers from.
import type * as tf from '@tensorflow/tfjs';
import {inferenceForm} from '../models/inference-graph.js';
import {familyOf, outputsOf} from '../models/registry.js';
import type {RunConfig} from '../runs/config.js';

/**
 * The model as evaluated: re-parameterised blocks fused (identical outputs, faster), and for a family with several
 * heads, the one map its outputs hook names for inference (one head, or their sum; inferenceGraph). DyConv keeps
 * the temperature `model` has, which must be its checkpoint's (see progressAtCheckpoint). Returns `model` itself
 * when there is nothing to change, else a new model that the caller disposes (and `model` stays the caller's too).
 */
export function inferenceModel(model: tf.LayersModel, config: RunConfig): tf.LayersModel {
  return inferenceForm(model, {fuse: familyOf(config.model).fusesForInference(config.model), outputs: outputsOf(config.model)});
}
