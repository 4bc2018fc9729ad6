// Evaluation of a trained model on the validation and test splits, at each image's original resolution (the
// probability map is resized back, then thresholded; conventions.md). Writes per-image.csv (test split) and
// returns what metrics.json holds: per split, every metric as mean and std over images, plus the pooled numbers.
import * as tf from '@tensorflow/tfjs';
import {writeFileAtomic} from '../io/atomic-write.js';
import type {PreparedDataset} from '../datasets/prepared-dataset.js';
import {aggregateMetrics, perImageCsv, perImageMetrics, type AggregateMetrics, type NamedPerImageMetrics} from '../evaluation/index.js';
import {fuseForInference, hasUnfusedLayers} from '../models/fuse.js';
import {applyTrainingProgress, familyOf} from '../models/registry.js';
import {progressAtCheckpoint, readCheckpoint, restoreCheckpoint} from '../training/checkpoint.js';
import type {RunConfig} from './config.js';
import type {RunDir} from './run-dir.js';
import {predictProbabilities} from '../training/validate.js';

export interface SplitMetrics extends AggregateMetrics {
  /** Headline shortcuts: per-image means (mDice, mIoU) at the original resolution. */
  dice: number | null;
  iou: number | null;
}

export interface RunMetrics {
  checkpoint: 'last' | 'best';
  epoch: number;
  threshold: number;
  resolution: 'original';
  splits: Partial<Record<'validation' | 'test', SplitMetrics>>;
  /** Same as splits.test, for `{"test": {"dice": ...}}` lookups. */
  test?: SplitMetrics;
}

/**
 * The model as evaluated: re-parameterised blocks fused (identical outputs, faster). DyConv keeps the temperature
 * `model` has, which must be its checkpoint's (see progressAtCheckpoint).
 */
export function inferenceModel(model: tf.LayersModel, config: RunConfig): tf.LayersModel {
  const fuse = familyOf(config.model).fusesForInference(config.model);
  return fuse && hasUnfusedLayers(model) ? fuseForInference(model) : model;
}

export async function evaluateIndices(model: tf.LayersModel, dataset: PreparedDataset, indices: readonly number[],
  config: RunConfig): Promise<NamedPerImageMetrics[]> {
  const rows: NamedPerImageMetrics[] = [];
  const size = dataset.size;
  // Batches keep memory flat on large test sets; each map is evaluated as soon as it is predicted.
  const chunk = 16;
  for (let start = 0; start < indices.length; start += chunk) {
    const part = indices.slice(start, start + chunk);
    const probabilities = predictProbabilities(model, dataset, part, config.train.batchSize);
    for (let k = 0; k < part.length; k++) {
      const index = part[k]!;
      const truth = await dataset.originalMask(index);
      const metrics = perImageMetrics({height: size, width: size, data: probabilities[k]!}, truth,
        {threshold: config.eval.threshold, thresholdAveragedDice: config.eval.thresholdAveragedDice});
      rows.push({name: dataset.samples[index]!.id, metrics});
    }
  }
  return rows;
}

function splitMetrics(rows: readonly NamedPerImageMetrics[]): SplitMetrics {
  const aggregate = aggregateMetrics(rows.map((r) => r.metrics));
  return {dice: aggregate.perImageMean.dice.mean, iou: aggregate.perImageMean.iou.mean, ...aggregate};
}

export interface EvaluateSplitsOptions {
  model: tf.LayersModel;
  config: RunConfig;
  dataset: PreparedDataset;
  run: RunDir;
  checkpoint: 'last' | 'best';
  splits: Partial<Record<'validation' | 'test', readonly number[]>>;
}

/** Loads the chosen checkpoint into `model`, evaluates each split, writes per-image.csv for the test split. */
export async function evaluateSplits(o: EvaluateSplitsOptions): Promise<RunMetrics> {
  const checkpoint = await readCheckpoint(o.run.checkpoint(o.checkpoint));
  restoreCheckpoint(checkpoint, o.model);
  applyTrainingProgress(o.model, o.config.model, progressAtCheckpoint(checkpoint.header, o.config.train.epochs));
  const model = inferenceModel(o.model, o.config);
  try {
    const metrics: RunMetrics = {checkpoint: o.checkpoint, epoch: checkpoint.header.epoch, threshold: o.config.eval.threshold, resolution: 'original', splits: {}};
    for (const split of ['validation', 'test'] as const) {
      const indices = o.splits[split];
      if (!indices || indices.length === 0) continue;
      const rows = await evaluateIndices(model, o.dataset, indices, o.config);
      metrics.splits[split] = splitMetrics(rows);
      if (split === 'test') await writeFileAtomic(o.run.file('perImage'), perImageCsv(rows));
    }
    if (metrics.splits.test) metrics.test = metrics.splits.test;
    return metrics;
  } finally {
    if (model !== o.model) model.dispose();
  }
}
