// Attention U-Net (Oktay et al. 2018): the U-Net with an additive attention gate on each skip, gated by the
// up-sampled decoder feature, under the shared decoder conventions.
import * as tf from '@tensorflow/tfjs';
import {z} from 'zod';
import {commonFields, STATELESS_FAMILY_HOOKS, type BuildOptions} from './common.js';
import type {ModelFamily} from '../registry.js';
import {apply, doubleConv, head, input, levelWidths, SeedSequence, upsample} from '../graph.js';
import {AttentionGate} from '../layers/attention-gate.js';
import {plainEncoder} from './unet.js';

export const attentionUNetSchema = z.object({
  model: z.literal('attention-unet').describe('the model family'),
  ...commonFields,
  blocksPerLevel: z.number().int().min(1).max(8).default(2).describe('(3x3 conv, BN, ReLU) blocks per encoder level; each gate is half as wide as its skip'),
}).strict();

export type AttentionUNetConfig = z.output<typeof attentionUNetSchema>;

export function buildAttentionUNet(c: AttentionUNetConfig, options: BuildOptions = {}): tf.LayersModel {
  const seeds = new SeedSequence(options.seed ?? 0);
  const widths = levelWidths(c.baseWidth);
  const image = input(c.inChannels, options.inputSize ?? null);
  const features = plainEncoder(image, widths, c.blocksPerLevel, c.downsample, seeds);
  let y = features[4]!;
  for (let i = 3; i >= 0; i--) {
    const up = upsample(y, c.upsample, `dec.${i}.up`);
    const gated = apply(new AttentionGate({name: `dec.${i}.gate`, seed: seeds.next()}), [features[i]!, up]);
    const cat = apply(tf.layers.concatenate({name: `dec.${i}.cat`, axis: -1}), [up, gated]);
    y = doubleConv(cat, widths[i]!, `dec.${i}`, seeds);
  }
  return tf.model({inputs: image, outputs: head(y, c.outChannels, seeds), name: 'attention-unet'});
}

export const attentionUNetFamily: ModelFamily<AttentionUNetConfig> = {
  name: 'attention-unet',
  description: 'Attention U-Net (Oktay et al. 2018): additive attention gates on the skips',
  schema: attentionUNetSchema,
  build: buildAttentionUNet,
  ...STATELESS_FAMILY_HOOKS,
};
