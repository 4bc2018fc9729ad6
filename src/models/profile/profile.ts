// `mslk models profile`: parameters, MACs/FLOPs, latency, training step time and peak tensor memory of one
// model config, unfused (training form) and fused (inference form). The training step comes from the caller
// (src/training/profile-step.ts), so that the step timed here is the one training runs.
import * as tf from '@tensorflow/tfjs';
import {activeGpuAdapter, gpuAllocatedBytes, wasmHeapBytes} from '../../engine/backends.js';
import type {GpuAdapterRecord} from '../../engine/webgpu.js';
import {buildModel, outputsOf, type ModelConfig} from '../registry.js';
import {hasUnfusedLayers} from '../fuse.js';
import {describeInferenceMap, type ModelOutputs} from '../heads.js';
import {inferenceForm} from '../inference-graph.js';
import {countMacs} from './macs.js';
import {countParams, type ParamCounts} from './params.js';
import type {ProgressListener} from '../../io/progress.js';
import {measureInferencePeakBytes, measureLatency, measureTrainPeakBytes, measureTrainStep, type MakeTrainingStep, type Timing, type TimingOptions} from './timing.js';

export interface ProfileOptions {
  size: number;
  /** Batch of the training step. */
  batch: number;
  latencyRuns: number;
  trainSteps: number;
  /** Skip latency, training time and memory (counts only). */
  countsOnly: boolean;
  /** Milliseconds of timing per measurement before stopping early (latency keeps >= 30 runs, training >= 2 steps). */
  budgetMs: number;
  /** The training step to time; without it the training step is not timed. */
  trainingStep?: MakeTrainingStep;
  /** Progress of the timing (what is timed, runs done of how many), for long profiles. */
  onProgress?: ProgressListener | undefined;
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
  unfused: VariantProfile & {
    /** Each step timed up to its loss read back (the device, a GPU included, has finished the step's work). */
    trainStep?: Timing;
    /** `batch` / the median step time. */
    trainImagesPerSecond?: number;
    peakTrainBytes?: number | null;
    trainError?: string;
  };
  /** The wasm heap after every measurement (its high-water mark; null on other backends). */
  wasmHeapBytes?: number | null;
  /**
   * On webgpu, the GPU memory the backend holds after every measurement, the training step included (gpuAllocatedBytes:
   * its buffers and the pool of freed ones it keeps for reuse, so their high-water mark; a run's manifest records
   * the same as `peakGpuBytes`); null on other backends.
   */
  peakGpuBytes?: number | null;
  /** On webgpu, the adapter measured. */
  gpuAdapter?: GpuAdapterRecord;
  /**
   * The inference form, present when it differs from the training form (`unfused`): re-parameterisable blocks fused,
   * and of a model with several heads only what its inference map needs.
   */
  fused?: VariantProfile;
  /** For a model with several outputs: how many, and the map inference uses ('head 1 of 4', 'sum of 4 heads'). */
  heads?: {count: number; inference: string};
}

function counts(model: tf.LayersModel): VariantProfile {
  const macs = countMacs(model);
  return {params: countParams(model), macs: macs.total, flops: 2 * macs.total, macsByCategory: macs.byCategory};
}

/**
 * Counts, then (unless `countsOnly`) latency and memory of each variant and the training step's time and memory, of
 * `config` built at `options.size` (profileBuiltModel). A training step that fails (e.g. out of wasm memory) is
 * reported in `unfused.trainError`, not thrown.
 */
export async function profileModel(config: ModelConfig, options: ProfileOptions): Promise<ModelProfile> {
  const {model} = buildModel(config, {inputSize: options.size});
  try {
    return {config, ...await profileBuiltModel(model, outputsOf(config), options)};
  } finally {
    model.dispose();
  }
}

/**
 * profileModel's measurements of a model built at `options.size` whose outputs are `outputs`: the training form
 * (`unfused`: every weight and head counted, latency of a forward pass to every head) and, when it differs, the
 * inference form (`fused`: blocks fused and only the inference map's path, inferenceForm). The training step, when
 * given, trains `model` (it runs last). Leaves `model` to the caller.
 */
