// The model as used for inference (evaluation, prediction, export of a run): the trained graph with its
// re-parameterised blocks fused when the config asks for it.
import type * as tf from '@tensorflow/tfjs';
import {fuseForInference, hasUnfusedLayers} from '../models/fuse.js';
import {familyOf} from '../models/registry.js';
import type {RunConfig} from '../runs/config.js';

/**
 * The model as evaluated: re-parameterised blocks fused (identical outputs, faster). DyConv keeps the temperature
 * `model` has, which must be its checkpoint's (see progressAtCheckpoint). Returns `model` itself when there is
 * nothing to fuse, else a new model that the caller disposes (and `model` stays the caller's too).
 */
export function inferenceModel(model: tf.LayersModel, config: RunConfig): tf.LayersModel {
  const fuse = familyOf(config.model).fusesForInference(config.model);
  return fuse && hasUnfusedLayers(model) ? fuseForInference(model) : model;
}
