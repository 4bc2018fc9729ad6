// UNet++ (Zhou et al. 2018), without deep supervision: nested skip pathways, node X(i, j) =
// (3x3 conv, BN, ReLU) x 2 over concat[X(i, 0..j-1), up(X(i+1, j-1))], head on X(0, 4).
import * as tf from '@tensorflow/tfjs';
import {z} from 'zod';
import {commonFields, STATELESS_FAMILY_HOOKS, type BuildOptions} from './common.js';
import type {ModelFamily} from '../registry.js';
import {apply, doubleConv, downsample, head, input, levelWidths, SeedSequence, upsample, type Sym} from '../graph.js';

export const unetppSchema = z.object({
  model: z.literal('unetpp').describe('the model family'),
  ...commonFields,
}).strict();

export type UNetPPConfig = z.output<typeof unetppSchema>;

export function buildUNetPP(c: UNetPPConfig, options: BuildOptions = {}): tf.LayersModel {
  const seeds = new SeedSequence(options.seed ?? 0);
  const widths = levelWidths(c.baseWidth);
  const image = input(c.inChannels, options.inputSize ?? null);
  // nodes[i][j] = X(i, j)
  const nodes: Sym[][] = widths.map(() => []);
  let x = image;
  widths.forEach((w, i) => {
    if (i > 0) x = downsample(x, c.downsample, `enc.${i}.down`);
    x = doubleConv(x, w, `enc.${i}`, seeds);
    nodes[i]!.push(x);
  });
  for (let j = 1; j <= 4; j++) {
    for (let i = 0; i + j <= 4; i++) {
      const up = upsample(nodes[i + 1]![j - 1]!, c.upsample, `nest.${i}.${j}.up`);
      const cat = apply(tf.layers.concatenate({name: `nest.${i}.${j}.cat`, axis: -1}), [...nodes[i]!.slice(0, j), up]);
      nodes[i]!.push(doubleConv(cat, widths[i]!, `nest.${i}.${j}`, seeds));
    }
  }
  return tf.model({inputs: image, outputs: head(nodes[0]![4]!, c.outChannels, seeds), name: 'unetpp'});
}

export const unetppFamily: ModelFamily<UNetPPConfig> = {
  name: 'unetpp',
  description: 'UNet++ (Zhou et al. 2018): nested dense skip pathways, no deep supervision; node X(i, j) has the width of level i',
  schema: unetppSchema,
  build: buildUNetPP,
  ...STATELESS_FAMILY_HOOKS,
};
