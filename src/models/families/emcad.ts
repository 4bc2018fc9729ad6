// EMCAD (Rahman, Munir, Marculescu, CVPR 2024): a PVTv2 encoder (Wang et al. 2022) and the EMCAD decoder, with
// every knob of EMCAD's own ablations (../shared/design/emcad.md, the spec this follows block by block). The
// PyTorch twin ../shared/bench/torch-twin/emcad.py is the reference for parameter counts and weight names
// (emcad-weights.ts maps ours onto its state_dict).
import * as tf from '@tensorflow/tfjs';
import {z} from 'zod';
import {checkKernel, ioFields, oddKernel, type BuildOptions, type SizeProblems} from './common.js';
import {apply, convBnRelu, input, SeedSequence, type Sym} from '../graph.js';
import {ChannelAttention} from '../layers/channel-attention.js';
import {DropPath} from '../layers/drop-path.js';
import {EUCB} from '../layers/eucb.js';
import {LayerNorm} from '../layers/layer-norm.js';
import {LGAG} from '../layers/lgag.js';
import {MixMLP} from '../layers/mix-mlp.js';
import {MSCB} from '../layers/mscb.js';
import {OverlapPatchEmbed} from '../layers/patch-embed.js';
import {loadPretrainedPvt} from './pvt-pretrained.js';
import {Upsample} from '../layers/resample.js';
import {SpatialAttention} from '../layers/spatial-attention.js';
import {SRAttention} from '../layers/sr-attention.js';
import type {ModelFamily} from '../registry.js';

/** PVTv2 variants: stage widths C1..C4 and blocks per stage (emcad.md's table). */
export const PVT_VARIANTS = {
  b0: {widths: [32, 64, 160, 256], depths: [2, 2, 2, 2]},
  b1: {widths: [64, 128, 320, 512], depths: [2, 2, 2, 2]},
  b2: {widths: [64, 128, 320, 512], depths: [3, 4, 6, 3]},
} as const;
export type PvtVariant = keyof typeof PVT_VARIANTS;

/** Per stage, the same in every variant: attention heads, MLP ratios, spatial-reduction ratios. */
export const PVT_HEADS = [1, 2, 5, 8] as const;
export const PVT_MLP_RATIOS = [8, 8, 4, 4] as const;
export const PVT_REDUCTIONS = [8, 4, 2, 1] as const;

/** LayerNorm epsilon in PVTv2's blocks and after each stage. */
export const PVT_BLOCK_EPSILON = 1e-6;

/** Input sides must be multiples of 32: the encoder's deepest stage has stride 32. */
export const EMCAD_SIZE_DIVISOR = 32;


export const emcadSchema = z.object({
  model: z.literal('emcad').describe('the model family'),
  ...ioFields,
  encoder: z.enum(['b0', 'b1', 'b2']).default('b2').describe('PVTv2 encoder: b0 (3.9M parameters with the decoder), b1 (15.4M) or b2 (26.8M)'),
  pretrained: z.string()
    .refine((p) => p.trim() !== '' && !/[\n\r]/.test(p), {message: 'give a path to the ImageNet weights file, or null to train from scratch'})
    .refine((p) => p.toLowerCase().endsWith('.safetensors'), {message: 'the weights file must be .safetensors (PVTv2 release or timm pvt_v2_b*; convert a .pth with the README\'s one line of Python), or null to train from scratch'})
    .nullable().default(null).describe('ImageNet weights of the PVTv2 encoder: a .safetensors file of the PVTv2 release or timm (pvt_v2_b0..b2, same variant as encoder), loaded before the first step of a new run; null = from scratch'),
  mscbKernels: z.array(oddKernel).min(1).max(8).default([1, 3, 5]).describe('odd depthwise kernels of each MSCB, one branch each'),
  expansion: z.number().int().min(1).max(16).default(2).describe('MSCB expansion factor: channels of its depthwise branches = expansion x input channels'),
  dwParallel: z.boolean().default(true).describe('MSCB branches in parallel on the same map (false: sequential, each on the map plus the outputs before it)'),
  mscbCombine: z.enum(['add', 'concat']).default('add').describe('how MSCB combines its branches: added, or concatenated (a wider last 1x1 conv)'),
  activation: z.enum(['relu', 'relu6']).default('relu').describe('activation inside MSCB'),
  cab: z.boolean().default(true).describe('channel attention (CAB) in each MSCAM'),
  sab: z.boolean().default(true).describe('spatial attention (SAB, one shared by the four stages) in each MSCAM'),
  lgag: z.boolean().default(true).describe('LGAG attention gates on the skips (false: the skip is added as it is)'),
  lgagKernel: z.number().int().refine((k) => k === 1 || k === 3, {message: 'lgagKernel is 1 (dense 1x1 convs) or 3 (grouped 3x3 convs)'})
    .default(3).describe('kernel of the LGAG convolutions: 3 (grouped, C / 2 groups) or 1 (dense)'),
  dropPath: z.number().min(0).max(0.9).default(0.1).describe('stochastic depth of the encoder blocks: rate rising linearly from 0 to this over all blocks (training only)'),
  supervision: z.enum(['mutation', 'deep', 'last']).default('mutation')
    .describe('loss over the four heads: mutation (every non-empty subset of their sum, 15 terms), deep (each head alone), last (p1 only)'),
  inferenceHead: z.enum(['p1', 'sum']).default('p1').describe('what evaluation and prediction use: the shallowest head p1, or the sum of all four'),
}).strict();

