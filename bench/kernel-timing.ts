// What the profiling benchmarks (kernel-profile.ts, layer-profile.ts) share: the FLOPs of one kernel call, a timer
// around every wasm kernel, the machine's matrix-product peak on a CPU path, the paths measured, and the loop that
// times training steps of each model on each path.
import * as tf from '@tensorflow/tfjs';
import {getKernelsForBackend, registerKernel, unregisterKernel, type KernelConfig, type TensorInfo} from '@tensorflow/tfjs-core';
import {availableParallelism} from 'node:os';
import {performance} from 'node:perf_hooks';
import {dnnlAddon, nativeCpu, setNativeThreads, useNativeCpu} from '../src/engine/native/dnnl.js';
import {buildModel, parseModelConfig} from '../src/models/registry.js';
import type {TrainConfig} from '../src/runs/config.js';
import {stepRunner, trainableOf, type Trainable} from '../src/training/step.js';

/** A kernel family (for display) and the FLOPs of one call: 2 per multiply-add of a convolution or matrix product, 0 for anything else. */
export interface KernelCost {
  family: string;
  flops: number;
}

/**
 * The family and FLOPs (2 x MACs) of one call of kernel `name` with its inputs (NHWC activations, HWIO filters,
 * HWC1 depthwise filters) and attributes. Dense and depthwise convolutions count every output pixel times every
 * tap (also the zero taps of 'same' padding at the borders: the kernels compute them); their two gradients count
 * the same MACs as the forward. A matrix product [batch, M, K] x [batch, K, N] counts batch x M x N x K MACs.
 * Element-wise kernels, reductions, pooling and data movement count 0.
 */
export function kernelCost(name: string, inputs: Record<string, TensorInfo | undefined>, attrs: Record<string, unknown>): KernelCost {
  const shapeOf = (k: string) => inputs[k]?.shape ?? [];
  if (name === 'Conv2D' || name === 'FusedConv2D') {
    const [n, h, w] = shapeOf('x');
    const [kh, kw, c, o] = shapeOf('filter');
    const s = Array.isArray(attrs['strides']) ? (attrs['strides'] as number[])[0]! : Number(attrs['strides']);
    return {family: `dense conv ${kh}x${kw}`, flops: 2 * n! * Math.ceil(h! / s) * Math.ceil(w! / s) * kh! * kw! * c! * o!};
  }
  if (name === 'Conv2DBackpropInput') {
    const [kh, kw, c, o] = shapeOf('filter');
    const [n, oh, ow] = shapeOf('dy');
    return {family: `dense conv ${kh}x${kw}`, flops: 2 * n! * oh! * ow! * kh! * kw! * c! * o!};
  }
  if (name === 'Conv2DBackpropFilter') {
    const [kh, kw, c, o] = attrs['filterShape'] as number[];
    const [n, oh, ow] = shapeOf('dy');
    return {family: `dense conv ${kh}x${kw}`, flops: 2 * n! * oh! * ow! * kh! * kw! * c! * o!};
  }
  if (name.startsWith('DepthwiseConv2dNative') || name === 'FusedDepthwiseConv2D') {
    const filterShape = (inputs['filter']?.shape ?? attrs['filterShape']) as number[];
    const [kh, kw, c, multiplier] = filterShape;
    const dy = inputs['dy']?.shape;
    const [n, oh, ow] = dy ?? shapeOf('x');
    const large = kh! * kw! >= 13;
    return {family: large ? `depthwise ${kh}x${kw}` : 'depthwise small', flops: 2 * n! * oh! * ow! * kh! * kw! * c! * (multiplier ?? 1)};
  }
  if (name === 'BatchMatMul' || name === '_FusedMatMul') {
    const a = shapeOf('a');
    const b = shapeOf('b');
    const transposeA = attrs['transposeA'] === true;
    const transposeB = attrs['transposeB'] === true;
    const m = a[a.length - (transposeA ? 1 : 2)]!;
    const k = a[a.length - (transposeA ? 2 : 1)]!;
    const n = b[b.length - (transposeB ? 2 : 1)]!;
    const batchOf = (shape: readonly number[]) => shape.slice(0, -2).reduce((p, d) => p * d, 1);
    return {family: name, flops: 2 * Math.max(batchOf(a), batchOf(b)) * m * n * k};
  }
  return {family: name, flops: 0};
}

/** One timed kernel call: its name, cost and wall time. */
export interface KernelCall extends KernelCost {
  kernelName: string;
  /** Milliseconds of wall time, including every kernel it called. */
  ms: number;
  /** The input shapes, in the kernel's input order ('-' for an absent input). */
  inputShapes: string[];
}

/**
 * Wraps every kernel registered for the wasm backend (call it after the backend is selected, so that mslk's own
 * kernels are the ones wrapped) with a timer; `onCall` hears of each outermost call when it returns. A kernel
 * called from inside another (mslk's composed kernels) counts towards the outer one and is not reported.
 */
export function timeWasmKernels(onCall: (call: KernelCall) => void): void {
  let depth = 0;
  for (const config of getKernelsForBackend('wasm')) {
    const inner = config.kernelFunc;
    const wrapped: KernelConfig = {
      ...config,
      kernelFunc: (args) => {
        if (depth > 0) return inner(args);
        depth++;
        const start = performance.now();
        try {
          return inner(args);
        } finally {
          const ms = performance.now() - start;
          depth--;
          const inputs = args.inputs as Record<string, TensorInfo | undefined>;
          const cost = kernelCost(config.kernelName, inputs, (args.attrs ?? {}) as Record<string, unknown>);
          onCall({...cost, kernelName: config.kernelName, ms, inputShapes: Object.values(inputs).map((i) => i?.shape.join('x') ?? '-')});
        }
      },
    };
    unregisterKernel(config.kernelName, 'wasm');
    registerKernel(wrapped);
  }
}

