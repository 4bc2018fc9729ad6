// Wall-clock costs on the active backend: batch-1 inference latency (warm-up, then >= 30 timed runs, median
// and IQR), the time of one training step (forward + loss + backward + Adam update, train mode), and peak
// tensor memory of each (tf.profile's peakBytes, measured in a separate untimed run).
import * as tf from '@tensorflow/tfjs';
import {variableGradsReleasing} from '../../engine/gradients.js';
import {SeededRandom} from '../../io/random.js';

export interface Timing {
  medianMs: number;
  /** 25th and 75th percentiles. */
  iqrMs: [number, number];
  runs: number;
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function summarise(samples: number[]): Timing {
  const s = [...samples].sort((a, b) => a - b);
  return {medianMs: quantile(s, 0.5), iqrMs: [quantile(s, 0.25), quantile(s, 0.75)], runs: s.length};
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

/** Batch-1 inference latency; stops early (after at least `minRuns`) once `budgetMs` is spent. */
export async function measureLatency(model: tf.LayersModel, size: number, opts: {warmup?: number; runs?: number; minRuns?: number; budgetMs?: number} = {}): Promise<Timing> {
  const inChannels = model.inputs[0]!.shape[3] as number;
  const {x, y} = randomBatch(1, size, inChannels);
  y.dispose();
  const run = async () => {
    const out = model.predict(x) as tf.Tensor;
    await out.data();
    out.dispose();
  };
  for (let i = 0; i < (opts.warmup ?? 2); i++) await run();
  const samples: number[] = [];
  const start = performance.now();
  const runs = opts.runs ?? 30;
  while (samples.length < runs) {
    const t0 = performance.now();
    await run();
    samples.push(performance.now() - t0);
    if (samples.length >= (opts.minRuns ?? runs) && performance.now() - start > (opts.budgetMs ?? Infinity)) break;
  }
  x.dispose();
  return summarise(samples);
}

function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** One training step: sigmoid BCE on the logits, Adam. Returns the loss. */
export function trainStep(model: tf.LayersModel, optimizer: tf.Optimizer, x: tf.Tensor4D, y: tf.Tensor4D): number {
  const {value: loss, grads} = variableGradsReleasing(() => {
    const logits = model.apply(x, {training: true}) as tf.Tensor;
    return tf.losses.sigmoidCrossEntropy(y, logits) as tf.Scalar;
  }, trainableVariables(model));
  optimizer.applyGradients(grads);
  const value = loss.dataSync()[0]!;
  tf.dispose([loss, ...Object.values(grads)]);
  return value;
}

export async function measureTrainStep(model: tf.LayersModel, size: number, batch: number, opts: {warmup?: number; steps?: number; budgetMs?: number} = {}): Promise<Timing> {
  const inChannels = model.inputs[0]!.shape[3] as number;
  const {x, y} = randomBatch(batch, size, inChannels);
  const optimizer = tf.train.adam(1e-4);
  try {
    for (let i = 0; i < (opts.warmup ?? 1); i++) trainStep(model, optimizer, x, y);
    const samples: number[] = [];
    const start = performance.now();
    const steps = opts.steps ?? 5;
    while (samples.length < steps) {
      const t0 = performance.now();
      trainStep(model, optimizer, x, y);
      samples.push(performance.now() - t0);
      if (samples.length >= 2 && performance.now() - start > (opts.budgetMs ?? Infinity)) break;
    }
    return summarise(samples);
  } finally {
    optimizer.dispose();
    tf.dispose([x, y]);
  }
}

/** Peak bytes of tensor memory during one batch-1 inference and one training step (beyond what was live before). */
export async function measurePeakMemory(model: tf.LayersModel, size: number, batch: number, train: boolean): Promise<{inferenceBytes: number; trainBytes: number | null}> {
  const inChannels = model.inputs[0]!.shape[3] as number;
  const one = randomBatch(1, size, inChannels);
  const inference = await tf.profile(() => {
    const out = model.predict(one.x) as tf.Tensor;
    out.dispose();
  });
  tf.dispose([one.x, one.y]);
  let trainBytes: number | null = null;
  if (train) {
    const b = randomBatch(batch, size, inChannels);
    const optimizer = tf.train.adam(1e-4);
    trainStep(model, optimizer, b.x, b.y); // creates the optimizer's slots, which are not per-step memory
    const info = await tf.profile(() => {
      trainStep(model, optimizer, b.x, b.y);
    });
    trainBytes = info.peakBytes;
    optimizer.dispose();
    tf.dispose([b.x, b.y]);
  }
  return {inferenceBytes: inference.peakBytes, trainBytes};
}