export type EmcadConfig = z.output<typeof emcadSchema>;

/** Stochastic-depth rate of each encoder block in build order: evenly spaced from 0 to `rate` (torch.linspace). */
export function dropPathRates(depths: readonly number[], rate: number): number[] {
  const n = depths.reduce((a, b) => a + b, 0);
  return Array.from({length: n}, (_, i) => (n === 1 ? 0 : (rate * i) / (n - 1)));
}

/** One PVTv2 block, `enc.{stage}.block.{b}.*`: x + DropPath(Attn(LN(x))), then x + DropPath(MLP(LN(x))). */
function pvtBlock(x: Sym, name: string, stage: number, rate: number, seeds: SeedSequence): Sym {
  const residual = (input: Sym, branch: Sym, i: number): Sym => {
    const dropped = rate > 0 ? apply(new DropPath({name: `${name}.drop_path${i}`, rate, seed: seeds.next()}), branch) : branch;
    return apply(tf.layers.add({name: `${name}.add${i}`}), [input, dropped]);
  };
  const attn = apply(new SRAttention({name: `${name}.attn`, heads: PVT_HEADS[stage - 1]!, reduction: PVT_REDUCTIONS[stage - 1]!, seed: seeds.next()}),
    apply(new LayerNorm({name: `${name}.norm1`, epsilon: PVT_BLOCK_EPSILON}), x));
  const y = residual(x, attn, 1);
  const mlp = apply(new MixMLP({name: `${name}.mlp`, ratio: PVT_MLP_RATIOS[stage - 1]!, seed: seeds.next()}),
    apply(new LayerNorm({name: `${name}.norm2`, epsilon: PVT_BLOCK_EPSILON}), y));
  return residual(y, mlp, 2);
}

/** The PVTv2 encoder: the features of stages 1-4 (strides 4, 8, 16, 32), `enc.{1-4}.*`. */
function pvtEncoder(x: Sym, c: EmcadConfig, seeds: SeedSequence): Sym[] {
  const {widths, depths} = PVT_VARIANTS[c.encoder];
  const rates = dropPathRates(depths, c.dropPath);
  const features: Sym[] = [];
  let block = 0;
  for (let stage = 1; stage <= 4; stage++) {
    const first = stage === 1;
    x = apply(new OverlapPatchEmbed({name: `enc.${stage}.embed`, filters: widths[stage - 1]!, kernelSize: first ? 7 : 3, strides: first ? 4 : 2, seed: seeds.next()}), x);
    for (let b = 0; b < depths[stage - 1]!; b++) x = pvtBlock(x, `enc.${stage}.block.${b}`, stage, rates[block++]!, seeds);
    x = apply(new LayerNorm({name: `enc.${stage}.norm`, epsilon: PVT_BLOCK_EPSILON}), x);
    features.push(x);
  }
  return features;
}

/**
 * Builds EMCAD. Input [N, H, W, inChannels] (H, W multiples of 32; a non-RGB input first goes through a 1x1 conv
 * -> BN -> ReLU to 3 channels, `stem.*`). Outputs, shallowest first: [p1, p2, p3, p4], each logits
 * [N, H, W, outChannels] at the input size: the 1x1 head (with bias) of decoder stage i (stride 2^(i+1)), up-sampled
 * bilinearly (half-pixel centres). The twin returns them deepest first. Layer names: `enc.{1-4}.*` (encoder stage),
 * `dec.{1-4}.{cab,mscb,eucb,lgag}` (decoder stage i, at stride 2^(i+1); EUCB i makes stage i from stage i + 1),
 * `dec.sab` (shared), `head.p{1-4}`. Throws when options.inputSize is not a multiple of 32. The weights are initial
 * ones whatever `pretrained` says: a new training loads the file (the family's loadPretrained hook), a checkpoint
 * replaces them all.
 */
