// MS-LKSeg (Li, Niu et al. 2025) with every ablation knob of ms-lkseg.md. Encoder: 5 levels of
// `blocksPerLevel` MIS blocks (DyConv | 3x3 conv -> BN -> ReLU -> MIE/MIDM in the chosen order), 2x
// down-sampling between levels; LD blocks on the skips of the chosen levels (1-4); decoder of 4 stages
// (up-sample, concat, (3x3 conv, BN, ReLU) x 2) and a 1x1 head (logits).
import * as tf from '@tensorflow/tfjs';
import {z} from 'zod';
import {commonFields, oddKernel, type BuildOptions} from '../config/common.js';
import {apply, convBnRelu, decoderStage, downsample, head, input, levelWidths, SeedSequence, batchNorm, type Sym} from '../graph.js';
import {DyConv} from '../layers/dyconv.js';
import {LD} from '../layers/ld.js';
import {MIDM} from '../layers/midm.js';
import {MIE} from '../layers/mie.js';
import {ReLU} from '../layers/relu.js';
import {temperatureAt} from '../layers/temperature.js';

const temperatureSchema = z.object({
  schedule: z.enum(['linear', 'constant']).default('linear'),
  start: z.number().positive().default(30),
  end: z.number().positive().default(1),
  epochs: z.number().nonnegative().default(10),
}).strict();

const schema = z.object({
  model: z.literal('ms-lkseg'),
  ...commonFields,
  blocksPerLevel: z.number().int().min(1).max(8).default(2),
  attentionOrder: z.enum(['mie-midm', 'midm-mie', 'parallel']).default('mie-midm'),
  dyconv: z.object({
    enabled: z.boolean().default(true),
    K: z.number().int().min(1).max(64).default(4),
    temperature: temperatureSchema.default({}),
  }).strict().default({}),
  mie: z.object({
    enabled: z.boolean().default(true),
    kernels: z.array(oddKernel).min(1).max(64).default([3, 5, 7, 9]),
    shareHW: z.boolean().default(true),
    gnGroups: z.number().int().min(1).default(4),
    gate: z.enum(['sigmoid', 'hard-sigmoid']).default('sigmoid'),
  }).strict().default({}),
  midm: z.object({
    enabled: z.boolean().default(true),
    heads: z.number().int().min(1).default(1),
    window: z.number().int().min(1).nullable().default(7),
    pool: z.enum(['avg', 'max']).default('avg'),
  }).strict().default({}),
  ld: z.object({
    enabled: z.boolean().default(true),
    largeKernel: z.union([oddKernel, z.array(oddKernel).length(4)]).default(21),
    smallKernel: oddKernel.nullable().default(3),
    levels: z.array(z.number().int().min(1, {message: 'levels are 1-4 (the skips)'}).max(4, {message: 'levels are 1-4 (the skips)'})).max(4).default([1, 2, 3, 4]),
    fuseForInference: z.boolean().default(true),
  }).strict().default({}),
}).strict();

export const msLkSegSchema = schema.superRefine((c, ctx) => {
  const widths = levelWidths(c.baseWidth);
  const fail = (path: (string | number)[], message: string) => ctx.addIssue({code: z.ZodIssueCode.custom, path, message});
  if (c.mie.enabled) {
    const r = c.mie.kernels.length;
    const bad = widths.findIndex((w) => w % r !== 0 || w % c.mie.gnGroups !== 0);
    if (bad >= 0) {
      const n = widths[bad]! % r !== 0 ? `${r} kernels` : `${c.mie.gnGroups} GroupNorm groups`;
      fail(['mie', widths[bad]! % r !== 0 ? 'kernels' : 'gnGroups'], `level ${bad} has ${widths[bad]} channels (baseWidth ${c.baseWidth}), not divisible by ${n}`);
    }
  }
  if (c.midm.enabled) {
    const bad = widths.findIndex((w) => w % c.midm.heads !== 0);
    if (bad >= 0) fail(['midm', 'heads'], `level ${bad} has ${widths[bad]} channels (baseWidth ${c.baseWidth}), not divisible by ${c.midm.heads} heads`);
  }
  if (new Set(c.ld.levels).size !== c.ld.levels.length) fail(['ld', 'levels'], `levels must not repeat, got [${c.ld.levels.join(', ')}]`);
  const large = Array.isArray(c.ld.largeKernel) ? c.ld.largeKernel : [c.ld.largeKernel];
  const small = c.ld.smallKernel;
  if (small !== null) {
    for (const kl of large) {
      if (small > kl || (kl - small) % 2 !== 0) fail(['ld', 'smallKernel'], `smallKernel ${small} must be <= largeKernel ${kl} with an even difference`);
    }
  }
});

