// Evaluation of a trained model on the validation and test splits, at each image's original resolution (the
// probability map is resized back, then thresholded; conventions.md). Each split's summary and per-image CSV are
// written by writeEvaluation (evaluation-summary.ts), the one writer `mslk eval` uses too.
import * as tf from '@tensorflow/tfjs';
import type {PreparedDataset} from '../datasets/prepared-dataset.js';
import {perImageMetrics, type NamedPerImageMetrics} from '../evaluation/index.js';
import {inferenceModel} from '../inference/inference-model.js';
import {applyTrainingProgress} from '../models/registry.js';
import {progressAtCheckpoint, readCheckpoint, restoreCheckpoint} from '../training/checkpoint.js';
import type {RunConfig} from './config.js';
import {writeEvaluation, type CheckpointName, type EvaluatedSplit, type EvaluationSummary} from './evaluation-summary.js';
import type {RunDir} from './run-dir.js';
import {predictProbabilities} from '../training/validate.js';

/**
 * Per-image metrics of `indices` (positions in `dataset`), in that order: the model's sigmoid output at the
 * prepared size, resized back to each image's original size, thresholded at config.eval.threshold (with the
 * threshold-averaged Dice when config.eval asks for it). Predicts in chunks of 16 images, batches of
 * config.train.batchSize; disposes every tensor it makes.
 */
export async function evaluateIndices(model: tf.LayersModel, dataset: PreparedDataset, indices: readonly number[],
  config: RunConfig): Promise<NamedPerImageMetrics[]> {
  const rows: NamedPerImageMetrics[] = [];
  const size = dataset.size;
  // Batches keep memory flat on large test sets; each map is evaluated as soon as it is predicted.
  const chunk = 16;
  for (let start = 0; start < indices.length; start += chunk) {
    const part = indices.slice(start, start + chunk);
    const probabilities = await predictProbabilities(model, dataset, part, config.train.batchSize);
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

/** What evaluateSplits evaluates and where it writes. */
export interface EvaluateSplitsOptions {
  /** The run's model; the checkpoint's weights and DyConv temperature are loaded into it. */
  model: tf.LayersModel;
  config: RunConfig;
  dataset: PreparedDataset;
  run: RunDir;
  runId: string;
  checkpoint: CheckpointName;
  /** Positions in `dataset` of each split's images; empty or absent splits are not evaluated. */
  splits: Partial<Record<EvaluatedSplit, readonly number[]>>;
}

/**
 * Loads the chosen checkpoint into `model`, evaluates each non-empty split (validation, then test) and writes its
 * summary and per-image CSV (writeEvaluation). Returns the summaries written, by split. Throws when the checkpoint
 * cannot be read.
 */
export async function evaluateSplits(o: EvaluateSplitsOptions): Promise<Partial<Record<EvaluatedSplit, EvaluationSummary>>> {
  const checkpoint = await readCheckpoint(o.run.checkpoint(o.checkpoint));
  restoreCheckpoint(checkpoint, o.model);
  applyTrainingProgress(o.model, o.config.model, progressAtCheckpoint(checkpoint.header, o.config.train.epochs));
  const model = inferenceModel(o.model, o.config);
  try {
    const summaries: Partial<Record<EvaluatedSplit, EvaluationSummary>> = {};
    for (const split of ['validation', 'test'] as const) {
      const indices = o.splits[split];
      if (!indices || indices.length === 0) continue;
      const rows = await evaluateIndices(model, o.dataset, indices, o.config);
      summaries[split] = (await writeEvaluation(o.run, {runId: o.runId, split, checkpoint: o.checkpoint,
        epoch: checkpoint.header.epoch, threshold: o.config.eval.threshold, rows})).summary;
    }
    return summaries;
  } finally {
    if (model !== o.model) model.dispose();
  }
}