export function buildEmcad(c: EmcadConfig, options: BuildOptions = {}): tf.LayersModel {
  const size = options.inputSize ?? null;
  if (size !== null && size % EMCAD_SIZE_DIVISOR !== 0) {
    throw new Error(`input size ${size} must be a positive multiple of ${EMCAD_SIZE_DIVISOR} for EMCAD (its encoder's deepest stage has stride 32)`);
  }
  const seeds = new SeedSequence(options.seed ?? 0);
  const image = input(c.inChannels, size);
  const rgb = c.inChannels === 3 ? image : convBnRelu(image, 3, 'stem', seeds, '', 1);
  const features = pvtEncoder(rgb, c, seeds);
  const widths = PVT_VARIANTS[c.encoder].widths;
  const sab = c.sab ? new SpatialAttention({name: 'dec.sab', kernelSize: 7, seed: seeds.next()}) : null;
  const mscam = (x: Sym, stage: number): Sym => {
    if (c.cab) x = apply(new ChannelAttention({name: `dec.${stage}.cab`, seed: seeds.next()}), x);
    if (sab) x = apply(sab, x);
    return apply(new MSCB({
      name: `dec.${stage}.mscb`, filters: widths[stage - 1]!, kernels: c.mscbKernels, expansion: c.expansion,
      parallel: c.dwParallel, combine: c.mscbCombine, activation: c.activation, seed: seeds.next(),
    }), x);
  };
  const decoded: Sym[] = [];
  decoded[4] = mscam(features[3]!, 4);
  for (let stage = 3; stage >= 1; stage--) {
    const up = apply(new EUCB({name: `dec.${stage}.eucb`, filters: widths[stage - 1]!, seed: seeds.next()}), decoded[stage + 1]!);
    const skip = features[stage - 1]!;
    const gated = c.lgag ? apply(new LGAG({name: `dec.${stage}.lgag`, kernelSize: c.lgagKernel, seed: seeds.next()}), [up, skip]) : skip;
    decoded[stage] = mscam(apply(tf.layers.add({name: `dec.${stage}.add`}), [up, gated]), stage);
  }
  const outputs = [1, 2, 3, 4].map((stage) => {
    const logits = apply(tf.layers.conv2d({
      name: `head.p${stage}`, filters: c.outChannels, kernelSize: 1, useBias: true,
      kernelInitializer: tf.initializers.glorotUniform({seed: seeds.next()}),
    }), decoded[stage]!);
    return apply(new Upsample({name: `head.p${stage}.up`, mode: 'bilinear', factor: 2 ** (stage + 1)}), logits);
  });
  return tf.model({inputs: image, outputs, name: 'emcad'});
}

/** How reports name an EMCAD model: whether its encoder started from ImageNet weights or from scratch. */
export function emcadLabel(c: Pick<EmcadConfig, 'pretrained'>): string {
  return c.pretrained === null ? 'EMCAD (scratch)' : 'EMCAD (ImageNet)';
}

/** Sets every DropPath of `model` to draw the masks of training step `stepsDone` next (see drop-path.ts). */
export function setDropPathStep(model: tf.LayersModel, stepsDone: number): void {
  for (const layer of model.layers) if (layer instanceof DropPath) layer.setTrainingStep(stepsDone);
}

export const emcadFamily: ModelFamily<EmcadConfig> = {
  name: 'emcad',
  description: 'EMCAD: PVTv2 encoder, multi-scale convolutional attention decoder, four heads (Rahman et al., CVPR 2024)',
  schema: emcadSchema,
  build: buildEmcad,
  // Nothing to re-parameterise: evaluation runs the model as built.
  fusesForInference: () => false,
  // Heads [p1, p2, p3, p4]: p1, the decoder's last (shallowest) stage, is the 'last' head and the one the authors'
  // test scripts predict with; MUTATION and deep supervision train all four (Rahman et al., CVPR 2024).
  outputs: (c) => ({
    heads: 4,
    trainingLoss: c.supervision === 'last' ? {rule: 'last', head: 0} : {rule: c.supervision},
    inference: c.inferenceHead === 'sum' ? {kind: 'sum'} : {kind: 'head', head: 0},
  }),
  temperatureAt: () => null,
  setTemperature: () => {},
  loadPretrained: async (model, c) => (c.pretrained === null ? null : loadPretrainedPvt(model, c.pretrained)),
  label: (c) => emcadLabel(c),
  // Stochastic depth draws its masks for the step the loop is at, so a resumed run drops what an uninterrupted one does.
  beforeTrainingStep: setDropPathStep,
  inputSizeProblems: (c, size) => {
    const problems: SizeProblems = {refused: [], warnings: []};
    if (size % EMCAD_SIZE_DIVISOR !== 0) {
      const near = Math.max(EMCAD_SIZE_DIVISOR, Math.round(size / EMCAD_SIZE_DIVISOR) * EMCAD_SIZE_DIVISOR);
      problems.refused.push(`data.size ${size} is not a multiple of ${EMCAD_SIZE_DIVISOR}, which EMCAD's encoder needs (strides 4 to 32): use data.size=${near}`);
      return problems;
    }
    // MSCB runs at strides 4, 8, 16, 32: levels 2-5 of featureMapSize's halvings.
    checkKernel(problems, 'model.mscbKernels', Math.max(...c.mscbKernels), [2, 3, 4, 5], size, (level) => `decoder stage ${level - 1}`);
    return problems;
  },
};