export type MsLkSegConfig = z.output<typeof schema>;

export const msLkSegKnobs: Record<string, string> = {
  baseWidth: 'level widths = baseWidth x [1, 2, 4, 8, 16]',
  blocksPerLevel: 'MIS blocks per encoder level',
  attentionOrder: 'mie-midm | midm-mie | parallel (both gates from the same input, multiplied)',
  'dyconv.enabled': 'dynamic conv (off = plain 3x3 conv)', 'dyconv.K': 'number of kernels',
  'dyconv.temperature': 'softmax temperature schedule: linear start -> end over epochs, or constant end',
  'mie.enabled': 'spatial attention', 'mie.kernels': 'one odd 1-D kernel per channel group',
  'mie.shareHW': 'same 1-D convs for the H and W profiles', 'mie.gate': 'sigmoid | hard-sigmoid',
  'midm.enabled': 'channel attention', 'midm.heads': 'attention heads (channels divisible by it)',
  'midm.window': 'pooling window and stride (null = global)', 'midm.pool': 'avg | max',
  'ld.enabled': 'large-kernel skip blocks (off = identity skips)', 'ld.largeKernel': 'odd; one number or one per skip level 1-4',
  'ld.smallKernel': 'parallel re-param branch (odd) or null', 'ld.levels': 'skip levels with LD, within 1-4',
  'ld.fuseForInference': 'fuse ReDW for inference (profile, export)',
  downsample: 'maxpool | avgpool', upsample: 'bilinear | nearest',
};

/** One MIS block: conv -> BN -> ReLU -> attention, named enc.{level}.mis.{block}.*. */
function misBlock(x: Sym, filters: number, name: string, c: MsLkSegConfig, seeds: SeedSequence): Sym {
  let y: Sym;
  if (c.dyconv.enabled) {
    const conv = new DyConv({
      name: `${name}.conv`, filters, kernels: c.dyconv.K, seed: seeds.next(),
      temperature: temperatureAt(c.dyconv.temperature, 0),
    });
    y = apply(new ReLU({name: `${name}.relu`}), apply(batchNorm(`${name}.bn`), apply(conv, x)));
  } else {
    y = convBnRelu(x, filters, name, seeds);
  }
  const mie = c.mie.enabled ? new MIE({name: `${name}.mie`, kernels: c.mie.kernels, shareHW: c.mie.shareHW, gnGroups: c.mie.gnGroups, gate: c.mie.gate, seed: seeds.next()}) : null;
  const midm = c.midm.enabled ? new MIDM({name: `${name}.midm`, heads: c.midm.heads, window: c.midm.window, pool: c.midm.pool, seed: seeds.next()}) : null;
  if (mie && midm && c.attentionOrder === 'parallel') return apply(midm, [y, apply(mie, y)]);
  const order = c.attentionOrder === 'midm-mie' ? [midm, mie] : [mie, midm];
  for (const layer of order) if (layer) y = apply(layer, y);
  return y;
}

export function buildMsLkSeg(c: MsLkSegConfig, options: BuildOptions = {}): tf.LayersModel {
  const seeds = new SeedSequence(options.seed ?? 0);
  const widths = levelWidths(c.baseWidth);
  const image = input(c.inChannels, options.inputSize ?? null);
  const features: Sym[] = [];
  let x = image;
  widths.forEach((w, level) => {
    if (level > 0) x = downsample(x, c.downsample, `enc.${level}.down`);
    for (let b = 0; b < c.blocksPerLevel; b++) x = misBlock(x, w, `enc.${level}.mis.${b}`, c, seeds);
    features.push(x);
  });
  const skips = features.slice(0, 4).map((f, i) => {
    const level = i + 1;
    if (!c.ld.enabled || !c.ld.levels.includes(level)) return f;
    const largeKernel = Array.isArray(c.ld.largeKernel) ? c.ld.largeKernel[i]! : c.ld.largeKernel;
    return apply(new LD({name: `skip.${i}.ld`, largeKernel, smallKernel: c.ld.smallKernel, fused: options.fused ?? false, seed: seeds.next()}), f);
  });
  let y = features[4]!;
  for (let i = 3; i >= 0; i--) y = decoderStage(y, skips[i]!, widths[i]!, i, c.upsample, seeds);
  return tf.model({inputs: image, outputs: head(y, c.outChannels, seeds), name: 'ms-lkseg'});
}
