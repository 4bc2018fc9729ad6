// One build of tfjs-backend-wasm in its own process, driven by bench/wasm-threads.ts over IPC: the plain SIMD build
// ('simd', one thread, what mslk uses), the threaded SIMD build on N XNNPACK threads ('threaded', through the
// shim in wasm-threaded-simd.ts), or TF.js's own threaded path with the flag forced ('stock', to record where it
// fails). Each build needs its own process: the wasm kernels bind the module they were set up with, and the
// pool's thread count is fixed when the module initialises.
//   node --import=tsx bench/wasm-threads-child.ts --build simd|threaded|stock [--threads N]   (with an IPC channel)
import * as tf from '@tensorflow/tfjs';
import {readdirSync, readFileSync} from 'node:fs';
import {performance} from 'node:perf_hooks';
import {activateBackend} from '../src/engine/backends.js';
import {selfCheck} from '../src/engine/self-check.js';
import {buildModel, parseModelConfig} from '../src/models/registry.js';
import {countMacs} from '../src/models/profile/macs.js';
import {randomBatch} from '../src/models/profile/timing.js';
import {defaultTrainConfig} from '../src/runs/config.js';
import {SeededRandom} from '../src/io/random.js';
import {stepRunner, trainableOf, type StepRunner} from '../src/training/step.js';
import {listArg} from './args.js';
import {threadedSimdThreads, useThreadedSimdWasm} from './wasm-threaded-simd.js';
import {CASES, type ChildReply, type ChildRequest} from './wasm-threads-protocol.js';

/** One measured computation: `run` is timed; `result` is its output for the agreement check. */
interface PreparedCase {
  /** GFLOP per run, 2 FLOPs per multiply-add. */
  gflop: number;
  /** Resolves when the run's results are read back (a training step reads its loss). */
  run(): void | Promise<unknown>;
  result(): Float32Array | Promise<Float32Array>;
}

/** A tensor of the given shape, uniform in [-1, 1), from the seeded generator (the same in every process). */
function seededTensor(shape: number[], label: string): tf.Tensor {
  const rng = SeededRandom.stream(label, 0);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = rng.range(-1, 1);
  return tf.tensor(values, shape);
}

function convCase(n: number, size: number, channels: number): PreparedCase {
  const x = seededTensor([n, size, size, channels], 'wasm-threads-x') as tf.Tensor4D;
  const filter = seededTensor([3, 3, channels, channels], 'wasm-threads-filter') as tf.Tensor4D;
  return {
    gflop: (2 * n * size * size * 9 * channels * channels) / 1e9,
    run: () => tf.conv2d(x, filter, 1, 'same').dispose(),
    result: () => tf.tidy(() => tf.conv2d(x, filter, 1, 'same')).dataSync() as Float32Array,
  };
}

function matmulCase(): PreparedCase {
  const a = seededTensor([1024, 1024], 'wasm-threads-a') as tf.Tensor2D;
  const b = seededTensor([1024, 1024], 'wasm-threads-b') as tf.Tensor2D;
  return {
    gflop: (2 * 1024 ** 3) / 1e9,
    run: () => tf.matMul(a, b).dispose(),
    result: () => tf.tidy(() => tf.matMul(a, b)).dataSync() as Float32Array,
  };
}

/**
 * A U-Net (seed 0) and its step runner; `result` trains a fresh one two steps: both losses, then its prediction.
 * A step's FLOPs are taken as 3 x the forward pass's (forward, input gradient, kernel gradient) at batch 4.
 */
function unetCase(): PreparedCase {
  const config = parseModelConfig({model: 'unet', baseWidth: 16}, 'model');
  const {x, y} = randomBatch(4, 128, config.inChannels, 0);
  const counted = buildModel(config, {seed: 0, inputSize: 128}).model;
  const forwardMacs = countMacs(counted).total;
  counted.dispose();
  const fresh = (): {net: tf.LayersModel; runner: StepRunner} => {
    const {model: net} = buildModel(config, {seed: 0});
    return {net, runner: stepRunner(trainableOf(net), defaultTrainConfig())};
  };
  const timed = fresh();
  return {
    gflop: (3 * 2 * 4 * forwardMacs) / 1e9,
    run: () => timed.runner.step(x, y),
    result: async () => {
      const {net, runner} = fresh();
      const losses = [await runner.step(x, y), await runner.step(x, y)];
      const prediction = tf.tidy(() => net.predict(x) as tf.Tensor).dataSync() as Float32Array;
      runner.dispose();
      net.dispose();
      return Float32Array.from([...losses, ...prediction]);
    },
  };
}

