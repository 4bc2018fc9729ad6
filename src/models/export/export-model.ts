// `mslk export`: a model's weights as safetensors (stable names, resolved config in the header metadata) or
// in the TF.js layers format. Until training runs exist, the weights are the seeded initial ones.
import type * as tf from '@tensorflow/tfjs';
import {mkdir, stat, writeFile} from 'node:fs/promises';
import {dirname} from 'node:path';
import {provenance} from '../../io/provenance.js';
import {buildModel, type ModelConfig} from '../registry.js';
import {fuseForInference, hasUnfusedLayers} from '../fuse.js';
import {countParams} from '../profile/params.js';
import {modelToSafetensors} from './safetensors.js';
import {saveTfjsModel} from './tfjs-format.js';
import {namedWeights} from './weight-names.js';

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

export async function exportModel(config: ModelConfig, opts: ExportOptions): Promise<ExportResult> {
  const built = opts.trained?.model ?? buildModel(config, {seed: opts.seed}).model;
  const fused = opts.fused && hasUnfusedLayers(built);
  const model = fused ? fuseForInference(built) : built;
  try {
    let files: string[];
    if (opts.format === 'safetensors') {
      const bytes = await modelToSafetensors(model, {
        format: 'mslk', config: JSON.stringify(config), seed: String(opts.seed), fused: String(fused), layout: WEIGHT_LAYOUT,
        weights: opts.trained?.description ?? 'seeded initial weights (no training run)',
        // The same record as a run's manifest (version, git, code, packages, machine), as one JSON string.
        provenance: JSON.stringify(await provenance()),
      });
      await mkdir(dirname(opts.out), {recursive: true});
      await writeFile(opts.out, bytes);
      files = [opts.out];
    } else {
      const existing = await stat(opts.out).catch(() => undefined);
      if (existing && !existing.isDirectory()) throw new Error(`--out ${opts.out} is a file; the tfjs format writes a directory (model.json + weights.bin)`);
      const saved = await saveTfjsModel(model, opts.out);
      files = [saved.modelJson, saved.weights];
    }
    return {format: opts.format, files, model: config.model, fused, seed: opts.seed, tensors: namedWeights(model).length, params: countParams(model).total};
  } finally {
    if (model !== built) model.dispose();
    if (!opts.trained) built.dispose();
  }
}
