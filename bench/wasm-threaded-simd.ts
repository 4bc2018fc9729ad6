// A benchmark-only shim that runs tfjs-backend-wasm 4.22's threaded SIMD build (XNNPACK on a pthreadpool) in Node,
// where TF.js refuses it. Three things stand in the way, and each is worked around here without touching the
// package or src/:
// 1. The flag WASM_HAS_MULTITHREAD_SUPPORT is false whenever IS_NODE (tfjs issue 3830), and forcing it to true
//    only reaches obstacle 2. So the backend is registered again under its own name, 'wasm', with a factory that
//    calls the threaded Emscripten module itself and hands it to the package's `BackendWasm` (the kernels,
//    registered for 'wasm', are the same for every build).
// 2. TF.js gives the module its pthread worker and its main script as `blob:` URLs; Node's worker_threads refuse
//    the first (ERR_WORKER_PATH) and the worker's `importScripts` (readFileSync + eval) cannot read the second.
//    Here the worker's source is written to a file, and the main script is the glue's own path.
// 3. The C side caps the pool at min(asked, 8, logical cores / 2) (it assumes two hyperthreads per core), so on
//    this 2-core machine any request gives 1 thread. `os.cpus()` is doubled while the module initialises (the
//    cap is computed once, in a static initialiser, from `emscripten_num_logical_cores`), then restored.
import * as tf from '@tensorflow/tfjs-core';
import {BackendWasm, setThreadsCount} from '@tensorflow/tfjs-backend-wasm';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import os from 'node:os';
import {join} from 'node:path';

/** The Emscripten module the threaded glue resolves to, as far as this shim and `BackendWasm` use it. */
interface ThreadedModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  PThread: {runningWorkers: unknown[]};
  tfjs?: Record<string, (...args: number[]) => number>;
}

type ThreadedFactory = (config: {locateFile(path: string, prefix: string): string; mainScriptUrlOrBlob: string}) => Promise<ThreadedModule>;

const require = createRequire(import.meta.url);

/** Where the threaded build's glue script lives: the pthread workers load it again by this path. */
const GLUE_PATH = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');

/**
 * Writes the pthread worker's source to a file in a temp directory (removed when the process exits) and returns
 * its path. The package ships it as a JS string (`wasmWorkerContents`) whose `\n` escapes became newlines inside
 * string literals; they are escaped again, as TF.js does before making its blob.
 */
function writeWorkerScript(): string {
  const {wasmWorkerContents} = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {wasmWorkerContents: string};
  const dir = mkdtempSync(join(os.tmpdir(), 'mslk-wasm-threads-'));
  // The workers have read the file long before the process ends.
  process.on('exit', () => rmSync(dir, {recursive: true, force: true}));
  const file = join(dir, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
  writeFileSync(file, wasmWorkerContents.replace(/\n/g, '\\n'));
  return file;
}

/**
 * Instantiates the threaded SIMD module with its worker and main script given as files. `os.cpus()` reports
 * twice the cores until the module is ready, so that the C side's "logical cores / 2" cap allows every core.
 * Throws whatever the module's initialisation throws (the caller reports it in one line).
 */
async function instantiateThreadedModule(): Promise<ThreadedModule> {
  const factory = require(GLUE_PATH) as ThreadedFactory;
  const workerScript = writeWorkerScript();
  const cpus = os.cpus;
  os.cpus = () => [...cpus(), ...cpus()];
  try {
    const module = await factory({
      locateFile: (path, prefix) => (path.endsWith('.worker.js') ? workerScript : prefix + path),
      mainScriptUrlOrBlob: GLUE_PATH,
    });
    // The C entry points BackendWasm calls through `module.tfjs` (what the package's own init sets up).
    module.tfjs = {
      init: module.cwrap('init', null, []),
      initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
      getThreadsCount: module.cwrap('get_threads_count', 'number', []),
      registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
      disposeData: module.cwrap('dispose_data', null, ['number']),
      dispose: module.cwrap('dispose', null, []),
    };
    return module;
  } finally {
    os.cpus = cpus;
  }
}

/**
 * Replaces the registration of the 'wasm' backend by one that loads the threaded SIMD build on `threads`
 * XNNPACK threads (the calling thread counts as one). Call before the wasm backend is first activated; the
 * project's training kernels, registered for 'wasm', then run on it unchanged. The threads actually granted are
 * `threadedSimdThreads()` once the backend is active.
 */
export function useThreadedSimdWasm(threads: number): void {
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= 8)) throw new Error(`threads must be an integer in 1..8 (the build pre-starts 8 workers), got ${threads}`);
  tf.removeBackend('wasm');
  // Priority 2, as the package registers it: only what is activated by name matters here.
  tf.registerBackend('wasm', async () => new BackendWasm(await instantiateThreadedModule() as unknown as ConstructorParameters<typeof BackendWasm>[0]), 2);
  setThreadsCount(threads);
}

/** XNNPACK's thread count on the active wasm backend (1 on the plain SIMD build). */
export function threadedSimdThreads(): number {
  const module = (tf.backend() as unknown as {wasm: {tfjs: {getThreadsCount(): number}}}).wasm;
  return module.tfjs.getThreadsCount();
}
