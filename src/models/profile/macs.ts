// Multiply-accumulates of one forward pass per image, counted analytically per layer from the layer's
// configuration and its input/output shapes (so the model must be built for a fixed input size).
// Counted, as in the PyTorch twin: convolutions (dense, DyConv's K kernels, depthwise, 1x1, MIE's 1-D),
// DyConv's attention FCs, MIDM's q/k/v scales and both attention matmuls (q k^T and attn v), attention-gate
// 1x1 convs, and whatever a layer that counts its own MACs (own-macs.ts: EMCAD's blocks) states for each of
// its applications. Not counted: element-wise ops (BN, GN, activations, gating, DyConv's weighted sum), pooling,
// up-sampling. FLOPs = 2 x MACs.
// DyConv counts K convolutions, the twin's convention and the cost of mixing K convolution outputs. The layer
// itself runs the cheaper, equal aggregated form (one convolution per sample with sum_k pi_k W_k, plus
// K x kernel-size MACs to aggregate), so its real conv cost is 1/K of `dyconv_conv`.
import * as tf from '@tensorflow/tfjs';
import {AttentionGate} from '../layers/attention-gate.js';
import {DyConv, dyConvHiddenUnits} from '../layers/dyconv.js';
import {LD} from '../layers/ld.js';
import {MIDM, midmWindow} from '../layers/midm.js';
import {MIE} from '../layers/mie.js';
import {countsOwnMacs} from '../layers/own-macs.js';
import {ReDWConv} from '../layers/redw-conv.js';

export interface MacCount {
  total: number;
  byCategory: Record<string, number>;
  byLayer: Record<string, number>;
}

function concrete(shape: tf.Shape | tf.Shape[], layer: string): number[] {
  const s = (Array.isArray(shape[0]) ? shape[0] : shape) as tf.Shape;
  if (s.slice(1).some((d) => d === null)) {
    throw new Error(`counting MACs needs a model built for a fixed input size (layer '${layer}' has shape [${s.join(', ')}])`);
  }
  return s.slice(1) as number[];
}

function inputShapes(layer: tf.layers.Layer): tf.Shape[] {
  const input = layer.input;
  return (Array.isArray(input) ? input : [input]).map((t) => t.shape);
}

/** The input shapes (batch dimension dropped) of each application of a layer (a shared layer has several). */
function inputShapesPerApplication(layer: tf.layers.Layer): number[][][] {
  return layer.inboundNodes.map((node) => {
    const shapes = node.inputShapes as tf.Shape | tf.Shape[];
    const list = (Array.isArray(shapes[0]) ? shapes : [shapes]) as tf.Shape[];
    return list.map((s) => concrete(s, layer.name));
  });
}

/** MACs of one layer by category (empty for layers without multiplies that count), over all its applications. */
export function layerMacs(layer: tf.layers.Layer): Record<string, number> {
  if (countsOwnMacs(layer)) {
    const total: Record<string, number> = {};
    for (const shapes of inputShapesPerApplication(layer)) {
      for (const [k, v] of Object.entries(layer.macsPerImage(shapes))) total[k] = (total[k] ?? 0) + v;
    }
    return total;
  }
  const out = (): number[] => concrete(layer.outputShape, layer.name);
  const inp = (): number[] => concrete(inputShapes(layer)[0]!, layer.name);
  if (layer instanceof DyConv) {
    const [h, w] = out();
    const cin = inp()[2]!;
    const hidden = dyConvHiddenUnits(cin, layer.kernels);
    return {
      dyconv_conv: h! * w! * layer.kernels * layer.filters * cin * layer.kernelSize ** 2,
      dyconv_fc: cin * hidden + hidden * layer.kernels,
    };
  }
  if (layer instanceof MIE) {
    const [h, w, c] = inp();
    const g = c! / layer.kernels.length;
    return {mie_dwconv1d: (h! + w!) * g * layer.kernels.reduce((a, b) => a + b, 0)};
  }
  if (layer instanceof MIDM) {
    const [h, w, c] = inp();
    const [ph, pw] = midmWindow(layer.window, h!, w!);
    const n = Math.floor(h! / ph) * Math.floor(w! / pw);
    const d = c! / layer.heads;
    return {midm_qkv_scale: 3 * c! * n, attention_matmul: 2 * layer.heads * d * d * n};
  }
  if (layer instanceof LD || layer instanceof ReDWConv) {
    const [h, w, c] = inp();
    const taps = layer.largeKernel ** 2 + (layer.fused || layer.smallKernel === null ? 0 : layer.smallKernel ** 2);
    const dw = h! * w! * c! * taps;
    return layer instanceof LD ? {conv_1x1: 2 * h! * w! * c! * c!, ld_dwconv: dw} : {dwconv: dw};
  }
  if (layer instanceof AttentionGate) {
    const [xs, gs] = inputShapes(layer).map((s) => concrete(s, layer.name));
    const [h, w, cx] = xs!;
    const cg = gs![2]!;
    const f = layer.interChannels ?? Math.max(1, Math.floor(cx! / 2));
    return {conv_1x1: h! * w! * (cx! * f + cg * f + f)};
  }
  const className = layer.getClassName();
  if (className === 'Conv2D') {
    const [h, w, cout] = out();
    const cin = inp()[2]!;
    const [kh, kw] = (layer.getConfig()['kernelSize'] as number[]);
    return {[`conv_${kh}x${kw}`]: h! * w! * cout! * cin * kh! * kw!};
  }
  if (className === 'DepthwiseConv2D') {
    const [h, w, cout] = out();
    const [kh, kw] = (layer.getConfig()['kernelSize'] as number[]);
    return {dwconv: h! * w! * cout! * kh! * kw!};
  }
  if (className === 'Dense') {
    const cin = inp().at(-1)!;
    const cout = out().at(-1)!;
    return {dense: cin * cout};
  }
  return {};
}

export function countMacs(model: tf.LayersModel): MacCount {
  const byCategory: Record<string, number> = {};
  const byLayer: Record<string, number> = {};
  let total = 0;
  for (const layer of model.layers) {
    const macs = layerMacs(layer);
    const sum = Object.values(macs).reduce((a, b) => a + b, 0);
    if (sum === 0) continue;
    byLayer[layer.name] = sum;
    for (const [k, v] of Object.entries(macs)) byCategory[k] = (byCategory[k] ?? 0) + v;
    total += sum;
  }
  return {total, byCategory, byLayer};
}
