// A layer applied at several places of one model (EMCAD's SAB, one for the four decoder stages) counts one reference
// per application in tf.layers (Layer._refCount grows with every symbolic call), but disposing the model releases
// each of its layers once: its weights would outlive the model. Releasing the extra references when the model is
// made lets `model.dispose()` free them.
import type * as tf from '@tensorflow/tfjs';

/**
 * Makes `model` the single owner of each layer it applies more than once, so that `model.dispose()` frees that
 * layer's weights too: drops the references of every application but the first (the layer's inbound nodes in this
 * model; never below one, so no weight is disposed here). Call it once, right after the model is made from layers
 * that no other model uses. Returns `model`.
 */
export function ownSharedLayers(model: tf.LayersModel): tf.LayersModel {
  for (const layer of model.layers) {
    for (let extra = layer.inboundNodes.length - 1; extra > 0; extra--) layer.dispose();
  }
  return model;
}
