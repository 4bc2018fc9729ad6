// `mslk bench engine`: median milliseconds per training step (forward + backward + Adam update) of the
// reference net on each backend, and images per second.
import * as tf from '@tensorflow/tfjs-core';
import {activateBackend, activeBackendName, probeBackend, BACKEND_NAMES, type BackendName} from './backends.js';
import {buildReferenceNet, referenceBatch, trainStep} from './reference-net.js';

export interface EngineBenchOptions {
  backends?: BackendName[];
  size: number;
  batch: number;
  /** Timed steps per backend (fewer when the time budget runs out first; at least 2). */
  steps: number;
  warmup: number;
  /** Per backend, for the timed steps. */
  budgetSeconds: number;
}

export interface EngineBenchResult {
  backend: BackendName;
  available: boolean;
  detail: string;
  size: number;
  batch: number;
  steps?: number;
  msPerStep?: number;
  msPerStepIqr?: [number, number];
  imagesPerSecond?: number;
  /** How many times faster than `cpu` (when cpu was measured too). */
  speedupVsCpu?: number;
  /** Tensors alive after the timed steps minus before (0: no leak). */
  leakedTensors?: number;
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

async function benchOne(name: BackendName, o: EngineBenchOptions): Promise<EngineBenchResult> {
  const base = {backend: name, size: o.size, batch: o.batch};
  const status = await probeBackend(name);
  if (!status.available) return {...base, available: false, detail: status.detail};
  const previous = tf.getBackend();
  await activateBackend(name);
  try {
    const net = buildReferenceNet(0);
    const {x, y} = referenceBatch(o.batch, o.size, 0);
    const optimizer = tf.train.adam(1e-3);
    // The pure-JS backend needs no JIT warm-up worth a minute-long step.
    const warmup = name === 'cpu' ? 0 : o.warmup;
    for (let i = 0; i < warmup; i++) trainStep(net, optimizer, x, y);
    const before = tf.memory().numTensors;
    const times: number[] = [];
    const deadline = performance.now() + o.budgetSeconds * 1000;
    while (times.length < o.steps && (times.length < 2 || performance.now() < deadline)) {
      const t0 = performance.now();
      trainStep(net, optimizer, x, y);
      times.push(performance.now() - t0);
    }
    const leakedTensors = tf.memory().numTensors - before;
    optimizer.dispose();
    net.dispose();
    tf.dispose([x, y]);
    const sorted = [...times].sort((a, b) => a - b);
    const ms = quantile(sorted, 0.5);
    return {
      ...base, available: true, detail: status.detail, steps: times.length, msPerStep: ms,
      msPerStepIqr: [quantile(sorted, 0.25), quantile(sorted, 0.75)], imagesPerSecond: (1000 * o.batch) / ms, leakedTensors,
    };
  } finally {
    await tf.setBackend(previous);
  }
}

export async function benchEngine(o: EngineBenchOptions): Promise<EngineBenchResult[]> {
  const names = o.backends ?? [...BACKEND_NAMES];
  const results: EngineBenchResult[] = [];
  for (const name of names) results.push(await benchOne(name, o));
  const cpu = results.find((r) => r.backend === 'cpu' && r.msPerStep !== undefined);
  if (cpu) {
    for (const r of results) if (r.msPerStep !== undefined) r.speedupVsCpu = cpu.msPerStep! / r.msPerStep;
  }
  return results;
}

export {activeBackendName};