const prepared = new Map<string, PreparedCase>();

/** The case, built and warmed up on first use (the first runs build XNNPACK operators and grow the heap). */
async function preparedCase(name: string): Promise<PreparedCase> {
  let c = prepared.get(name);
  if (c === undefined) {
    const spec = CASES[name];
    if (spec === undefined) throw new Error(`unknown case '${name}': use one of ${Object.keys(CASES).join(', ')}`);
    c = name === 'conv-128x16' ? convCase(4, 128, 16) : name === 'conv-32x64' ? convCase(4, 32, 64) : name === 'matmul' ? matmulCase() : unetCase();
    for (let i = 0; i < spec.warmups; i++) await c.run();
    prepared.set(name, c);
  }
  return c;
}

/** CPU clock ticks (user + system) of each thread of this process, from Linux's /proc; null elsewhere. */
function ticksPerThread(): Map<string, number> | null {
  try {
    return new Map(readdirSync('/proc/self/task').map((task) => {
      // Fields after the parenthesised name: state is the first, utime and stime the 12th and 13th.
      const fields = readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return [task, Number(fields[11]) + Number(fields[12])];
    }));
  } catch {
    return null;
  }
}

/**
 * Threads that did at least a third of the busiest thread's work between two samples: the direct evidence that
 * XNNPACK's pool ran in parallel, whatever the machine's load did to the wall time.
 */
function busyThreads(before: Map<string, number> | null, after: Map<string, number> | null): number | null {
  if (before === null || after === null) return null;
  const used = [...after].map(([task, ticks]) => ticks - (before.get(task) ?? 0));
  const busiest = Math.max(...used);
  return busiest > 0 ? used.filter((t) => t >= busiest / 3).length : null;
}

function reply(message: ChildReply): void {
  process.send!(message);
}

/**
 * Activates the wasm backend of this child's build. A failed initialisation only makes TF.js log the error (and
 * not at all under PROD, which src/engine sets) and return false, so PROD is lifted and the log captured meanwhile.
 */
async function activate(build: string, threads: number): Promise<void> {
  if (build === 'threaded') useThreadedSimdWasm(threads);
  if (build === 'stock') tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  const logged: string[] = [];
  const warn = console.warn;
  tf.env().set('PROD', false);
  console.warn = (...args: unknown[]) => void logged.push(args.map((a) => (a instanceof Error ? `${(a as {code?: string}).code ?? a.name}: ${a.message}` : String(a))).join(' '));
  try {
    await activateBackend('wasm');
  } catch (error) {
    const detail = logged.find((line) => !line.startsWith('Initialization of backend')) ?? (error instanceof Error ? error.message : String(error));
    throw new Error(detail.split('\n')[0]);
  } finally {
    console.warn = warn;
    tf.env().set('PROD', true);
  }
}

async function main(): Promise<void> {
  const build = listArg('build', ['simd'])[0]!;
  const threads = Number(listArg('threads', ['1'])[0]);
  let stage = 'loading the module';
  try {
    await activate(build, threads);
    stage = 'the gradient self-check';
    const selfCheckError = await selfCheck('wasm');
    reply({type: 'ready', threads: Math.max(1, threadedSimdThreads()), selfCheckError});
  } catch (error) {
    // Exit once the reply is out: a half-started module may hold workers that would keep this process alive.
    process.send!({type: 'failed', stage, message: error instanceof Error ? error.message.split('\n')[0]! : String(error)} satisfies ChildReply, () => process.exit(0));
    return;
  }
  process.on('message', async (request: ChildRequest) => {
    if (request.type === 'exit') {
      process.disconnect();
      process.exit(0);
    }
    const c = await preparedCase(request.caseName);
    if (request.type === 'result') {
      reply({type: 'result', values: await c.result()});
      return;
    }
    // CPU time of the whole process, pthread workers included (capped by what the scheduler grants a loaded machine).
    const ms: number[] = [];
    const cpuMs: number[] = [];
    const ticksBefore = ticksPerThread();
    for (let i = 0; i < request.runs; i++) {
      const cpu = process.cpuUsage();
      const start = performance.now();
      await c.run();
      ms.push(performance.now() - start);
      const used = process.cpuUsage(cpu);
      cpuMs.push((used.user + used.system) / 1000);
    }
    reply({type: 'time', ms, cpuMs, busyThreads: busyThreads(ticksBefore, ticksPerThread()), gflop: c.gflop});
  });
}

await main();
