// Where a training step's time goes, per kernel family, on the wasm backend with and without the oneDNN path:
// milliseconds per step, share of the step, and for convolutions the achieved GFLOP/s against the machine's
// measured peak (a 2048^3 single-precision matrix product on the same path: XNNPACK's for wasm, oneDNN's sgemm for
// the native path, per thread count).
//   node --import=tsx bench/kernel-profile.ts [--models ms-lkseg unet] [--size 128] [--base-width 16] [--steps 4] [--top N]
// Every wasm kernel is wrapped with a timer; a kernel called from inside another (our composed kernels) counts
// towards the outer one. Phases: forward (the model's call), backward (the gradients), optimiser (the update).
import * as tf from '@tensorflow/tfjs';
import {getKernelsForBackend, registerKernel, unregisterKernel, type KernelConfig, type TensorInfo} from '@tensorflow/tfjs-core';
import {availableParallelism} from 'node:os';
import {performance} from 'node:perf_hooks';
import {selectBackend} from '../src/engine/backends.js';
import {dnnlAddon, nativeCpu, setNativeThreads, useNativeCpu} from '../src/engine/native/dnnl.js';
import {parseModelConfig, buildModel} from '../src/models/registry.js';
import {defaultTrainConfig} from '../src/runs/config.js';
import {Optimizer} from '../src/training/optimizers.js';
import {stepRunner, trainableOf} from '../src/training/step.js';
import {listArg} from './args.js';

const models = listArg('models', ['ms-lkseg', 'unet']);
const size = Number(listArg('size', ['128'])[0]);
const baseWidth = Number(listArg('base-width', ['16'])[0]);
const steps = Number(listArg('steps', ['4'])[0]);
const top = Number(listArg('top', ['0'])[0]);
const calls = new Map<string, number>();
const BATCH = 4;

type Phase = 'forward' | 'backward' | 'optimiser';
let phase: Phase = 'forward';
let depth = 0;
const totals = new Map<string, {ms: number; flops: number; calls: number}>();

/** The family a kernel call belongs to, and its multiply-add FLOPs (2 per MAC) where it is a convolution. */
function classify(name: string, inputs: Record<string, TensorInfo | undefined>, attrs: Record<string, unknown>): {family: string; flops: number} {
  const shapeOf = (k: string) => inputs[k]?.shape ?? [];
  if (name === 'Conv2D' || name === 'FusedConv2D') {
    const [n, h, w] = shapeOf('x');
    const [kh, kw, c, o] = shapeOf('filter');
    const s = Array.isArray(attrs['strides']) ? (attrs['strides'] as number[])[0]! : Number(attrs['strides']);
    return {family: `dense conv ${kh}x${kw}`, flops: (2 * n! * Math.ceil(h! / s) * Math.ceil(w! / s) * kh! * kw! * c! * o!)};
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
    const [kh, kw, c] = filterShape;
    const dy = inputs['dy']?.shape;
    const [n, oh, ow] = dy ?? shapeOf('x');
    const large = kh! * kw! >= 13;
    return {family: large ? `depthwise ${kh}x${kw}` : `depthwise small`, flops: 2 * n! * oh! * ow! * kh! * kw! * c!};
  }
  return {family: name, flops: 0};
}

function wrapKernels(): void {
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
          const {family, flops} = classify(config.kernelName, args.inputs as Record<string, TensorInfo>, (args.attrs ?? {}) as Record<string, unknown>);
          const key = `${phase}\t${family}`;
          const t = totals.get(key) ?? {ms: 0, flops: 0, calls: 0};
          t.ms += ms;
          t.flops += flops;
          t.calls++;
          totals.set(key, t);
          if (top > 0) {
            const shapes = Object.values(args.inputs).map((i) => (i as TensorInfo | undefined)?.shape.join('x') ?? '-').join(' ');
            const callKey = `${phase}\t${config.kernelName}\t${shapes}`;
            calls.set(callKey, (calls.get(callKey) ?? 0) + ms);
          }
        }
      },
    };
    unregisterKernel(config.kernelName, 'wasm');
    registerKernel(wrapped);
  }
}

const applyOriginal = Optimizer.prototype.apply;
Optimizer.prototype.apply = function (this: Optimizer, ...args: Parameters<Optimizer['apply']>) {
  phase = 'optimiser';
  try {
    return applyOriginal.apply(this, args);
  } finally {
    phase = 'forward';
  }
};

