// Where a training step's time goes, per kernel family, on the wasm backend with and without the oneDNN path:
// milliseconds per step, share of the step, and for convolutions and matrix products the achieved GFLOP/s against
// the machine's measured peak (a 2048^3 single-precision matrix product on the same path: XNNPACK's for wasm,
// oneDNN's sgemm for the native path, per thread count). bench/layer-profile.ts gives the same per layer family.
//   node --import=tsx bench/kernel-profile.ts [--models ms-lkseg unet] [--size 128] [--base-width 16] [--steps 4] [--top N]
// Every wasm kernel is wrapped with a timer; a kernel called from inside another (our composed kernels) counts
// towards the outer one. Phases: forward (the model's call), backward (the gradients), optimiser (the update).
import {selectBackend} from '../src/engine/backends.js';
import {defaultTrainConfig} from '../src/runs/config.js';
import {Optimizer} from '../src/training/optimizers.js';
import {listArg} from './args.js';
import {cpuPaths, profileTrainingSteps, timeWasmKernels} from './kernel-timing.js';

const models = listArg('models', ['ms-lkseg', 'unet']);
const size = Number(listArg('size', ['128'])[0]);
const baseWidth = Number(listArg('base-width', ['16'])[0]);
const steps = Number(listArg('steps', ['4'])[0]);
const top = Number(listArg('top', ['0'])[0]);
const calls = new Map<string, number>();
const BATCH = 4;

type Phase = 'forward' | 'backward' | 'optimiser';
let phase: Phase = 'forward';
const totals = new Map<string, {ms: number; flops: number; calls: number}>();

function recordKernels(): void {
  timeWasmKernels((call) => {
    const key = `${phase}\t${call.family}`;
    const t = totals.get(key) ?? {ms: 0, flops: 0, calls: 0};
    t.ms += call.ms;
    t.flops += call.flops;
    t.calls++;
    totals.set(key, t);
    if (top > 0) {
      const callKey = `${phase}\t${call.kernelName}\t${call.inputShapes.join(' ')}`;
      calls.set(callKey, (calls.get(callKey) ?? 0) + call.ms);
    }
  });
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

await selectBackend('wasm');
recordKernels();
const paths = cpuPaths();

await profileTrainingSteps({models, paths, size, baseWidth, steps, batch: BATCH, trainConfig: defaultTrainConfig()}, {
  prepare: (_net, trainable) => {
    const forward = trainable.forward;
    trainable.forward = (x) => {
      phase = 'forward';
      const y = forward(x);
      phase = 'backward';
      return y;
    };
  },
  beforeTimed: () => {
    totals.clear();
    calls.clear();
  },
  report: ({model, path, peak, stepMs}) => {
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
  },
});
