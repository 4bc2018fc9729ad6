// The optional native CPU path: a Node-API addon over oneDNN (native/dnnl/, built at `npm install` when Debian's
// libdnnl-dev is there) that runs the wasm backend's convolutions and their gradients on every core, and a few
// memory-bound kernels the wasm backend runs slowly (pooling gradients, reductions over leading axes). Where the
// addon is missing or fails to load, everything runs on the wasm path, and `nativeCpu()` says why.
import {availableParallelism} from 'node:os';
import {createRequire} from 'node:module';
import {existsSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {threadsFromEnvironment} from '../threads.js';

/**
 * The addon's functions (native/dnnl/mslk_dnnl.cc). Every array is float32; geometry is the 18 integers of
 * `ConvGeometry` in order. All calls are synchronous and throw an Error when oneDNN refuses a geometry.
 */
export interface DnnlAddon {
  /** kind 0: y = conv(x, kernel) (+ bias, ReLU); 1: x = input gradient from y = dy; 2: kernel = kernel gradient. */
  conv2d(kind: 0 | 1 | 2, x: Float32Array, kernel: Float32Array, y: Float32Array, geometry: number[],
    bias?: Float32Array | null, relu?: boolean): void;
  /** The oneDNN implementation a geometry runs on, e.g. 'brgconv:avx512_core' or 'ref:any'. */
  implementation(kind: 0 | 1 | 2, geometry: number[]): string;
  /** kind 0: AvgPoolGrad, 1: MaxPoolGrad into dx; geometry [n, h, w, c, oh, ow, fh, fw, sh, sw, top, left]. */
  poolGrad(kind: 0 | 1, dy: Float32Array, x: Float32Array, dx: Float32Array, geometry: number[]): void;
  /** y [outer, inner] = sum (or mean) over the middle axis of x [outer, reduced, inner], in float64. */
  reduceSum(x: Float32Array, y: Float32Array, outer: number, reduced: number, inner: number, mean: boolean): void;
  /** TF.js's FusedBatchNorm into y, in double as the cpu backend computes it; vectors indexed modulo their length. */
  batchNorm(x: Float32Array, mean: Float32Array, variance: Float32Array, offset: Float32Array | null, scale: Float32Array | null,
    y: Float32Array, epsilon: number): void;
  /** y [outer, sum(inners)] from inputs [outer, inners[k]], in order. */
  concat(inputs: Float32Array[], inners: number[], y: Float32Array, outer: number): void;
  /**
   * Training-mode batch norm of x [rows, C]: the batch mean and biased variance per channel (double sums, one thread)
   * into mean and variance, y = (x - mean) / sqrt(variance + epsilon) * gamma + beta.
   */
  batchNormTraining(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, mean: Float32Array,
    variance: Float32Array, epsilon: number): void;
  /** Its gradient: dbeta = sum dy, dgamma = sum dy xhat, dx = gamma invStd (dy - dbeta / N - xhat dgamma / N). */
  batchNormTrainingGrad(dy: Float32Array, x: Float32Array, mean: Float32Array, invStd: Float32Array, gamma: Float32Array,
    dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array): void;
  /** outputs [outer, inners[k]] from x [outer, sum(inners)], in order (concat's inverse). */
  split(x: Float32Array, inners: number[], outputs: Float32Array[], outer: number): void;
  /** c[m x n] = a[m x k] b[k x n], row-major. */
  sgemm(m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array): void;
  setThreads(threads: number): void;
  describe(): {version: string; threads: number; cachedPrimitives: number};
}

/** Whether the oneDNN path runs, and why (for `mslk doctor`, manifests and benchmarks). */
export interface NativeCpuStatus {
  /** True when the wasm backend's convolutions (and a few memory-bound kernels) run on the native addon. */
  active: boolean;
  /** One line: the library, its version and threads when active; otherwise why not and how to get it. */
  detail: string;
  /** oneDNN's version ('2.6.3') when the addon loaded. */
  version?: string;
  /** The instruction set of oneDNN's convolution kernels here ('brgconv:avx512_core'), when the addon loaded. */
  isa?: string;
  /** Threads oneDNN runs a convolution on (MSLK_THREADS, else every core). */
  threads?: number;
}

/** Where `npm install` (scripts/build-native.mjs) leaves the addon, relative to this file in src/ and in dist/. */
export const ADDON_PATH = fileURLToPath(new URL('../../../native/dnnl/build/Release/mslk_dnnl.node', import.meta.url));

/** Kernel calls the addon ran, and calls it refused (then the wasm kernel ran): for tests and benchmarks. */
export const nativeCalls = {ran: 0, refused: 0, lastRefusal: ''};

let loaded: {addon: DnnlAddon | null; status: NativeCpuStatus} | undefined;
let switchedOff = false;

/** MSLK_NATIVE=off (or 0, false, no) keeps every kernel on the wasm path. */
export function nativeDisabledByEnvironment(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = (env['MSLK_NATIVE'] ?? '').trim().toLowerCase();
  return value === 'off' || value === '0' || value === 'false' || value === 'no';
}

/** Threads for oneDNN: MSLK_THREADS when it is a positive integer (a suite's share of the cores), else every core. */
export function nativeThreads(env: NodeJS.ProcessEnv = process.env): number {
  return threadsFromEnvironment(env) ?? availableParallelism();
}

const WASM_ONLY = 'convolutions run on wasm, one thread';

/** The one-line status of an active addon. */
function activeDetail(version: string, isa: string, threads: number): string {
  return `oneDNN ${version} (${isa}), ${threads} thread${threads === 1 ? '' : 's'}: convolutions and their gradients, pooling gradients, batch norm, sums, concat and split`;
}

function load(): {addon: DnnlAddon | null; status: NativeCpuStatus} {
  if (nativeDisabledByEnvironment()) {
    return {addon: null, status: {active: false, detail: `switched off by MSLK_NATIVE=off: ${WASM_ONLY}`}};
  }
  if (!existsSync(ADDON_PATH)) {
    return {addon: null, status: {active: false, detail: `oneDNN addon not built: install Debian's libdnnl-dev, then run \`npm run build:native\` (${WASM_ONLY})`}};
  }
  try {
    // OpenMP threads that spin while waiting collapse when another process wants the same cores: a U-Net step on 2
    // threads took 1615 ms instead of 570 on 1 thread with the machine loaded, and 647 ms with passive waiting.
    // libgomp reads this when the addon loads it; a user's own setting wins.
    process.env['OMP_WAIT_POLICY'] ??= 'passive';
    const addon = createRequire(import.meta.url)(ADDON_PATH) as DnnlAddon;
    const threads = nativeThreads();
    addon.setThreads(threads);
    const {version} = addon.describe();
    const isa = addon.implementation(0, [1, 8, 8, 8, 3, 3, 8, 8, 8, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    return {addon, status: {active: true, detail: activeDetail(version, isa, threads), version, isa, threads}};
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    return {addon: null, status: {active: false, detail: `oneDNN addon did not load (${message}): rebuild it with \`npm run build:native\` (${WASM_ONLY})`}};
  }
}

/** Whether the oneDNN path is active, and why; loads the addon on first call. */
export function nativeCpu(): NativeCpuStatus {
  loaded ??= load();
  if (switchedOff && loaded.status.active) return {active: false, detail: `switched off for this process: ${WASM_ONLY}`};
  return loaded.status;
}

/** The addon when the oneDNN path is active, else null (callers then use the wasm kernels). */
export function dnnlAddon(): DnnlAddon | null {
  loaded ??= load();
  return switchedOff ? null : loaded.addon;
}

/**
 * Sets the threads oneDNN runs on for the rest of this process (a benchmark comparing 1 thread with every core).
 * Throws when the threads are not a positive integer; does nothing when the addon did not load.
 */
export function setNativeThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`oneDNN threads must be a positive integer (got ${threads})`);
  loaded ??= load();
  if (loaded.addon === null) return;
  loaded.addon.setThreads(threads);
  const {version = '', isa = ''} = loaded.status;
  loaded.status = {...loaded.status, threads, detail: activeDetail(version, isa, threads)};
}

/**
 * Switches the oneDNN path off (false) or back on (true) for this process, e.g. to compare both paths in one
 * benchmark or test. It cannot switch on an addon that did not load.
 */
export function useNativeCpu(on: boolean): void {
  switchedOff = !on;
}
