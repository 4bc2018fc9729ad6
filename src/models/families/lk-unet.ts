// A large-kernel U-Net in the style of CMUNeXt (Tang et al., ISBI 2024), standing in for LKSNeXt (no public
// description). Encoder level i: (level 0: a stem (3x3 conv, BN, ReLU) x 2), depths[i] CMUNeXt blocks at the
// incoming width, then (3x3 conv, BN, ReLU) x 2 to the level's width. CMUNeXt block:
//   x = x + BN(GELU(dwconv_k(x)));  x = BN(GELU(pw2(BN(GELU(pw1(x))))))  with pw1: C -> 4C, pw2: 4C -> C.
// Its convs keep their biases (GELU sits between conv and BN). Decoder: the shared one.
import * as tf from '@tensorflow/tfjs';
import {z} from 'zod';
import {checkKernel, commonFields, oddKernel, STATELESS_FAMILY_HOOKS, type SizeProblems, type BuildOptions} from './common.js';
import type {ModelFamily} from '../registry.js';
import {apply, batchNorm, decoderStage, doubleConv, downsample, head, input, levelWidths, SeedSequence, type Sym} from '../graph.js';
import {ReDWConv} from '../layers/redw-conv.js';

export const lkUNetSchema = z.object({
  model: z.literal('lk-unet').describe('the model family'),
  ...commonFields,
  kernels: z.union([oddKernel, z.array(oddKernel).length(5)]).default([3, 3, 7, 7, 7]).describe('odd depthwise kernel of the CMUNeXt blocks: one for all levels, or one per level 0-4'),
  depths: z.array(z.number().int().min(0).max(16)).length(5).default([1, 1, 1, 3, 1]).describe('CMUNeXt blocks per encoder level 0-4'),
  expansion: z.number().int().min(1).max(8).default(4).describe('inverted-bottleneck expansion of the 1x1 convs (C -> expansion x C -> C)'),
}).strict();

export type LkUNetConfig = z.output<typeof lkUNetSchema>;

function cmunextBlock(x: Sym, channels: number, kernel: number, expansion: number, name: string, seeds: SeedSequence): Sym {
  const gelu = (n: string) => tf.layers.activation({name: n, activation: 'gelu'});
  // A fused ReDWConv without a small branch is a plain depthwise conv with bias (tf.layers.depthwiseConv2d
  // passes dilations = null, which the wasm engine's kernel does not accept).
  const dw = apply(new ReDWConv({name: `${name}.dw`, largeKernel: kernel, smallKernel: null, fused: true, seed: seeds.next()}), x);
  const res = apply(tf.layers.add({name: `${name}.add`}), [x, apply(batchNorm(`${name}.dw_bn`), apply(gelu(`${name}.dw_gelu`), dw))]);
  const pw = (y: Sym, filters: number, n: string) => apply(batchNorm(`${n}_bn`), apply(gelu(`${n}_gelu`), apply(tf.layers.conv2d({
    name: n, filters, kernelSize: 1, useBias: true, kernelInitializer: tf.initializers.heNormal({seed: seeds.next()}),
  }), y)));
  return pw(pw(res, channels * expansion, `${name}.pw1`), channels, `${name}.pw2`);
}

export function buildLkUNet(c: LkUNetConfig, options: BuildOptions = {}): tf.LayersModel {
  const seeds = new SeedSequence(options.seed ?? 0);
  const widths = levelWidths(c.baseWidth);
  const kernels = Array.isArray(c.kernels) ? c.kernels : widths.map(() => c.kernels as number);
  const image = input(c.inChannels, options.inputSize ?? null);
  const features: Sym[] = [];
  let x = doubleConv(image, widths[0]!, 'stem', seeds);
  widths.forEach((w, i) => {
    if (i > 0) x = downsample(x, c.downsample, `enc.${i}.down`);
    const cin = i === 0 ? widths[0]! : widths[i - 1]!;
    for (let b = 0; b < c.depths[i]!; b++) x = cmunextBlock(x, cin, kernels[i]!, c.expansion, `enc.${i}.lk.${b}`, seeds);
    x = doubleConv(x, w, `enc.${i}`, seeds);
    features.push(x);
  });
  let y = features[4]!;
  for (let i = 3; i >= 0; i--) y = decoderStage(y, features[i]!, widths[i]!, i, c.upsample, seeds);
  return tf.model({inputs: image, outputs: head(y, c.outChannels, seeds), name: 'lk-unet'});
}

export const lkUNetFamily: ModelFamily<LkUNetConfig> = {
  name: 'lk-unet',
  description: 'Large-kernel U-Net, CMUNeXt-style (Tang et al. 2024): depthwise large kernels + inverted bottlenecks',
  schema: lkUNetSchema,
  build: buildLkUNet,
  ...STATELESS_FAMILY_HOOKS,
  inputSizeProblems: (c, size) => {
    const problems: SizeProblems = {refused: [], warnings: []};
    if (Array.isArray(c.kernels)) c.kernels.forEach((k, level) => checkKernel(problems, `model.kernels[${level}]`, k, [level], size));
    else checkKernel(problems, 'model.kernels', c.kernels, [0, 1, 2, 3, 4], size);
    return problems;
  },
};
