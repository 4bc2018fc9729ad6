// `mslk bench engine`: median milliseconds per step of a workload on each backend, and images per second. The
// workload is given by the caller (src/training/engine-bench.ts: the training step of the reference net), so that
// this file, below src/training, only activates backends, times and reports.
import * as tf from '@tensorflow/tfjs-core';
import {medianIqr} from '../evaluation/percentile.js';
import type {ProgressListener} from '../io/progress.js';
import {activateBackend, activeBackendName, gpuAllocatedBytes, probeBackend, BACKEND_NAMES, type BackendName} from './backends.js';
import {timeRuns} from './timed-runs.js';

/**
 * The backends benchmarked when none is named: all but `cpu`, the pure-JavaScript reference kept for debugging,
 * whose step at the default size takes minutes. `cpu` runs only when asked for.
 */
export const DEFAULT_BENCH_BACKENDS: readonly BackendName[] = BACKEND_NAMES.filter((name) => name !== 'cpu');

/** One backend's instance of the benchmarked work; made after that backend is active. */
export interface BenchWorkload {
  /** What one step is, for progress lines and the report (e.g. "reference net training step"). */
  readonly description: string;
  /**
   * One step; resolves to a value read back from the backend (the loss), so its time includes the backend (a GPU
   * included) finishing the step.
   */
  step(): Promise<number>;
  /** Frees every tensor the workload made. */
  dispose(): void;
}

/** Makes the workload for a batch of `batch` images of `size` x `size` pixels. */
export type MakeBenchWorkload = (size: number, batch: number) => BenchWorkload;

export interface EngineBenchOptions {
  /**
   * Default: DEFAULT_BENCH_BACKENDS, less a software WebGPU adapter (SwiftShader, llvmpipe), which runs only when
   * webgpu is named.
   */
  backends?: readonly BackendName[];
  size: number;
  batch: number;
  /** Timed steps per backend (fewer when the time budget runs out first; at least 1). */
  steps: number;
  /** Untimed steps first (none on `cpu`, which has no JIT to warm up). */
  warmup: number;
  /**
   * Seconds per backend for warm-up and timed steps together: a step starts only when it is expected to end within
   * it, so a backend takes at most the budget plus one step (a running step cannot be interrupted).
   */
  budgetSeconds: number;
  onProgress?: ProgressListener | undefined;
}

export interface EngineBenchResult {
  backend: BackendName;
  available: boolean;
  detail: string;
  size: number;
  batch: number;
  steps?: number;
  msPerStep?: number;
  /** 25th and 75th percentiles of the step times. */
  msPerStepIqr?: [number, number];
  imagesPerSecond?: number;
  /** True when the budget ended the timing before `steps`. */
  budgetExhausted?: boolean;
  /** How many times faster than `cpu` (when cpu was measured too). */
  speedupVsCpu?: number;
  /** Tensors alive after the last step minus after the first (0: no leak; absent when only one step ran). */
  leakedTensors?: number;
  /** webgpu: the GPU memory the backend holds after the last step (gpuAllocatedBytes: its high-water mark). */
  peakGpuBytes?: number;
}

async function benchOne(name: BackendName, o: EngineBenchOptions, makeWorkload: MakeBenchWorkload): Promise<EngineBenchResult> {
  const base = {backend: name, size: o.size, batch: o.batch};
  const check = `${name}: checking that it loads and computes correct gradients`;
  o.onProgress?.({task: check, done: 0, total: 1});
  // Unless named, a software WebGPU adapter (SwiftShader) is skipped as `auto` skips it: its steps take minutes.
  const status = await probeBackend(name, {forAuto: o.backends === undefined});
  if (!status.available) {
    o.onProgress?.({task: check, done: 0, total: 1, note: `not available: ${status.detail}`});
    return {...base, available: false, detail: status.detail};
  }
  // No lastMs: the check is not a timed step (the budget's accounting reads lastMs).
  o.onProgress?.({task: check, done: 1, total: 1});
  const previous = tf.getBackend();
  await activateBackend(name);
  try {
    const workload = makeWorkload(o.size, o.batch);
    try {
      const label = `${name}: ${workload.description}, ${o.size}x${o.size}, batch ${o.batch}`;
      // Leaks are counted from the end of the first step, which makes the optimiser's slots.
      let stepsRun = 0;
      let afterFirstStep = 0;
      const timed = await timeRuns(async () => {
        await workload.step();
        if (++stepsRun === 1) afterFirstStep = tf.memory().numTensors;
      }, {
        warmup: name === 'cpu' ? 0 : o.warmup, runs: o.steps, minRuns: 1, budgetMs: o.budgetSeconds * 1000, label,
        onProgress: o.onProgress,
      });
      const {median, iqr} = medianIqr(timed.samplesMs);
      const gpu = gpuAllocatedBytes();
      return {
        ...base, available: true, detail: status.detail, steps: timed.samplesMs.length, msPerStep: median, msPerStepIqr: iqr,
        imagesPerSecond: (1000 * o.batch) / median, budgetExhausted: timed.budgetExhausted,
        ...(stepsRun >= 2 ? {leakedTensors: tf.memory().numTensors - afterFirstStep} : {}),
        ...(gpu === null ? {} : {peakGpuBytes: gpu}),
      };
    } finally {
      workload.dispose();
    }
  } finally {
    await tf.setBackend(previous);
  }
}

/**
 * Runs the workload on each backend in turn (each activated, then the previous one restored); unavailable backends
 * are reported with the reason. Throws only what the workload throws.
 */
export async function benchEngine(o: EngineBenchOptions, makeWorkload: MakeBenchWorkload): Promise<EngineBenchResult[]> {
  const names = o.backends ?? DEFAULT_BENCH_BACKENDS;
  const results: EngineBenchResult[] = [];
  for (const name of names) results.push(await benchOne(name, o, makeWorkload));
  const cpu = results.find((r) => r.backend === 'cpu' && r.msPerStep !== undefined);
  if (cpu) {
    for (const r of results) if (r.msPerStep !== undefined) r.speedupVsCpu = cpu.msPerStep! / r.msPerStep;
  }
  return results;
}

export {activeBackendName};