/**
 * GFLOP/s of a 2048^3 single-precision matrix product, the best of 3 timed calls: XNNPACK's through tf.matMul on
 * wasm (`native` false), or the oneDNN addon's sgemm at its current thread count (after one untimed call).
 */
export function matmulPeak(native: boolean): number {
  const n = 2048;
  const fastestMs = (run: () => void): number => {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      run();
      best = Math.min(best, performance.now() - start);
    }
    return best;
  };
  let ms: number;
  if (native) {
    const addon = dnnlAddon()!;
    const a = new Float32Array(n * n).fill(0.5);
    const b = new Float32Array(n * n).fill(0.25);
    const c = new Float32Array(n * n);
    addon.sgemm(n, n, n, a, b, c);
    ms = fastestMs(() => addon.sgemm(n, n, n, a, b, c));
  } else {
    const a = tf.fill([n, n], 0.5);
    const b = tf.fill([n, n], 0.25);
    ms = fastestMs(() => tf.matMul(a, b).dispose());
    tf.dispose([a, b]);
  }
  return (2 * n * n * n) / ms / 1e6;
}

/** A CPU path of the wasm backend: wasm alone (XNNPACK, one thread), or with the oneDNN addon at some threads. */
export interface CpuPath {
  label: string;
  native: boolean;
  threads: number;
}

/**
 * The paths to measure here: wasm alone, and where the oneDNN addon is active, oneDNN on 1 thread and on every
 * core. Says on stderr why the oneDNN path is left out when it is.
 */
export function cpuPaths(): CpuPath[] {
  const cores = availableParallelism();
  const paths: CpuPath[] = [{label: 'wasm (1 thread)', native: false, threads: 1}];
  if (nativeCpu().active) paths.push({label: 'oneDNN 1 thread', native: true, threads: 1}, {label: `oneDNN ${cores} threads`, native: true, threads: cores});
  else console.error(`oneDNN path not measured: ${nativeCpu().detail}`);
  return paths;
}

/** What profileTrainingSteps reports for one model on one path. */
export interface ProfiledSteps {
  model: string;
  path: CpuPath;
  /** The path's 2048^3 matrix-product peak, GFLOP/s (matmulPeak). */
  peak: number;
  /** Mean wall ms of one timed training step. */
  stepMs: number;
  /** Trainable parameters of the model. */
  parameters: number;
}

/** The hooks of profileTrainingSteps; each is optional. */
export interface StepProfileHooks {
  /** Called with the built model and its trainable form before the first step (to wrap its layers or forward). */
  prepare?: (net: tf.LayersModel, trainable: Trainable) => void;
  /** Called after the warm-up step, before the timed ones (to clear what the warm-up recorded). */
  beforeTimed?: () => void;
  /** Runs one timed step (`step`), e.g. between a recorder's start and stop. Default: just `step()`. */
  aroundStep?: (step: () => Promise<unknown>) => Promise<unknown>;
  /** Called with the figures once the model is disposed. */
  report: (r: ProfiledSteps) => void;
}

/**
 * For each model on each path: switches the path on (and sets its threads), measures its matmul peak, builds the
 * model (seed 0, `baseWidth`), lets `hooks.prepare` wrap it, runs one warm-up training step (batch `batch`, `size`
 * px, random inputs and masks; it builds oneDNN's primitives and grows the heap, so it is not timed), then `steps`
 * timed steps with `trainConfig`, disposes everything and reports.
 */
export async function profileTrainingSteps(o: {models: string[]; paths: CpuPath[]; size: number; baseWidth: number; steps: number; batch: number;
  trainConfig: TrainConfig}, hooks: StepProfileHooks): Promise<void> {
  for (const model of o.models) {
    for (const path of o.paths) {
      useNativeCpu(path.native);
      if (path.native) setNativeThreads(path.threads);
      const peak = matmulPeak(path.native);
      const {model: net, config} = buildModel(parseModelConfig({model, baseWidth: o.baseWidth}, 'model'), {seed: 0});
      const trainable = trainableOf(net);
      hooks.prepare?.(net, trainable);
      const parameters = trainable.variables.reduce((s, v) => s + v.size, 0);
      const runner = stepRunner(trainable, o.trainConfig);
      const x = tf.randomUniform([o.batch, o.size, o.size, config.inChannels], 0, 1, 'float32', 1) as tf.Tensor4D;
      const y = tf.cast(tf.greater(tf.randomUniform([o.batch, o.size, o.size, config.outChannels], 0, 1, 'float32', 2), 0.5), 'float32') as tf.Tensor4D;
      await runner.step(x, y);
      hooks.beforeTimed?.();
      const around = hooks.aroundStep ?? ((step: () => Promise<unknown>) => step());
      const start = performance.now();
      for (let i = 0; i < o.steps; i++) await around(() => runner.step(x, y));
      const stepMs = (performance.now() - start) / o.steps;
      runner.dispose();
      tf.dispose([x, y]);
      net.dispose();
      hooks.report({model, path, peak, stepMs, parameters});
    }
  }
}
