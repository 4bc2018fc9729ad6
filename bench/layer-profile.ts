// Where a training step's time goes per layer family (issue #14: DyConv, plain 3x3 conv, MIE, MIDM, LD depthwise,
// decoder, head, optimiser, other), forward and backward, with the families' achieved GFLOP/s against the machine's
// measured peak (a 2048^3 single-precision matrix product on the same path: XNNPACK's for wasm, oneDNN's sgemm at
// the path's threads), on the wasm path alone ("before": the path before the oneDNN addon) and on oneDNN at 1 and
// at every core's threads ("after"). One markdown table per model and path.
//   node --import=tsx bench/layer-profile.ts [--models ms-lkseg unet] [--size 128] [--base-width 16] [--steps 3]
//
// How time is attributed (this script only: it monkey-patches the model's layers, the engine and the optimiser):
// - forward: each top-level layer's `call` sets the current family while it runs (bench/layer-families.ts maps
//   names to families); what runs between layers is 'other (between layers)', the loss 'other (loss)';
// - backward: every tape node recorded by the engine (`addTapeNode`) remembers the family current when it was
//   recorded, and its gradient function (and the thunks it returns) set that family again when the backward pass
//   (src/engine/gradients.ts) calls them, so a layer's gradients count towards the layer; the gradient sums and
//   releases that follow a node count towards that node's family;
// - the update: the optimiser's `apply` is the 'optimiser' family.
// Time is wall time between these switches (kernels and the JS, engine and tape work between them), so the
// families sum to the step; FLOPs are counted per kernel call (bench/kernel-timing.ts) for the family current then.
import * as tf from '@tensorflow/tfjs';
import {performance} from 'node:perf_hooks';
import {selectBackend} from '../src/engine/backends.js';
import {defaultTrainConfig} from '../src/runs/config.js';
import {Optimizer} from '../src/training/optimizers.js';
import {listArg} from './args.js';
import {cpuPaths, profileTrainingSteps, timeWasmKernels, type CpuPath, type KernelCall} from './kernel-timing.js';
import {compareFamilies, layerFamilies, layerInfos, OPTIMISER_FAMILY, optimiserFlopsPerParameter} from './layer-families.js';

const models = listArg('models', ['ms-lkseg', 'unet']);
const size = Number(listArg('size', ['128'])[0]);
const baseWidth = Number(listArg('base-width', ['16'])[0]);
const steps = Number(listArg('steps', ['3'])[0]);
const BATCH = 4;

const BETWEEN_LAYERS = 'other (between layers)';
const LOSS = 'other (loss)';
const STEP_GLUE = 'other (step: loss value, releases)';

type Phase = 'forward' | 'backward' | 'update';

/** Per phase and family: wall ms, ms inside kernels, FLOPs (summed over the recorded steps). */
interface FamilyTotals {
  wallMs: number;
  kernelMs: number;
  flops: number;
}

/** Charges wall time to the current (phase, family) between switches, and kernel calls to the family current then. */
class Attribution {
  phase: Phase = 'forward';
  family = STEP_GLUE;
  private since = 0;
  private recording = false;
  readonly totals = new Map<string, FamilyTotals>();

  private entry(phase: Phase, family: string): FamilyTotals {
    const key = `${phase}\t${family}`;
    let t = this.totals.get(key);
    if (t === undefined) {
      t = {wallMs: 0, kernelMs: 0, flops: 0};
      this.totals.set(key, t);
    }
    return t;
  }

  /** From now on, time counts towards `family` in `phase`. */
  enter(phase: Phase, family: string): void {
    const now = performance.now();
    if (this.recording) this.entry(this.phase, this.family).wallMs += now - this.since;
    this.phase = phase;
    this.family = family;
    this.since = now;
  }

  /** Starts recording a step. */
  start(): void {
    this.recording = true;
    this.phase = 'forward';
    this.family = STEP_GLUE;
    this.since = performance.now();
  }

  /** Ends a step: charges the last stretch and stops recording. */
  stop(): void {
    this.enter(this.phase, this.family);
    this.recording = false;
  }

