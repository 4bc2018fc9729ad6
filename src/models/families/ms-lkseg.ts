// MS-LKSeg (Li, Niu et al. 2025) with every ablation knob of ms-lkseg.md. Encoder: 5 levels of
// `blocksPerLevel` MIS blocks (DyConv | 3x3 conv -> BN -> ReLU -> MIE/MIDM in the chosen order), 2x
// down-sampling between levels; LD blocks on the skips of the chosen levels (1-4); decoder of 4 stages
// (up-sample, concat, (3x3 conv, BN, ReLU) x 2) and a 1x1 head (logits).
import * as tf from '@tensorflow/tfjs';
import {z} from 'zod';
import {checkKernel, commonFields, oddKernel, type SizeProblems, type BuildOptions} from './common.js';
import {apply, convBnRelu, decoderStage, downsample, head, input, levelWidths, SeedSequence, batchNorm, type Sym} from '../graph.js';
import {DyConv} from '../layers/dyconv.js';
import {LD} from '../layers/ld.js';
import {MIDM} from '../layers/midm.js';
import {MIE} from '../layers/mie.js';
import {ReLU} from '../layers/relu.js';
import type {ModelFamily} from '../registry.js';
import {scheduledTemperature, setDyConvTemperature, temperatureScheduleSchema} from './dyconv-temperature.js';

const levelMessage = {message: 'levels are 1-4 (the skips)'};

const schema = z.object({
  model: z.literal('ms-lkseg').describe('the model family'),
  ...commonFields,
  blocksPerLevel: z.number().int().min(1).max(8).default(2).describe('MIS blocks (conv, BN, ReLU, attention) per encoder level'),
  attentionOrder: z.enum(['mie-midm', 'midm-mie', 'parallel']).default('mie-midm')
    .describe('order of the two attentions in a MIS block; parallel: both gates from the same input, multiplied'),
  dyconv: z.object({
    enabled: z.boolean().default(true).describe('dynamic convolution in the MIS blocks (off = plain 3x3 conv)'),
    K: z.number().int().min(1).max(64).default(4).describe('parallel 3x3 kernels mixed per sample by a softmax attention'),
    temperature: temperatureScheduleSchema.default({}).describe('softmax temperature of the kernel attention, annealed while training'),
  }).strict().default({}).describe('DyConv (Chen et al. 2020), the first conv of each MIS block'),
  mie: z.object({
    enabled: z.boolean().default(true).describe('MIE spatial attention (SCSA\'s SMSA) in the MIS blocks'),
    kernels: z.array(oddKernel).min(1).max(64).default([3, 5, 7, 9]).describe('one odd 1-D depthwise kernel per channel group; their count is the number of groups'),
    shareHW: z.boolean().default(true).describe('the same 1-D convs for the H and the W profile'),
    gnGroups: z.number().int().min(1).default(4).describe('GroupNorm groups before the gates (every level width divisible by it)'),
    gate: z.enum(['sigmoid', 'hard-sigmoid']).default('sigmoid').describe('activation of the spatial gates'),
  }).strict().default({}).describe('MIE: multi-scale spatial attention over H and W profiles'),
  midm: z.object({
    enabled: z.boolean().default(true).describe('MIDM channel attention (SCSA\'s PCSA) in the MIS blocks'),
    heads: z.number().int().min(1).default(1).describe('attention heads over channels (every level width divisible by it)'),
    window: z.number().int().min(1).nullable().default(7).describe('pooling window and stride before the attention (null = global pooling)'),
    pool: z.enum(['avg', 'max']).default('avg').describe('pooling before the attention'),
  }).strict().default({}).describe('MIDM: channel self-attention on a pooled map'),
  ld: z.object({
    enabled: z.boolean().default(true).describe('LD large-kernel blocks on the skips (off = identity skips)'),
    largeKernel: z.union([oddKernel, z.array(oddKernel).length(4)]).default(21).describe('odd depthwise kernel of ReDW: one for all, or one per skip level 1-4'),
    smallKernel: oddKernel.nullable().default(3).describe('odd parallel re-parameterisable branch, <= largeKernel with an even difference (null = none)'),
    levels: z.array(z.number().int().min(1, levelMessage).max(4, levelMessage)).max(4).default([1, 2, 3, 4]).describe('skip levels that get an LD block, within 1-4'),
    fuseForInference: z.boolean().default(true).describe('fuse the ReDW branches into one kernel for evaluation, prediction, profile and export (same outputs)'),
  }).strict().default({}).describe('LD: RepLK-style large-kernel blocks on the skips'),
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

/** A model freshly built runs at the temperature before any training step. */
const BEFORE_TRAINING = {stepsDone: 0, stepsPerEpoch: 1, epochs: 1};

/** One MIS block: conv -> BN -> ReLU -> attention, named enc.{level}.mis.{block}.*. */
function misBlock(x: Sym, filters: number, name: string, c: MsLkSegConfig, seeds: SeedSequence): Sym {
  let y: Sym;
  if (c.dyconv.enabled) {
    const conv = new DyConv({
      name: `${name}.conv`, filters, kernels: c.dyconv.K, seed: seeds.next(),
      temperature: scheduledTemperature(c.dyconv.temperature, BEFORE_TRAINING),
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

export const msLkSegFamily: ModelFamily<MsLkSegConfig> = {
  name: 'ms-lkseg',
  description: 'MS-LKSeg: MIS encoder (DyConv, MIE, MIDM), LD large-kernel skips (Li, Niu et al. 2025)',
  schema: msLkSegSchema,
  build: buildMsLkSeg,
  fusesForInference: (c) => c.ld.fuseForInference,
  temperatureAt: (c, progress) => (c.dyconv.enabled ? scheduledTemperature(c.dyconv.temperature, progress) : null),
  setTemperature: (model, tau) => void setDyConvTemperature(model, tau),
  inputSizeProblems: (c, size) => {
    const problems: SizeProblems = {refused: [], warnings: []};
    if (!c.ld.enabled) return problems;
    // Skip level L (1-4) joins encoder level L - 1, at size / 2^(L-1) px.
    const large = c.ld.largeKernel;
    const skip = (encoderLevel: number) => `skip level ${encoderLevel + 1}`;
    if (Array.isArray(large)) {
      for (const level of c.ld.levels) checkKernel(problems, `model.ld.largeKernel[${level - 1}]`, large[level - 1]!, [level - 1], size, skip);
    } else if (c.ld.levels.length > 0) {
      checkKernel(problems, 'model.ld.largeKernel', large, c.ld.levels.map((l) => l - 1), size, skip);
    }
    return problems;
  },
};