export async function profileBuiltModel(model: tf.LayersModel, outputs: ModelOutputs, options: ProfileOptions): Promise<Omit<ModelProfile, 'config'>> {
  const willFuse = hasUnfusedLayers(model);
  const inference = inferenceForm(model, {fuse: true, outputs});
  const fused = inference !== model ? inference : undefined;
  try {
    const result: Omit<ModelProfile, 'config'> = {backend: tf.getBackend(), size: options.size, batch: options.batch, unfused: counts(model)};
    const adapter = activeGpuAdapter();
    if (adapter !== undefined) result.gpuAdapter = adapter;
    if (outputs.heads > 1) result.heads = {count: outputs.heads, inference: `${describeInferenceMap(outputs.inference, outputs.heads)}${willFuse ? ', fused' : ''}`};
    if (fused) result.fused = counts(fused);
    if (options.countsOnly) return result;
    const timing = {minRuns: Math.min(options.latencyRuns, 30), budgetMs: options.budgetMs, onProgress: options.onProgress};
    for (const [name, variant, m] of [['unfused', result.unfused, model], ...(fused ? [['fused', result.fused!, fused] as const] : [])] as const) {
      variant.latency = await measureLatency(m, options.size, {...timing, runs: options.latencyRuns, label: `${name}: batch-1 inference at ${options.size}x${options.size}`});
      const peakTask = `${name}: peak tensor memory of one inference`;
      options.onProgress?.({task: peakTask, done: 0, total: 1});
      variant.peakInferenceBytes = await measureInferencePeakBytes(m, options.size);
      options.onProgress?.({task: peakTask, done: 1, total: 1});
    }
    // Training changes the weights and BN statistics, so it runs last, on the unfused model.
    // The wasm heap is capped at 4 GiB; a training step that does not fit aborts the wasm module, so report
    // it instead of losing the counts and latencies measured so far.
    if (options.trainingStep) {
      try {
        result.unfused.trainStep = await measureTrainStep(model, options.trainingStep, options.size, options.batch, {
          runs: options.trainSteps, budgetMs: options.budgetMs, onProgress: options.onProgress,
          label: `unfused: training step at ${options.size}x${options.size}, batch ${options.batch}`,
        });
        result.unfused.trainImagesPerSecond = (1000 * options.batch) / result.unfused.trainStep.medianMs;
        const trainPeakTask = 'unfused: peak tensor memory of a training step (2 steps)';
        options.onProgress?.({task: trainPeakTask, done: 0, total: 2});
        result.unfused.peakTrainBytes = await measureTrainPeakBytes(model, options.trainingStep, options.size, options.batch);
        options.onProgress?.({task: trainPeakTask, done: 2, total: 2});
      } catch (error) {
        result.unfused.trainError = `training step at batch ${options.batch} failed on ${result.backend}: ${(error as Error).message.split('\n')[0]}` +
          (/Aborted/.test(String(error)) ? ' (most likely out of wasm memory, 4 GiB at most)' : '');
      }
    }
    result.wasmHeapBytes = wasmHeapBytes();
    result.peakGpuBytes = gpuAllocatedBytes();
    return result;
  } finally {
    fused?.dispose();
  }
}

/**
 * Batch-1 inference latency of `config` at `size` x `size` on the active backend, in the inference form
 * (re-parameterisable blocks fused and only the inference map's heads, as `profileModel` reports it under `fused`): `timing`'s warm-up, then its timed
 * runs (measureLatency), median and IQR in ms. Builds the model and disposes of it.
 */
export async function measureInferenceLatency(config: ModelConfig, size: number, timing: TimingOptions = {}): Promise<Timing> {
  const {model} = buildModel(config, {inputSize: size});
  const inference = inferenceForm(model, {fuse: true, outputs: outputsOf(config)});
  try {
    return await measureLatency(inference, size, timing);
  } finally {
    if (inference !== model) inference.dispose();
    model.dispose();
  }
}
