// Attention U-Net (Oktay et al. 2018): the U-Net with an additive attention gate on each skip, gated by the
// up-sampled decoder feature, under the shared decoder conventions.
import * as tf from '@tensorflow/tfjs';
import {z} from 'zod';
import {commonFields, type BuildOptions} from '../config/common.js';
import {apply, doubleConv, head, input, levelWidths, SeedSequence, upsample} from '../graph.js';
import {AttentionGate} from '../layers/attention-gate.js';
import {plainEncoder} from './unet.js';

export const attentionUNetSchema = z.object({
  model: z.literal('attention-unet'),
  ...commonFields,
  blocksPerLevel: z.number().int().min(1).max(8).default(2),
}).strict();

export type AttentionUNetConfig = z.output<typeof attentionUNetSchema>;

export const attentionUNetKnobs: Record<string, string> = {
  baseWidth: 'level widths = baseWidth x [1, 2, 4, 8, 16]; gate width = half the skip width',
  blocksPerLevel: '(3x3 conv, BN, ReLU) blocks per encoder level',
  downsample: 'maxpool | avgpool', upsample: 'bilinear | nearest',
};

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
