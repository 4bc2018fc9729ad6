// Wall-clock costs on the active backend: batch-1 inference latency (warm-up, then >= 30 timed runs, median
// and IQR), the time of one training step, and peak tensor memory of each (tf.profile's peakBytes, measured in a
// separate untimed run). The training step is supplied by the caller (src/training/profile-step.ts: the step the
// training loop runs), because src/models sits below src/training.
import * as tf from '@tensorflow/tfjs';
import {timeRuns} from '../../engine/timed-runs.js';
import {medianIqr} from '../../evaluation/percentile.js';
import type {ProgressListener} from '../../io/progress.js';
import {SeededRandom} from '../../io/random.js';

export interface Timing {
  medianMs: number;
  /** 25th and 75th percentiles. */
  iqrMs: [number, number];
  runs: number;
}

/** Median and IQR of timings in milliseconds (src/evaluation's percentile). Throws on no samples. */
export function summarise(samples: number[]): Timing {
  const {median, iqr} = medianIqr(samples);
  return {medianMs: median, iqrMs: iqr, runs: samples.length};
}

/**
 * The training step the profiler times, for one model: each `step` trains it on (x, y) and returns the loss; it
 * owns its optimiser state, which `dispose` frees. src/training/step.ts's `stepRunner` is one.
 */
export interface ProfiledTrainingStep {
  /** Resolves once the step's loss is read back (the device has finished the step). */
  step(x: tf.Tensor4D, y: tf.Tensor4D): Promise<number>;
  dispose(): void;
}

export type MakeTrainingStep = (model: tf.LayersModel) => ProfiledTrainingStep;

export interface TimingOptions {
  warmup?: number;
  runs?: number;
  /** Runs made even when the budget is spent. */
  minRuns?: number;
  /** Milliseconds for warm-up and timed runs together (default: no bound). */
  budgetMs?: number;
  /** What is timed, for progress events. */
  label?: string;
  onProgress?: ProgressListener | undefined;
}

/** A deterministic input batch in [0, 1] and a binary target. */
export function randomBatch(batch: number, size: number, inChannels: number, seed = 0): {x: tf.Tensor4D; y: tf.Tensor4D} {
  const rng = SeededRandom.stream('profile-batch', seed);
  const x = new Float32Array(batch * size * size * inChannels);
  for (let i = 0; i < x.length; i++) x[i] = rng.float();
  const y = new Float32Array(batch * size * size);
  for (let i = 0; i < y.length; i++) y[i] = rng.float() < 0.3 ? 1 : 0;
  return {x: tf.tensor4d(x, [batch, size, size, inChannels]), y: tf.tensor4d(y, [batch, size, size, 1])};
}

/**
 * Batch-1 inference latency, every output of the model read back (each head of a model with several); stops early
 * (after at least `minRuns`) once `budgetMs` is spent.
 */
export async function measureLatency(model: tf.LayersModel, size: number, opts: TimingOptions = {}): Promise<Timing> {
  const inChannels = model.inputs[0]!.shape[3] as number;
  const {x, y} = randomBatch(1, size, inChannels);
  y.dispose();
  try {
    const runs = opts.runs ?? 30;
    const timed = await timeRuns(async () => {
      const out = model.predict(x) as tf.Tensor | tf.Tensor[];
      const maps = Array.isArray(out) ? out : [out];
      await Promise.all(maps.map((m) => m.data()));
      tf.dispose(maps);
    }, {
      warmup: opts.warmup ?? 2, runs, minRuns: opts.minRuns ?? runs, budgetMs: opts.budgetMs ?? Infinity,
      label: opts.label ?? 'batch-1 inference', onProgress: opts.onProgress,
    });
    return summarise(timed.samplesMs);
  } finally {
    x.dispose();
  }
}

/** Time of one training step (`makeStep`'s) at `batch`, after one warm-up step that also makes the optimiser's slots. */
export async function measureTrainStep(model: tf.LayersModel, makeStep: MakeTrainingStep, size: number, batch: number, opts: TimingOptions = {}): Promise<Timing> {
  const inChannels = model.inputs[0]!.shape[3] as number;
  const {x, y} = randomBatch(batch, size, inChannels);
  const runner = makeStep(model);
  try {
    const timed = await timeRuns(() => runner.step(x, y), {
      warmup: opts.warmup ?? 1, runs: opts.runs ?? 5, minRuns: opts.minRuns ?? 2, budgetMs: opts.budgetMs ?? Infinity,
      label: opts.label ?? `training step, batch ${batch}`, onProgress: opts.onProgress,
    });
    return summarise(timed.samplesMs);
  } finally {
    runner.dispose();
    tf.dispose([x, y]);
  }
}

/** Peak bytes of tensor memory during one batch-1 inference (beyond what was live before). */
export async function measureInferencePeakBytes(model: tf.LayersModel, size: number): Promise<number> {
  const inChannels = model.inputs[0]!.shape[3] as number;
  const one = randomBatch(1, size, inChannels);
  try {
    const info = await tf.profile(() => {
      tf.dispose(model.predict(one.x) as tf.Tensor | tf.Tensor[]);
    });
    return info.peakBytes;
  } finally {
    tf.dispose([one.x, one.y]);
  }
}

/**
 * Peak bytes of tensor memory during one training step at `batch` (beyond what was live before), measured on the
 * second step: the first makes the optimiser's slots, which are not per-step memory.
 */
export async function measureTrainPeakBytes(model: tf.LayersModel, makeStep: MakeTrainingStep, size: number, batch: number): Promise<number> {
  const inChannels = model.inputs[0]!.shape[3] as number;
  const b = randomBatch(batch, size, inChannels);
  const runner = makeStep(model);
  try {
    await runner.step(b.x, b.y);
    const info = await tf.profile(async () => {
      await runner.step(b.x, b.y);
    });
    return info.peakBytes;
  } finally {
    runner.dispose();
    tf.dispose([b.x, b.y]);
  }
}
