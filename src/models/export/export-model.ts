// `mslk export`: a model's weights as safetensors (stable names, resolved config in the header metadata) or
// in the TF.js layers format. Until training runs exist, the weights are the seeded initial ones.
import type * as tf from '@tensorflow/tfjs';
import {stat, writeFile} from 'node:fs/promises';
import {dirname} from 'node:path';
import {provenance} from '../../io/provenance.js';
import {buildModel, outputsOf, type ModelConfig} from '../registry.js';
import {fuseForInference, hasUnfusedLayers} from '../fuse.js';
import {describeInferenceMap, type ModelOutputs} from '../heads.js';
import {countParams} from '../profile/params.js';
import {modelToSafetensors} from './safetensors.js';
import {saveTfjsModel} from './tfjs-format.js';
import {namedWeights} from './weight-names.js';
import {ensureOutputDir} from '../../io/output-dir.js';

export type ExportFormat = 'safetensors' | 'tfjs';

export interface ExportResult {
  format: ExportFormat;
  files: string[];
  model: ModelConfig['model'];
  /** Whether re-parameterisable blocks were fused (false when the model has none). */
  fused: boolean;
  seed: number;
  tensors: number;
  params: number;
  /** A model with several outputs: every head is exported; this names the one inference uses ('head 1 of 4'). */
  inference?: string;
}

export const WEIGHT_LAYOUT = 'NHWC activations; conv kernels [kh, kw, in, out]; depthwise [kh, kw, C, 1]; ' +
  'DyConv kernel [3, 3, in, K * out] with channel k * out + o = kernel k; dense [in, out]; names as in src/models/WEIGHTS.md';

export interface ExportOptions {
  format: ExportFormat;
  out: string;
  seed: number;
  fused: boolean;
  /** Weights to export (e.g. a trained run's); by default the config's seeded initial weights. The caller keeps it. */
  trained?: {model: tf.LayersModel; description: string};
}

/**
 * Exports `config`'s model (the trained one of `opts.trained`, else its seeded initial weights), fused when
 * `opts.fused` and it has re-parameterisable blocks (writeExportedModel). Every output is kept: a model with several
 * heads is exported whole (its weights load back into `buildModel`'s model), the metadata naming them.
 */
export async function exportModel(config: ModelConfig, opts: ExportOptions): Promise<ExportResult> {
  const built = opts.trained?.model ?? buildModel(config, {seed: opts.seed}).model;
  const fused = opts.fused && hasUnfusedLayers(built);
  const model = fused ? fuseForInference(built) : built;
  const outputs = outputsOf(config);
  try {
    // Only safetensors has a metadata header (the tfjs format keeps the model's own metadata).
    const metadata = opts.format !== 'safetensors' ? {} : {
      format: 'mslk', config: JSON.stringify(config), seed: String(opts.seed), fused: String(fused), layout: WEIGHT_LAYOUT,
      weights: opts.trained?.description ?? 'seeded initial weights (no training run)',
      // The same record as a run's manifest (version, git, code, packages, machine), as one JSON string.
      provenance: JSON.stringify(await provenance()),
    };
    const files = await writeExportedModel(model, {format: opts.format, out: opts.out, outputs, metadata});
    return {format: opts.format, files, model: config.model, fused, seed: opts.seed, tensors: namedWeights(model).length, params: countParams(model).total,
      ...(outputs.heads > 1 ? {inference: describeInferenceMap(outputs.inference, outputs.heads)} : {})};
  } finally {
    if (model !== built) model.dispose();
    if (!opts.trained) built.dispose();
  }
}

/** What writeExportedModel writes. */
export interface ExportedModelOptions {
  format: ExportFormat;
  /** The safetensors file, or the tfjs format's directory. */
  out: string;
  /** The safetensors header's metadata (string values); the tfjs format keeps the model's own user metadata. */
  metadata: Record<string, string>;
  /** The model's outputs; with several, both formats also record them (`outputs`: heads, loss rule, inference map). */
  outputs: ModelOutputs;
}

/**
 * Writes `model` as it is, every output included: safetensors (every weight by its stable name, `metadata` in the
 * header) or the TF.js layers format (model.json + weights.bin). For a model with several heads, the safetensors
 * metadata and the model.json user metadata carry `outputs` (ModelOutputs: their number in the model's order, the
 * training loss rule, the inference map); single-output files are written as they always were. Returns the paths
 * written. Throws an Error (one line) when the tfjs format's `out` is a file.
 */
export async function writeExportedModel(model: tf.LayersModel, o: ExportedModelOptions): Promise<string[]> {
  const several = o.outputs.heads > 1;
  if (o.format === 'safetensors') {
    const bytes = await modelToSafetensors(model, several ? {...o.metadata, outputs: JSON.stringify(o.outputs)} : o.metadata);
    await ensureOutputDir(dirname(o.out));
    await writeFile(o.out, bytes);
    return [o.out];
  }
  const existing = await stat(o.out).catch(() => undefined);
  if (existing && !existing.isDirectory()) throw new Error(`--out ${o.out} is a file; the tfjs format writes a directory (model.json + weights.bin)`);
  const saved = await saveTfjsModel(model, o.out, several ? {outputs: o.outputs} : {});
  return [saved.modelJson, saved.weights];
}
