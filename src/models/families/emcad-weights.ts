// EMCAD's weight names onto the PyTorch twin's state_dict (../shared/bench/torch-twin/emcad.py), one to one,
// with the layout change of each (src/models/WEIGHTS.md, section EMCAD). The twin indexes its decoder modules
// deepest first (cab.0 is stage 4, eucb.0 makes stage 3), we name them by stage (dec.4.cab, dec.3.eucb).

/** How a tensor of ours is laid out against the twin's: the permutation of our axes that gives the twin's shape. */
export type TwinLayout = 'same' | 'conv' | 'depthwise' | 'linear';

/**
 * Axes of ours in the twin's order. conv: HWIO [kh, kw, I, O] (grouped: I = inputs per group) -> OIHW;
 * depthwise: [kh, kw, C, 1] -> [C, 1, kh, kw]; linear: [in, out] -> [out, in]; same: vectors.
 */
export const TWIN_PERMUTATION: Record<TwinLayout, number[] | null> = {
  same: null,
  conv: [3, 2, 0, 1],
  depthwise: [2, 3, 0, 1],
  linear: [1, 0],
};

export interface TwinWeight {
  /** The twin's state_dict key. */
  name: string;
  layout: TwinLayout;
}

const BN = {gamma: 'weight', beta: 'bias', moving_mean: 'running_mean', moving_variance: 'running_var'} as const;
const NORM = {gamma: 'weight', beta: 'bias'} as const;

type Rule = [RegExp, (m: string[]) => TwinWeight | null];

const norm = (prefix: string, w: string): TwinWeight | null => (w in NORM ? {name: `${prefix}.${NORM[w as keyof typeof NORM]}`, layout: 'same'} : null);
const bn = (prefix: string, w: string): TwinWeight | null => (w in BN ? {name: `${prefix}.${BN[w as keyof typeof BN]}`, layout: 'same'} : null);
const param = (prefix: string, w: string, kernelLayout: TwinLayout): TwinWeight | null =>
  w === 'kernel' ? {name: `${prefix}.weight`, layout: kernelLayout} : w === 'bias' ? {name: `${prefix}.bias`, layout: 'same'} : null;
/** Encoder stage 1-4 -> the twin's 0-3; decoder stage i -> cab/mscb/heads index 4 - i, eucb/lgag index 3 - i. */
const enc = (s: string) => Number(s) - 1;
const deep = (s: string) => 4 - Number(s);
const up = (s: string) => 3 - Number(s);