  /** Charges a kernel call's time (inside kernels) and FLOPs to the current phase and family. */
  kernel(call: KernelCall): void {
    if (!this.recording) return;
    const t = this.entry(this.phase, this.family);
    t.kernelMs += call.ms;
    t.flops += call.flops;
  }

  /** Adds FLOPs not seen as kernels (the optimiser's element-wise arithmetic). */
  addFlops(phase: Phase, family: string, flops: number): void {
    this.entry(phase, family).flops += flops;
  }
}

const attribution = new Attribution();

interface TapeNodeInternals {
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
}

interface EngineInternals {
  state: {activeTape: TapeNodeInternals[] | null};
  addTapeNode(...args: unknown[]): void;
  tidy<T extends tf.TensorContainer>(nameOrFn: string | (() => T), fn?: () => T): T;
}

/** Makes every tape node's gradient count towards the family its forward was recorded under (see the header). */
function attributeBackward(): void {
  const engine = tf.engine() as unknown as EngineInternals;
  if (typeof engine.addTapeNode !== 'function' || typeof engine.tidy !== 'function') {
    throw new Error('this version of @tensorflow/tfjs-core has no addTapeNode where the profile expects it (tested with 4.22.0)');
  }
  const addTapeNode = engine.addTapeNode.bind(engine);
  engine.addTapeNode = (...args: unknown[]) => {
    addTapeNode(...args);
    const tape = engine.state.activeTape;
    const node = tape?.[tape.length - 1];
    const gradient = node?.gradient;
    if (node === undefined || gradient === undefined) return;
    const family = attribution.family;
    node.gradient = (dys) => {
      attribution.enter('backward', family);
      const thunks = gradient(dys);
      return Object.fromEntries(Object.entries(thunks).map(([input, thunk]) => [input, () => {
        attribution.enter('backward', family);
        return thunk();
      }]));
    };
  };
  // variableGradsReleasing runs the backward pass in a tidy named 'backward': its start ends the loss's forward.
  const tidy = engine.tidy.bind(engine) as EngineInternals['tidy'];
  engine.tidy = <T extends tf.TensorContainer>(nameOrFn: string | (() => T), fn?: () => T): T => {
    if (nameOrFn !== 'backward') return tidy(nameOrFn, fn);
    attribution.enter('backward', LOSS);
    try {
      return tidy(nameOrFn, fn);
    } finally {
      attribution.enter('backward', STEP_GLUE);
    }
  };
}

function attributeOptimiser(): void {
  const apply = Optimizer.prototype.apply;
  Optimizer.prototype.apply = function (this: Optimizer, ...args: Parameters<Optimizer['apply']>) {
    attribution.enter('update', OPTIMISER_FAMILY);
    try {
      return apply.apply(this, args);
    } finally {
      attribution.enter('update', STEP_GLUE);
    }
  };
}

/** Wraps each top-level layer's `call` of `net` so that its forward counts towards its family. */
function attributeLayers(net: tf.LayersModel): void {
  const families = layerFamilies(layerInfos(net));
  for (const layer of net.layers) {
    const family = families.get(layer.name)!;
    const call = layer.call.bind(layer);
    layer.call = (...args: Parameters<tf.layers.Layer['call']>) => {
      const outer = attribution.family;
      attribution.enter('forward', family);
      try {
        return call(...args);
      } finally {
        attribution.enter('forward', outer);
      }
    };
  }
}

const fixed = (v: number, digits = 1) => v.toFixed(digits);

