// Stable, framework-neutral weight names: the TF.js name 'enc.2.mis.1.mie/dw_k5.kernel' becomes
// 'enc.2.mis.1.mie.dw_k5.kernel'. The scheme is documented in src/models/WEIGHTS.md.
import type * as tf from '@tensorflow/tfjs';

export function stableWeightName(weight: tf.LayerVariable): string {
  return weight.originalName.replace(/\//g, '.');
}

/** Every weight (trainable and not) with its stable name, in model order. Throws on a duplicate name. */
export function namedWeights(model: tf.LayersModel): {name: string; variable: tf.LayerVariable}[] {
  const seen = new Set<string>();
  const out: {name: string; variable: tf.LayerVariable}[] = [];
  for (const layer of model.layers) {
    for (const variable of layer.weights) {
      const name = stableWeightName(variable);
      if (seen.has(name)) throw new Error(`duplicate weight name '${name}'`);
      seen.add(name);
      out.push({name, variable});
    }
  }
  return out;
}
