// `mslk models profile`: parameters, MACs/FLOPs, latency, training step time and peak tensor memory of one
// model config, unfused (training form) and fused (inference form).
import * as tf from '@tensorflow/tfjs';
import {wasmHeapBytes} from '../../engine/backends.js';
import {buildModel, type ModelConfig} from '../registry.js';
import {fuseForInference, hasUnfusedLayers} from '../fuse.js';
import {countMacs} from './macs.js';
import {countParams, type ParamCounts} from './params.js';
import {measureLatency, measurePeakMemory, measureTrainStep, type Timing} from './timing.js';

export interface ProfileOptions {
  size: number;
  /** Batch of the training step. */
  batch: number;
  latencyRuns: number;
  trainSteps: number;
  /** Skip latency, training time and memory (counts only). */
  countsOnly: boolean;
  /** Stop timing a variant after this many milliseconds (at least 2 runs; latency keeps >= latencyRuns when it can). */
  budgetMs: number;
}

export interface VariantProfile {
  params: ParamCounts;
  macs: number;
  flops: number;
  macsByCategory: Record<string, number>;
  latency?: Timing;
  peakInferenceBytes?: number;
}

export interface ModelProfile {
  config: ModelConfig;
  backend: string;
  size: number;
  batch: number;
  unfused: VariantProfile & {trainStep?: Timing; peakTrainBytes?: number | null; trainError?: string};
  /** The wasm heap after every measurement (its high-water mark; null on other backends). */
  wasmHeapBytes?: number | null;
  /** Present when the model has re-parameterisable blocks. */
  fused?: VariantProfile;
}

function counts(model: tf.LayersModel): VariantProfile {
  const macs = countMacs(model);
  return {params: countParams(model), macs: macs.total, flops: 2 * macs.total, macsByCategory: macs.byCategory};
}

export async function profileModel(config: ModelConfig, options: ProfileOptions): Promise<ModelProfile> {
  const {model} = buildModel(config, {inputSize: options.size});
  const fused = hasUnfusedLayers(model) ? fuseForInference(model) : undefined;
  try {
    const result: ModelProfile = {config, backend: tf.getBackend(), size: options.size, batch: options.batch, unfused: counts(model)};
    if (fused) result.fused = counts(fused);
    if (options.countsOnly) return result;
    const latencyOpts = {runs: options.latencyRuns, minRuns: Math.min(options.latencyRuns, 30), budgetMs: options.budgetMs};
    for (const [variant, m] of [[result.unfused, model], ...(fused ? [[result.fused!, fused] as const] : [])] as const) {
      variant.latency = await measureLatency(m, options.size, latencyOpts);
      variant.peakInferenceBytes = (await measurePeakMemory(m, options.size, options.batch, false)).inferenceBytes;
    }
    // Training changes the weights and BN statistics, so it runs last, on the unfused model.
    // The wasm heap is capped at 4 GiB; a training step that does not fit aborts the wasm module, so report
    // it instead of losing the counts and latencies measured so far.
    try {
      result.unfused.trainStep = await measureTrainStep(model, options.size, options.batch, {steps: options.trainSteps, budgetMs: options.budgetMs});
      result.unfused.peakTrainBytes = (await measurePeakMemory(model, options.size, options.batch, true)).trainBytes;
    } catch (error) {
      result.unfused.trainError = `training step at batch ${options.batch} failed on ${result.backend}: ${(error as Error).message.split('\n')[0]}` +
        (/Aborted/.test(String(error)) ? ' (most likely out of wasm memory, 4 GiB at most)' : '');
    }
    result.wasmHeapBytes = wasmHeapBytes();
    return result;
  } finally {
    model.dispose();
    fused?.dispose();
  }
}