/** GFLOP/s of a 2048^3 product: XNNPACK through tf.matMul on wasm, or oneDNN's sgemm at the current threads. */
function matmulPeak(native: boolean): number {
  const n = 2048;
  const flops = 2 * n * n * n;
  if (native) {
    const addon = dnnlAddon()!;
    const a = new Float32Array(n * n).fill(0.5);
    const b = new Float32Array(n * n).fill(0.25);
    const c = new Float32Array(n * n);
    addon.sgemm(n, n, n, a, b, c);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      addon.sgemm(n, n, n, a, b, c);
      times.push(performance.now() - start);
    }
    return flops / Math.min(...times) / 1e6;
  }
  const a = tf.fill([n, n], 0.5);
  const b = tf.fill([n, n], 0.25);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    tf.matMul(a, b).dispose();
    times.push(performance.now() - start);
  }
  tf.dispose([a, b]);
  return flops / Math.min(...times) / 1e6;
}

await selectBackend('wasm');
wrapKernels();
const cores = availableParallelism();
const native = nativeCpu().active;
const paths: {label: string; native: boolean; threads: number}[] = [{label: 'wasm (1 thread)', native: false, threads: 1}];
if (native) paths.push({label: 'oneDNN 1 thread', native: true, threads: 1}, {label: `oneDNN ${cores} threads`, native: true, threads: cores});
else console.error(`oneDNN path not measured: ${nativeCpu().detail}`);

for (const model of models) {
  for (const path of paths) {
    useNativeCpu(path.native);
    if (path.native) setNativeThreads(path.threads);
    const peak = matmulPeak(path.native);
    const {model: net, config} = buildModel(parseModelConfig({model, baseWidth}, 'model'), {seed: 0});
    const trainable = trainableOf(net);
    const forward = trainable.forward;
    trainable.forward = (x) => {
      phase = 'forward';
      const y = forward(x);
      phase = 'backward';
      return y;
    };
    const runner = stepRunner(trainable, defaultTrainConfig());
    const x = tf.randomUniform([BATCH, size, size, config.inChannels], 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = tf.cast(tf.greater(tf.randomUniform([BATCH, size, size, config.outChannels], 0, 1, 'float32', 2), 0.5), 'float32') as tf.Tensor4D;
    runner.step(x, y); // builds primitives and grows the heap: not counted
    totals.clear();
    calls.clear();
    const start = performance.now();
    for (let i = 0; i < steps; i++) runner.step(x, y);
    const stepMs = (performance.now() - start) / steps;
    runner.dispose();
    tf.dispose([x, y]);
    net.dispose();
    const rows = [...totals.entries()].map(([key, t]) => ({key, ms: t.ms / steps, gflops: t.flops > 0 ? t.flops / t.ms / 1e6 : 0}))
      .sort((a, b) => b.ms - a.ms);
    console.log(`\n${model} ${size} px, base width ${baseWidth}, batch ${BATCH}, ${path.label}: ${stepMs.toFixed(0)} ms/step; matmul peak ${peak.toFixed(1)} GFLOP/s`);
    console.log('phase\tkernel family\tms/step\tshare\tGFLOP/s\tof peak');
    let other = 0;
    for (const r of rows) {
      if (r.ms < stepMs * 0.01) {
        other += r.ms;
        continue;
      }
      console.log(`${r.key}\t${r.ms.toFixed(1)}\t${((100 * r.ms) / stepMs).toFixed(1)}%\t${r.gflops > 0 ? r.gflops.toFixed(1) : '-'}\t${r.gflops > 0 ? `${((100 * r.gflops) / peak).toFixed(0)}%` : '-'}`);
    }
    const counted = rows.reduce((s, r) => s + r.ms, 0);
    console.log(`(each under 1%)\t\t${other.toFixed(1)}\t${((100 * other) / stepMs).toFixed(1)}%`);
    console.log(`(outside kernels: engine, tape, JS)\t\t${(stepMs - counted).toFixed(1)}\t${((100 * (stepMs - counted)) / stepMs).toFixed(1)}%`);
    if (top > 0) {
      console.log(`the ${top} slowest kernel calls (phase, kernel, input shapes, ms per step):`);
      for (const [key, ms] of [...calls.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${key}\t${(ms / steps).toFixed(1)}`);
    }
  }
}
