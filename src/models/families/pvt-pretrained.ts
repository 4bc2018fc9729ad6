// ImageNet weights of EMCAD's PVTv2 encoder from a safetensors file, under either public naming scheme:
// - 'pvt-v2', the PVTv2 authors' release (github.com/whai362/PVT, classification/pvt_v2.py, pvt_v2_b*.pth):
//   `patch_embed{s}.proj.weight`, `block{s}.{b}.attn.q.weight`, `block{s}.{b}.mlp.dwconv.dwconv.weight`, `norm{s}.weight`;
// - 'timm', timm's `pvt_v2_b*` (timm/models/pvt_v2.py, safetensors on the Hugging Face hub): `patch_embed.proj.weight`
//   for stage 1 and `stages.{s-1}.downsample.proj.weight` for the others, `stages.{s-1}.blocks.{b}.attn.q.weight`,
//   `stages.{s-1}.blocks.{b}.mlp.dwconv.weight`, `stages.{s-1}.norm.weight`.
// Both hold the same tensors in PyTorch layouts. Our names go to the twin's (emcad-weights.ts: `encoder.embeds.i`,
// `encoder.stages.i.b`, `encoder.norms.i`, with the layout change) and from there to each scheme (WEIGHTS.md, EMCAD).
import {createHash} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import {resolve} from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {decodeSafetensors, type SafetensorsFile} from '../export/safetensors.js';
import {namedWeights} from '../export/weight-names.js';
import type {PretrainedWeights} from './common.js';
import {emcadTwinWeight, TWIN_PERMUTATION, twinShape, type TwinLayout} from './emcad-weights.js';

/** The naming schemes of PVTv2 checkpoints: the authors' release, or timm's. */
export type PvtScheme = 'pvt-v2' | 'timm';
export const PVT_SCHEMES: readonly PvtScheme[] = ['pvt-v2', 'timm'];

/** What loading a file did, as the run's manifest records it (`pretrained`). */
export interface PretrainedReport extends PretrainedWeights {
  scheme: PvtScheme;
}

/**
 * The name of the twin's encoder key `twinKey` (`encoder.embeds.i.*`, `encoder.stages.i.b.*`, `encoder.norms.i.*`,
 * i from 0) under `scheme`. Throws for a key outside the encoder.
 */
export function pvtSchemeName(twinKey: string, scheme: PvtScheme): string {
  const embed = /^encoder\.embeds\.(\d)\.(.+)$/.exec(twinKey);
  if (embed) {
    const [, i, rest] = embed;
    if (scheme === 'pvt-v2') return `patch_embed${Number(i) + 1}.${rest}`;
    return i === '0' ? `patch_embed.${rest}` : `stages.${i}.downsample.${rest}`;
  }
  const block = /^encoder\.stages\.(\d)\.(\d+)\.(.+)$/.exec(twinKey);
  if (block) {
    const [, i, b, rest] = block;
    // The depthwise conv of the MLP: a module `dwconv` holding a conv `dwconv` in the release, the conv itself in timm.
    const inner = rest!.replace(/^mlp\.dw\./, scheme === 'pvt-v2' ? 'mlp.dwconv.dwconv.' : 'mlp.dwconv.');
    return scheme === 'pvt-v2' ? `block${Number(i) + 1}.${b}.${inner}` : `stages.${i}.blocks.${b}.${inner}`;
  }
  const norm = /^encoder\.norms\.(\d)\.(.+)$/.exec(twinKey);
  if (norm) {
    const [, i, rest] = norm;
    return scheme === 'pvt-v2' ? `norm${Number(i) + 1}.${rest}` : `stages.${i}.norm.${rest}`;
  }
  throw new Error(`'${twinKey}' is not a weight of the PVTv2 encoder`);
}

/** One encoder weight of ours with its name in the file and its PyTorch layout. */
interface EncoderWeight {
  variable: tf.LayerVariable;
  fileName: string;
  layout: TwinLayout;
}

/** The encoder's weights of an EMCAD model (names `enc.*`) under `scheme`. */
function encoderWeights(model: tf.LayersModel, scheme: PvtScheme): EncoderWeight[] {
  return namedWeights(model).filter(({name}) => name.startsWith('enc.')).map(({name, variable}) => {
    const twin = emcadTwinWeight(name);
    return {variable, fileName: pvtSchemeName(twin.name, scheme), layout: twin.layout};
  });
}

/** The classification head of both schemes, and its step counters: in the file, never used, never "unexpected". */
const IGNORED = /^head\.|\.num_batches_tracked$/;

