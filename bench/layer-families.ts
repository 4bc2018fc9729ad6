// The layer families of the per-layer-family profile (bench/layer-profile.ts, issue #14): which family each of a
// model's top-level layers belongs to, from its name and class as the model builders name them
// (src/models/graph.ts, src/models/families/ms-lkseg.ts, unet.ts), and what the optimiser's update costs.
import type * as tf from '@tensorflow/tfjs';
import type {OptimizerConfig} from '../src/runs/config.js';

/** A top-level layer of a model, as the profile sees it: `layer.name`, `layer.getClassName()`, a conv's kernel size. */
export interface LayerInfo {
  name: string;
  className: string;
  /** [kh, kw] of a convolution layer; absent for other layers. */
  kernelSize?: readonly number[];
}

/** The family of the update step (the optimiser's own row). */
export const OPTIMISER_FAMILY = 'optimiser';

/** The families in the order the profile's table lists them; any other family ('other (...)') follows. */
export const FAMILY_ORDER: readonly string[] = [
  'plain 3x3 conv', 'DyConv', 'MIE', 'MIDM', 'LD depthwise', 'decoder', 'head', OPTIMISER_FAMILY,
];

const ATTENTION_AND_SKIP: Record<string, string> = {DyConv: 'DyConv', MIE: 'MIE', MIDM: 'MIDM', LD: 'LD depthwise'};

/** The family of a layer on its own (its block's batch norm and ReLU are resolved by `layerFamilies`). */
function ownFamily(layer: LayerInfo): string {
  if (layer.name === 'head' || layer.name.startsWith('head.')) return 'head';
  if (layer.name.startsWith('dec.')) return 'decoder';
  const named = ATTENTION_AND_SKIP[layer.className];
  if (named !== undefined) return named;
  if (layer.name.startsWith('enc.') && layer.className === 'Conv2D') {
    const [kh, kw] = layer.kernelSize ?? [];
    return `plain ${kh ?? '?'}x${kw ?? '?'} conv`;
  }
  return `other (${layer.className})`;
}

/**
 * The family of every layer, by name. Heads (`head`, `head.*`) are 'head'; everything of the shared decoder
 * (`dec.{level}.*`: upsampling, concatenation, its conv-BN-ReLU pairs) is 'decoder'; DyConv, MIE, MIDM and LD
 * layers are their own families wherever they sit; an encoder Conv2D (`enc.*`) is 'plain KxK conv'. A batch norm
 * or ReLU named `<block>.bn<s>` / `<block>.relu<s>` belongs to its block's conv `<block>.conv<s>` (a DyConv block's
 * normalisation is DyConv's, a plain block's is the plain conv's). Anything else is 'other (<class>)', e.g. the
 * encoder's pooling between levels: 'other (MaxPooling2D)'. Names of layers the model builders do not make
 * (other model families) fall to 'other (<class>)' or to the rule their name matches.
 */
export function layerFamilies(layers: readonly LayerInfo[]): Map<string, string> {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const families = new Map<string, string>();
  for (const layer of layers) {
    let family = ownFamily(layer);
    const block = /^(.*)\.(?:bn|relu)(\d*)$/.exec(layer.name);
    const conv = block ? byName.get(`${block[1]}.conv${block[2]}`) : undefined;
    if (family.startsWith('other (') && conv !== undefined) family = ownFamily(conv);
    families.set(layer.name, family);
  }
  return families;
}

/** The top-level layers of `model` as LayerInfo (a Conv2D's kernel size from its config). */
export function layerInfos(model: tf.LayersModel): LayerInfo[] {
  return model.layers.map((l) => {
    const className = l.getClassName();
    if (className !== 'Conv2D') return {name: l.name, className};
    return {name: l.name, className, kernelSize: (l.getConfig() as {kernelSize?: number[]}).kernelSize ?? []};
  });
}

/**
 * Floating-point operations per parameter of one update of src/training/optimizers.ts, counting every element-wise
 * add, subtract, multiply, divide, square and square root once, as that file writes the update out:
 * - adam: m = b1 m + (1 - b1) g (3), v = b2 v + (1 - b2) g^2 (4), the two bias corrections (2),
 *   w -= lr m^ / (sqrt(v^) + eps) (5): 14; weight decay adds 2 (g + wd w for adam, w - lr wd w for adamw);
 * - sgd: v = momentum v + g (2), w -= lr v (2): 4; weight decay adds 2 (g + wd w).
 */
export function optimiserFlopsPerParameter(config: Pick<OptimizerConfig, 'name' | 'weightDecay'>): number {
  const decay = config.weightDecay > 0 ? 2 : 0;
  return (config.name === 'sgd' ? 4 : 14) + decay;
}

/** The families' display order: FAMILY_ORDER first (a plain conv of any kernel size first of all), then the rest by name. */
export function compareFamilies(a: string, b: string): number {
  const rank = (f: string) => {
    if (f.startsWith('plain ')) return 0;
    const i = FAMILY_ORDER.indexOf(f);
    return i >= 0 ? i : FAMILY_ORDER.length;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}
