// Batch norms folded into the convolutions before them, for inference: a Conv2D whose only consumer is a BatchNorm
// (and that BN's only consumer a ReLU) becomes one Conv2D with bias (and ReLU), the re-parameterisation every
// inference engine applies (e.g. Jacob et al. 2018, sec. 3.2; PyTorch's torch.fx `fuse`). In inference mode BN is the
// per-channel affine map y = x * scale + shift (BatchNormParams.scaleShift), so
//   BN(conv(x, W) + b) = conv(x, W * scale) + (b * scale + shift),
// equal within float rounding. One kernel call instead of three per block, and the ReLU fused into the convolution
// (FusedConv2D), which is what makes batch-1 U-Net inference cheap. Not trainable the same way (the running
// statistics are baked in), so it is for the inference form only; training and export keep BN layers.
import * as tf from '@tensorflow/tfjs';
import './layers/index.js';
import {BatchNorm} from './layers/batch-norm.js';
import {ReLU} from './layers/relu.js';
import {graphConfigOf, modelFromGraph, weightNameInLayer, type GraphConfig, type LayerEntry, type NodeRef} from './graph-config.js';

/** One Conv2D -> BatchNorm (-> ReLU) chain that folds into the Conv2D (layer names). */
export interface FoldableChain {
  conv: string;
  batchNorm: string;
  /** The ReLU after the BN, folded as the convolution's activation; absent when the BN feeds anything else. */
  relu?: string;
}

const CONV = 'Conv2D';
const RELU_CLASS = ReLU.className;
const BN_CLASS = BatchNorm.className;

/** Layers that read each layer's output: name -> consumer names (one per reference). */
function consumersOf(layers: readonly LayerEntry[]): Map<string, string[]> {
  const consumers = new Map<string, string[]>();
  for (const layer of layers) {
    for (const node of layer.inboundNodes) {
      for (const [inbound] of node) {
        const readers = consumers.get(inbound);
        if (readers) readers.push(layer.name);
        else consumers.set(inbound, [layer.name]);
      }
    }
  }
  return consumers;
}

/**
 * The chains of `model` that foldBatchNorms folds: a Conv2D with a linear activation, applied once and not a model
 * output, whose output only a BatchNorm reads (also applied once); the ReLU after it joins when it is that BN's only
 * reader and the BN is not a model output. Pure: reads the model's config, changes nothing.
 */
export function foldableChains(model: tf.LayersModel): FoldableChain[] {
  return chainsOf(graphConfigOf(model));
}

/** foldableChains on a graph already read. */
function chainsOf(config: GraphConfig): FoldableChain[] {
  const byName = new Map(config.layers.map((l) => [l.name, l]));
  const consumers = consumersOf(config.layers);
  const outputs = new Set(config.outputLayers.map(([name]) => name));
  const soleReader = (name: string, className: string): LayerEntry | undefined => {
    const readers = consumers.get(name) ?? [];
    const reader = readers.length === 1 && !outputs.has(name) ? byName.get(readers[0]!) : undefined;
    return reader?.className === className && reader.inboundNodes.length === 1 && reader.inboundNodes[0]!.length === 1 ? reader : undefined;
  };
  const chains: FoldableChain[] = [];
  for (const conv of config.layers) {
    if (conv.className !== CONV || conv.inboundNodes.length !== 1 || conv.config['activation'] !== 'linear') continue;
    const bn = soleReader(conv.name, BN_CLASS);
    if (!bn) continue;
    const relu = soleReader(bn.name, RELU_CLASS);
    chains.push({conv: conv.name, batchNorm: bn.name, ...(relu ? {relu: relu.name} : {})});
  }
  return chains;
}

/**
 * A copy of `model` (which stays the caller's) with every foldableChains chain folded into its Conv2D: kernel
 * W * scale ([kh, kw, cin, cout] times [cout]), bias b * scale + shift ([cout]), activation 'relu' when the chain has
 * a ReLU; the BN and ReLU layers are gone and their readers (and the model outputs they were) read the convolution,
 * so the outputs keep their number and order. Every other layer keeps its name
 * and weights. Returns `model` itself when nothing folds, else a new model the caller disposes. Its outputs equal
 * `model`'s in inference mode within float rounding (about 1e-6 relative). The user metadata is kept, with
 * `batchNormsFolded` counting the chains.
 */
export function foldBatchNorms(model: tf.LayersModel): tf.LayersModel {
  const config = graphConfigOf(model);
  const chains = chainsOf(config);
  if (chains.length === 0) return model;
  const removed = new Map<string, string>();
  for (const chain of chains) {
    const conv = config.layers.find((l) => l.name === chain.conv)!;
    conv.config['useBias'] = true;
    if (chain.relu) conv.config['activation'] = 'relu';
    removed.set(chain.batchNorm, chain.conv);
    if (chain.relu) removed.set(chain.relu, chain.conv);
  }
  config.layers = config.layers.filter((l) => !removed.has(l.name));
  for (const layer of config.layers) {
    layer.inboundNodes = layer.inboundNodes.map((node) => node.map(([name, ...rest]): NodeRef => [removed.get(name) ?? name, ...rest]));
  }
  config.outputLayers = config.outputLayers.map(([name, ...rest]) => [removed.get(name) ?? name, ...rest]);
  const byConv = new Map(chains.map((c) => [c.conv, c]));
  const folded = modelFromGraph(config, model, 'foldBatchNorms', (source) => {
    const chain = byConv.get(source.name);
    return chain ? foldedWeights(source, model.getLayer(chain.batchNorm) as BatchNorm) : {};
  });
  folded.setUserDefinedMetadata({...(model.getUserDefinedMetadata() ?? {}), batchNormsFolded: chains.length});
  return folded;
}

/** The folded Conv2D's 'kernel' and 'bias' (new tensors the caller disposes). */
function foldedWeights(conv: tf.layers.Layer, bn: BatchNorm): Record<string, tf.Tensor> {
  return tf.tidy(() => {
    const {scale, shift} = bn.inferenceScaleShift();
    const weight = (name: string) => conv.weights.find((w) => weightNameInLayer(conv, w) === name)?.read();
    const kernel = weight('kernel');
    if (!kernel) throw new Error(`foldBatchNorms: ${conv.name} has no kernel`);
    const bias = weight('bias');
    return {kernel: tf.mul(kernel, scale), bias: bias ? tf.add(tf.mul(bias, scale), shift) : shift.clone()};
  });
}