/** The markdown table of one model on one path, the consistency line under it. */
function printTable(model: string, path: CpuPath, peak: number, stepMs: number): void {
  const byFamily = new Map<string, {forward: number; backward: number; update: number; kernelMs: number; flops: number}>();
  for (const [key, t] of attribution.totals) {
    const [phase, family] = key.split('\t') as [Phase, string];
    const row = byFamily.get(family) ?? {forward: 0, backward: 0, update: 0, kernelMs: 0, flops: 0};
    row[phase] += t.wallMs / steps;
    row.kernelMs += t.kernelMs / steps;
    row.flops += t.flops / steps;
    byFamily.set(family, row);
  }
  const when = path.native ? 'after' : 'XNNPACK, before';
  console.log(`\n### ${model}, ${size} px, base width ${baseWidth}, batch ${BATCH}: ${path.label}, ${when}\n`);
  console.log(`Measured step: ${fixed(stepMs, 0)} ms (mean of ${steps} after one warm-up step); matmul peak (2048^3 on this path): ${fixed(peak)} GFLOP/s.\n`);
  console.log('| layer family | forward ms | backward ms | total ms | share of step | FLOPs (G) | GFLOP/s | % of peak |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  const sum = {forward: 0, backward: 0, total: 0, kernelMs: 0, flops: 0};
  for (const family of [...byFamily.keys()].sort(compareFamilies)) {
    const r = byFamily.get(family)!;
    const total = r.forward + r.backward + r.update;
    const gflops = r.flops > 0 ? r.flops / total / 1e6 : 0;
    const phaseCell = (ms: number) => (ms > 0 ? fixed(ms) : '-');
    console.log(`| ${family} | ${phaseCell(r.forward)} | ${phaseCell(r.backward)} | ${fixed(total)} | ${fixed((100 * total) / stepMs)}% | ${r.flops > 0 ? fixed(r.flops / 1e9, 2) : '0'} | ${gflops > 0 ? fixed(gflops) : '-'} | ${gflops > 0 ? `${fixed((100 * gflops) / peak)}%` : '-'} |`);
    sum.forward += r.forward;
    sum.backward += r.backward;
    sum.total += total;
    sum.kernelMs += r.kernelMs;
    sum.flops += r.flops;
  }
  const gflops = sum.flops / sum.total / 1e6;
  console.log(`| **all families** | ${fixed(sum.forward)} | ${fixed(sum.backward)} | ${fixed(sum.total)} | ${fixed((100 * sum.total) / stepMs)}% | ${fixed(sum.flops / 1e9, 2)} | ${fixed(gflops)} | ${fixed((100 * gflops) / peak)}% |`);
  console.log(`\nConsistency: the families sum to ${fixed(sum.total)} ms/step; the steps timed around the loop took ${fixed(stepMs)} ms/step (difference ${fixed(stepMs - sum.total)} ms: the loop and the timers' own overhead). Of the families' time, ${fixed(sum.kernelMs)} ms is inside kernels and ${fixed(sum.total - sum.kernelMs)} ms is JS, engine and tape work between them.`);
}

await selectBackend('wasm');
timeWasmKernels((call) => attribution.kernel(call));
attributeBackward();
attributeOptimiser();
const paths = cpuPaths();
const trainConfig = defaultTrainConfig();
const perParameter = optimiserFlopsPerParameter(trainConfig.optimizer);

console.log(`# Training step time per layer family (issue #14)\n`);
console.log('Before: the wasm path alone (XNNPACK, one thread; the path before the oneDNN addon). After: the oneDNN addon at 1 thread and at every core.');
console.log('Times are wall ms per step while a family runs: forward = its layers\' call, backward = the gradients of the tape nodes its forward recorded (with the gradient sums and releases that follow each), and the optimiser\'s update counts only in its total.');
console.log(`FLOPs (G) per step = 2 x MACs of the convolution and matrix-product kernels the family ran, forward and backward; element-wise ops count 0 FLOPs but their time counts. The optimiser counts ${perParameter} FLOPs per parameter (${trainConfig.optimizer.name}, its element-wise update: bench/layer-families.ts). GFLOP/s = FLOPs / total time; % of peak against the path's 2048^3 matrix product.`);

await profileTrainingSteps({models, paths, size, baseWidth, steps, batch: BATCH, trainConfig}, {
  prepare: (net, trainable) => {
    attributeLayers(net);
    const forward = trainable.forward;
    trainable.forward = (x) => {
      attribution.enter('forward', BETWEEN_LAYERS);
      const y = forward(x);
      attribution.enter('forward', LOSS);
      return y;
    };
  },
  beforeTimed: () => attribution.totals.clear(),
  aroundStep: async (step) => {
    attribution.start();
    await step();
    attribution.stop();
  },
  report: ({model, path, peak, stepMs, parameters}) => {
    attribution.addFlops('update', OPTIMISER_FAMILY, steps * parameters * perParameter);
    printTable(model, path, peak, stepMs);
  },
});