const RULES: Rule[] = [
  [/^enc\.(\d)\.embed\.proj\.(kernel|bias)$/, ([, s, w]) => param(`encoder.embeds.${enc(s!)}.proj`, w!, 'conv')],
  [/^enc\.(\d)\.embed\.norm\.(\w+)$/, ([, s, w]) => norm(`encoder.embeds.${enc(s!)}.norm`, w!)],
  [/^enc\.(\d)\.block\.(\d+)\.(norm1|norm2)\.(\w+)$/, ([, s, b, n, w]) => norm(`encoder.stages.${enc(s!)}.${b}.${n}`, w!)],
  [/^enc\.(\d)\.block\.(\d+)\.attn\.(q|kv|proj)\.(kernel|bias)$/, ([, s, b, n, w]) => param(`encoder.stages.${enc(s!)}.${b}.attn.${n}`, w!, 'linear')],
  [/^enc\.(\d)\.block\.(\d+)\.attn\.sr\.(kernel|bias)$/, ([, s, b, w]) => param(`encoder.stages.${enc(s!)}.${b}.attn.sr`, w!, 'conv')],
  [/^enc\.(\d)\.block\.(\d+)\.attn\.norm\.(\w+)$/, ([, s, b, w]) => norm(`encoder.stages.${enc(s!)}.${b}.attn.norm`, w!)],
  [/^enc\.(\d)\.block\.(\d+)\.mlp\.(fc1|fc2)\.(kernel|bias)$/, ([, s, b, n, w]) => param(`encoder.stages.${enc(s!)}.${b}.mlp.${n}`, w!, 'linear')],
  [/^enc\.(\d)\.block\.(\d+)\.mlp\.dw\.(kernel|bias)$/, ([, s, b, w]) => param(`encoder.stages.${enc(s!)}.${b}.mlp.dw`, w!, 'depthwise')],
  [/^enc\.(\d)\.norm\.(\w+)$/, ([, s, w]) => norm(`encoder.norms.${enc(s!)}`, w!)],
  [/^dec\.(\d)\.cab\.(fc1|fc2)\.kernel$/, ([, i, n]) => ({name: `cab.${deep(i!)}.${n}.weight`, layout: 'conv'})],
  [/^dec\.sab\.conv\.kernel$/, () => ({name: 'sab.conv.weight', layout: 'conv'})],
  [/^dec\.(\d)\.mscb\.(pw1|pw2)\.kernel$/, ([, i, n]) => ({name: `mscb.${deep(i!)}.${n}.0.weight`, layout: 'conv'})],
  [/^dec\.(\d)\.mscb\.(pw1|pw2)_bn\.(\w+)$/, ([, i, n, w]) => bn(`mscb.${deep(i!)}.${n}.1`, w!)],
  [/^dec\.(\d)\.mscb\.dw\.(\d+)\.kernel$/, ([, i, k]) => ({name: `mscb.${deep(i!)}.dws.${k}.0.weight`, layout: 'depthwise'})],
  [/^dec\.(\d)\.mscb\.dw\.(\d+)_bn\.(\w+)$/, ([, i, k, w]) => bn(`mscb.${deep(i!)}.dws.${k}.1`, w!)],
  [/^dec\.(\d)\.mscb\.skip\.kernel$/, ([, i]) => ({name: `mscb.${deep(i!)}.skip.weight`, layout: 'conv'})],
  [/^dec\.(\d)\.eucb\.dw\.kernel$/, ([, i]) => ({name: `eucb.${up(i!)}.dw.weight`, layout: 'depthwise'})],
  [/^dec\.(\d)\.eucb\.bn\.(\w+)$/, ([, i, w]) => bn(`eucb.${up(i!)}.bn`, w!)],
  [/^dec\.(\d)\.eucb\.pw\.(kernel|bias)$/, ([, i, w]) => param(`eucb.${up(i!)}.pw`, w!, 'conv')],
  [/^dec\.(\d)\.lgag\.(wg|wx|psi)\.(kernel|bias)$/, ([, i, n, w]) => param(`lgag.${up(i!)}.${n}.0`, w!, 'conv')],
  [/^dec\.(\d)\.lgag\.(wg|wx|psi)_bn\.(\w+)$/, ([, i, n, w]) => bn(`lgag.${up(i!)}.${n}.1`, w!)],
  [/^head\.p(\d)\.(kernel|bias)$/, ([, i, w]) => param(`heads.${deep(i!)}`, w!, 'conv')],
];

/**
 * The twin's state_dict key and layout of one of our stable weight names (export/weight-names.ts). Throws for a
 * name the twin has no counterpart of (the `stem` of a non-RGB input: the twin takes 3 channels only).
 * The twin's BN step counters (`*.num_batches_tracked`) have no counterpart here: they are not weights.
 */
export function emcadTwinWeight(name: string): TwinWeight {
  for (const [pattern, map] of RULES) {
    const m = pattern.exec(name);
    const mapped = m ? map([...m]) : null;
    if (mapped) return mapped;
  }
  throw new Error(`EMCAD weight '${name}' has no counterpart in the PyTorch twin (it takes inChannels 3 and has no stem)`);
}

/** Our shape in the twin's layout. */
export function twinShape(shape: readonly number[], layout: TwinLayout): number[] {
  const perm = TWIN_PERMUTATION[layout];
  return perm ? perm.map((axis) => shape[axis]!) : [...shape];
}