/** The inverse of a permutation: the axes that undo it. */
function inverse(perm: readonly number[]): number[] {
  const out: number[] = [];
  perm.forEach((axis, i) => (out[axis] = i));
  return out;
}

/**
 * Sets the PVTv2 encoder of an EMCAD model (built by buildEmcad) from a decoded safetensors file, after the layout
 * change (conv OIHW -> HWIO, depthwise [C, 1, k, k] -> [k, k, C, 1], Linear [out, in] -> [in, out]). The scheme is
 * the one whose names the file has most of. Returns what was loaded and what was missing or unexpected (names as in
 * the file); `file` and `sha256` are the caller's (''). Throws an Error (one line) naming `source` when no encoder
 * name of either scheme is in the file, and, before any weight is set, when a tensor's shape differs from ours.
 */
export function loadPvtEncoder(model: tf.LayersModel, file: SafetensorsFile, source: string): Omit<PretrainedReport, 'file' | 'sha256'> {
  const names = [...file.tensors.keys(), ...file.skipped.keys()];
  const present = new Set(names);
  const candidates = PVT_SCHEMES.map((scheme) => {
    const weights = encoderWeights(model, scheme);
    return {scheme, weights, found: weights.filter((w) => present.has(w.fileName)).length};
  });
  const best = candidates.reduce((a, b) => (b.found > a.found ? b : a));
  if (best.found === 0) {
    const sample = names.filter((n) => !IGNORED.test(n)).slice(0, 3).map((n) => `'${n}'`).join(', ');
    throw new Error(`${source}: no tensor name of a PVTv2 encoder (the release's 'patch_embed1.proj.weight' or timm's 'patch_embed.proj.weight'; the file has ${sample || 'none'}): give a pvt_v2_b* checkpoint from the PVTv2 release or timm, converted to safetensors (README, EMCAD)`);
  }
  const {scheme, weights} = best;
  const used = new Set<string>();
  const missing: string[] = [];
  const toLoad: Array<{weight: EncoderWeight; data: Float32Array; shape: number[]}> = [];
  for (const weight of weights) {
    const ours = weight.variable.shape as number[];
    const expected = twinShape(ours, weight.layout);
    const entry = file.tensors.get(weight.fileName);
    if (entry === undefined) {
      const dtype = file.skipped.get(weight.fileName);
      if (dtype !== undefined) throw new Error(`${source}: tensor '${weight.fileName}' has dtype ${dtype}, not a float one: save the checkpoint's float32 weights`);
      missing.push(weight.fileName);
      continue;
    }
    used.add(weight.fileName);
    if (entry.shape.join('x') !== expected.join('x')) {
      throw new Error(`${source}: tensor '${weight.fileName}' has shape [${entry.shape.join(', ')}], the encoder needs [${expected.join(', ')}]: use the weights of the same PVTv2 variant as model.encoder (pvt_v2_b0, b1 or b2)`);
    }
    toLoad.push({weight, data: entry.data, shape: entry.shape});
  }
  for (const {weight, data, shape} of toLoad) {
    const perm = TWIN_PERMUTATION[weight.layout];
    tf.tidy(() => {
      const stored = tf.tensor(data, shape);
      weight.variable.write(perm ? tf.transpose(stored, inverse(perm)) : stored);
    });
  }
  const unexpected = names.filter((n) => !used.has(n) && !IGNORED.test(n));
  return {scheme, loaded: toLoad.length, missing, unexpected};
}

/**
 * Reads `path` (a safetensors file of PVTv2 ImageNet weights, either scheme) into the encoder of `model` and returns
 * the report with the file's absolute path and SHA-256. Throws an Error (one line) when the file cannot be read
 * (naming it and model.pretrained), is not safetensors (a `.pth` must be converted first: README), or when
 * loadPvtEncoder refuses it.
 */
export async function loadPretrainedPvt(model: tf.LayersModel, path: string): Promise<PretrainedReport> {
  const file = resolve(path);
  if (!/\.safetensors$/i.test(file)) {
    throw new Error(`model.pretrained '${path}': mslk reads safetensors only: convert the checkpoint with the one line of Python in the README (EMCAD, ImageNet weights) and point model.pretrained at the .safetensors file`);
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`model.pretrained '${path}': ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? (error as Error).message})`} (${file}): give the path of the PVTv2 weights file, or set model.pretrained=null to train from scratch`);
  }
  let decoded: SafetensorsFile;
  try {
    decoded = decodeSafetensors(bytes, {otherDtypes: 'skip'});
  } catch (error) {
    throw new Error(`model.pretrained '${path}': ${(error as Error).message}`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return {file, sha256, ...loadPvtEncoder(model, decoded, `model.pretrained '${path}'`)};
}
