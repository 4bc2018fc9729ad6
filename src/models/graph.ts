// Graph pieces shared by every model family (functional tf.layers API): plain conv blocks, down-sampling,
// the decoder stage, the head, and the seeds that make initialisation reproducible. Layer names are the
// stable weight-name prefixes documented in src/models/WEIGHTS.md ('dec.2.conv1', 'head', ...).
import * as tf from '@tensorflow/tfjs';
import {SeededRandom} from '../io/random.js';
import {BatchNorm} from './layers/batch-norm.js';
import {ReLU} from './layers/relu.js';
import {Upsample, type UpsampleMode} from './layers/resample.js';

export type Sym = tf.SymbolicTensor;
export type DownsampleMode = 'maxpool' | 'avgpool';

/** Seeds for one model's initialisers, drawn in build order from the model seed. */
export class SeedSequence {
  private readonly rng: SeededRandom;
  constructor(seed: number) {
    this.rng = SeededRandom.stream('model-init', seed);
  }
  next(): number {
    return this.rng.int(2 ** 31);
  }
}

export function apply(layer: tf.layers.Layer, x: Sym | Sym[]): Sym {
  return layer.apply(x) as Sym;
}

/** Conv (no bias: BN follows) -> BN -> ReLU, named `${name}.conv|bn|relu` or with a suffix ('conv1'). */
export function convBnRelu(x: Sym, filters: number, name: string, seeds: SeedSequence, suffix = '', kernelSize = 3): Sym {
  const conv = tf.layers.conv2d({
    name: `${name}.conv${suffix}`, filters, kernelSize, padding: 'same', useBias: false,
    kernelInitializer: tf.initializers.heNormal({seed: seeds.next()}),
  });
  return apply(new ReLU({name: `${name}.relu${suffix}`}), apply(batchNorm(`${name}.bn${suffix}`), apply(conv, x)));
}

export function batchNorm(name: string): tf.layers.Layer {
  return new BatchNorm({name});
}

/** (3x3 conv, BN, ReLU) x 2: the U-Net block and the decoder's. */
export function doubleConv(x: Sym, filters: number, name: string, seeds: SeedSequence): Sym {
  return convBnRelu(convBnRelu(x, filters, name, seeds, '1'), filters, name, seeds, '2');
}

export function downsample(x: Sym, mode: DownsampleMode, name: string): Sym {
  const args = {name, poolSize: 2, strides: 2, padding: 'valid' as const};
  return apply(mode === 'maxpool' ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args), x);
}

export function upsample(x: Sym, mode: UpsampleMode, name: string): Sym {
  return apply(new Upsample({name, mode}), x);
}

/** Up-sample x2, concat [up, skip], (3x3 conv, BN, ReLU) x 2: `dec.{level}`. */
export function decoderStage(x: Sym, skip: Sym, filters: number, level: number, mode: UpsampleMode, seeds: SeedSequence): Sym {
  const up = upsample(x, mode, `dec.${level}.up`);
  const cat = apply(tf.layers.concatenate({name: `dec.${level}.cat`, axis: -1}), [up, skip]);
  return doubleConv(cat, filters, `dec.${level}`, seeds);
}

/** 1x1 conv with bias to the output channels: logits (the loss applies the sigmoid). */
export function head(x: Sym, outChannels: number, seeds: SeedSequence): Sym {
  return apply(tf.layers.conv2d({
    name: 'head', filters: outChannels, kernelSize: 1, useBias: true,
    kernelInitializer: tf.initializers.glorotUniform({seed: seeds.next()}),
  }), x);
}

export function input(inChannels: number, inputSize: number | null): Sym {
  if (inputSize !== null && !(Number.isInteger(inputSize) && inputSize > 0 && inputSize % 16 === 0)) {
    throw new Error(`input size ${inputSize} must be a positive multiple of 16 (four 2x down-samplings)`);
  }
  return tf.input({shape: [inputSize, inputSize, inChannels], name: 'image'});
}

/** Widths of the 5 levels: baseWidth * [1, 2, 4, 8, 16]. */
export function levelWidths(baseWidth: number): number[] {
  return [1, 2, 4, 8, 16].map((m) => m * baseWidth);
}
