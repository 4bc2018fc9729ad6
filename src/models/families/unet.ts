// U-Net (Ronneberger et al. 2015) on the shared skeleton: 5 levels of (3x3 conv, BN, ReLU) x blocksPerLevel,
// identity skips, the shared decoder. Equal to ms-lkseg with every toggle off.
import * as tf from '@tensorflow/tfjs';
import {z} from 'zod';
import {commonFields, STATELESS_FAMILY_HOOKS, type BuildOptions} from './common.js';
import type {ModelFamily} from '../registry.js';
import {convBnRelu, decoderStage, downsample, head, input, levelWidths, SeedSequence, type Sym} from '../graph.js';

export const unetSchema = z.object({
  model: z.literal('unet').describe('the model family'),
  ...commonFields,
  blocksPerLevel: z.number().int().min(1).max(8).default(2).describe('(3x3 conv, BN, ReLU) blocks per encoder level'),
}).strict();

export type UNetConfig = z.output<typeof unetSchema>;

/** The encoder shared by unet and attention-unet: features of the 5 levels. */
export function plainEncoder(image: Sym, widths: number[], blocksPerLevel: number, down: UNetConfig['downsample'], seeds: SeedSequence): Sym[] {
  const features: Sym[] = [];
  let x = image;
  widths.forEach((w, level) => {
    if (level > 0) x = downsample(x, down, `enc.${level}.down`);
    for (let b = 0; b < blocksPerLevel; b++) x = convBnRelu(x, w, `enc.${level}.block.${b}`, seeds);
    features.push(x);
  });
  return features;
}

export function buildUNet(c: UNetConfig, options: BuildOptions = {}): tf.LayersModel {
  const seeds = new SeedSequence(options.seed ?? 0);
  const widths = levelWidths(c.baseWidth);
  const image = input(c.inChannels, options.inputSize ?? null);
  const features = plainEncoder(image, widths, c.blocksPerLevel, c.downsample, seeds);
  let y = features[4]!;
  for (let i = 3; i >= 0; i--) y = decoderStage(y, features[i]!, widths[i]!, i, c.upsample, seeds);
  return tf.model({inputs: image, outputs: head(y, c.outChannels, seeds), name: 'unet'});
}

export const unetFamily: ModelFamily<UNetConfig> = {
  name: 'unet',
  description: 'U-Net (Ronneberger et al. 2015) = ms-lkseg with every toggle off',
  schema: unetSchema,
  build: buildUNet,
  ...STATELESS_FAMILY_HOOKS,
};
