// A tiny model with several outputs for the tests of multi-output training, validation, evaluation, export and
// profile: defined here, never registered as a family. Like EMCAD's decoder, it has one logits head per depth, each
// up-sampled to the input size, ordered shallowest first; a ReDW block (re-parameterisable) makes its fused
// inference form differ from the trained one, so fusing and picking a head are tested together.
import * as tf from '@tensorflow/tfjs';
import {apply, batchNorm, SeedSequence, type Sym} from '../../src/models/graph.js';
import type {ModelOutputs} from '../../src/models/heads.js';
import {ReDWConv} from '../../src/models/layers/redw-conv.js';
import {ReLU} from '../../src/models/layers/relu.js';
import {Upsample} from '../../src/models/layers/resample.js';

/** The outputs of multiHeadModel with `heads` heads, trained with `rule`, inferred from the shallowest head. */
export function multiHeadOutputs(heads: number, trainingLoss: ModelOutputs['trainingLoss'] = {rule: 'mutation'},
  inference: ModelOutputs['inference'] = {kind: 'head', head: 0}): ModelOutputs {
  return {heads, trainingLoss, inference};
}

/**
 * Input [N, size, size, 3] (size divisible by 2^(heads - 1), or null for any such size); `heads` (1-4) outputs
 * [N, size, size, 1], head h taken at depth h (h 2x2 max-poolings) and up-sampled back by 2^h. Seeded initial
 * weights. Layer names: `stem.*`, `level.<h>.*`, `head.<h>.*`.
 */
export function multiHeadModel(heads: number, seed = 0, size: number | null = null): tf.LayersModel {
  const seeds = new SeedSequence(seed);
  const input = tf.input({shape: [size, size, 3], name: 'image'});
  const conv = (x: Sym, filters: number, kernelSize: number, name: string, useBias = false) => apply(tf.layers.conv2d({
    name, filters, kernelSize, padding: 'same', useBias, kernelInitializer: tf.initializers.heNormal({seed: seeds.next()}),
  }), x);
  let x = apply(new ReLU({name: 'stem.relu'}), apply(batchNorm('stem.bn'), conv(input, 4, 3, 'stem.conv')));
  x = apply(new ReDWConv({name: 'stem.redw', largeKernel: 5, smallKernel: 3, seed: seeds.next()}), x);
  const outputs: Sym[] = [];
  for (let h = 0; h < heads; h++) {
    if (h > 0) {
      x = apply(tf.layers.maxPooling2d({name: `level.${h}.pool`, poolSize: 2, strides: 2}), x);
      x = apply(new ReLU({name: `level.${h}.relu`}), apply(batchNorm(`level.${h}.bn`), conv(x, 4, 3, `level.${h}.conv`)));
    }
    const logits = conv(x, 1, 1, `head.${h}.conv`, true);
    outputs.push(h === 0 ? logits : apply(new Upsample({name: `head.${h}.up`, mode: 'bilinear', factor: 2 ** h}), logits));
  }
  return tf.model({inputs: input, outputs: heads === 1 ? outputs[0]! : outputs, name: `multi-head-${heads}`});
}
