// Backend discovery and selection. Order of preference: native CUDA, native CPU, wasm (SIMD, with the
// project's gradient kernels), pure-JS cpu. A backend counts only when it loads *and* trains a tiny conv net
// to the same gradients as the reference `cpu` backend.
import * as tf from '@tensorflow/tfjs-core';
// The union package registers every gradient (tfjs-core's Node bundle has none of them).
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import {registerWasmTrainingKernels} from './wasm/register.js';
import {nativeCpu} from './native/dnnl.js';
import {selfCheck} from './self-check.js';

// TF.js's only use of PROD is to silence its console warnings, among them the advice to install tfjs-node
// on every first use of the cpu backend; `mslk doctor` reports the backends instead.
tf.env().set('PROD', true);

export const BACKEND_NAMES = ['tensorflow', 'tensorflow-cpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendChoice = BackendName | 'auto';

export interface BackendStatus {
  name: BackendName;
  /** The npm package that provides it. */
  package: string;
  available: boolean;
  /** Why it is unavailable, or what it is when available. */
  detail: string;
  /** Max relative gradient error against `cpu` in the self-check (available backends only). */
  selfCheckError?: number;
}

const PACKAGES: Record<BackendName, string> = {
  tensorflow: '@tensorflow/tfjs-node-gpu',
  'tensorflow-cpu': '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/** The name the engine registers each of ours under (both native packages register 'tensorflow'). */
const ENGINE_NAMES: Record<BackendName, string> = {
  tensorflow: 'tensorflow', 'tensorflow-cpu': 'tensorflow', wasm: 'wasm', cpu: 'cpu',
};

export class BackendUnavailableError extends Error {
  constructor(readonly backend: BackendName, readonly reason: string) {
    super(`backend '${backend}' is unavailable: ${reason}`);
    this.name = 'BackendUnavailableError';
  }
}

export function isBackendName(name: string): name is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}

/** Reads a backend choice from a flag value, then MSLK_BACKEND, else 'auto'. Throws on an unknown name. */
export function backendChoice(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): BackendChoice {
  const raw = flag ?? env['MSLK_BACKEND'] ?? 'auto';
  if (raw === 'auto' || isBackendName(raw)) return raw;
  const source = flag === undefined ? 'MSLK_BACKEND' : '--backend';
  throw new Error(`unknown backend '${raw}' in ${source}: use one of auto, ${BACKEND_NAMES.join(', ')}`);
}

const NATIVE_HINTS: Record<string, string> = {
  tensorflow: 'install it with `npm install @tensorflow/tfjs-node-gpu@4.22.0` (needs CUDA 11.2 + cuDNN 8.1 and internet access at install time)',
  'tensorflow-cpu': 'install it with `npm install @tensorflow/tfjs-node@4.22.0` (downloads libtensorflow 2.9.1 at install time)',
};

/** Explains a failed native import in one line, with what to do about it. */
export function explainNativeLoadError(backend: 'tensorflow' | 'tensorflow-cpu', error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as {code?: string}).code;
  if (code === 'ERR_MODULE_NOT_FOUND' || /Cannot find (package|module) '@tensorflow\/tfjs-node/.test(message)) {
    return `${PACKAGES[backend]} is not installed: ${NATIVE_HINTS[backend]}`;
  }
  const missingLib = /(lib[\w.+-]+\.so[\w.]*): cannot open shared object file/.exec(message);
  if (missingLib) {
    const cuda = /cud|cublas|cufft|curand|cusolver|cusparse/.test(missingLib[1]!);
    return `${missingLib[1]} not found` + (cuda
      ? ': tfjs-node-gpu 4.22 needs CUDA 11.2 + cuDNN 8.1 on the library path'
      : `: reinstall ${PACKAGES[backend]} (its libtensorflow download is incomplete)`);
  }
  return `${PACKAGES[backend]} failed to load: ${message.split('\n')[0]}`;
}

let nativeLoaded: BackendName | undefined;

async function loadNative(name: 'tensorflow' | 'tensorflow-cpu'): Promise<void> {
  if (nativeLoaded !== undefined && nativeLoaded !== name) {
    throw new BackendUnavailableError(name, `${PACKAGES[nativeLoaded]} is already loaded in this process; both register as 'tensorflow'`);
  }
  try {
    // A variable specifier keeps TypeScript from resolving a package that is usually not installed.
    const specifier: string = PACKAGES[name];
    await import(specifier);
    nativeLoaded = name;
  } catch (error) {
    throw new BackendUnavailableError(name, explainNativeLoadError(name, error));
  }
}

/** Makes `name` the active TF.js backend. Throws BackendUnavailableError with the reason when it cannot. */
export async function activateBackend(name: BackendName): Promise<void> {
  if (name === 'tensorflow' || name === 'tensorflow-cpu') await loadNative(name);
  if (name === 'wasm') registerWasmTrainingKernels();
  let ok: boolean;
  try {
    ok = await tf.setBackend(ENGINE_NAMES[name]);
  } catch (error) {
    throw new BackendUnavailableError(name, error instanceof Error ? error.message : String(error));
  }
  if (!ok) throw new BackendUnavailableError(name, `TF.js could not initialise it`);
  await tf.ready();
}

/**
 * Size of the wasm backend's heap in bytes: it grows to the largest memory a computation needed and never
 * shrinks, so after a training step it is that step's real high-water mark (the engine's byte count sees
 * buffers shared between tensors twice). Null on other backends. The heap cannot grow beyond 4 GiB.
 */
export function wasmHeapBytes(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  const heap = (tf.backend() as unknown as {wasm?: {HEAPU8?: Uint8Array}}).wasm?.HEAPU8;
  return heap ? heap.length : null;
}

/** Loads one backend and runs the self-check on it, leaving the previously active backend active. */
export async function probeBackend(name: BackendName): Promise<BackendStatus> {
  const previous = tf.getBackend();
  try {
    await activateBackend(name);
    const error = await selfCheck(name === 'cpu' ? undefined : ENGINE_NAMES[name]);
    if (!(error < 1e-3)) {
      return {name, package: PACKAGES[name], available: false, detail: `self-check failed: gradient error ${error.toExponential(2)} against cpu`, selfCheckError: error};
    }
    return {name, package: PACKAGES[name], available: true, detail: describe(name), selfCheckError: error};
  } catch (error) {
    const detail = error instanceof BackendUnavailableError ? error.reason : (error instanceof Error ? error.message : String(error));
    return {name, package: PACKAGES[name], available: false, detail};
  } finally {
    if (previous && previous !== tf.getBackend()) await tf.setBackend(previous);
  }
}

function describe(name: BackendName): string {
  switch (name) {
    case 'tensorflow': return 'libtensorflow with CUDA';
    case 'tensorflow-cpu': return 'libtensorflow on the CPU';
    case 'wasm': {
      const native = nativeCpu();
      return `WebAssembly SIMD (XNNPACK), one thread, mslk gradient kernels${native.active ? `; convolutions on oneDNN ${native.version}, ${native.threads} thread${native.threads === 1 ? '' : 's'}` : ''}`;
    }
    case 'cpu': return 'pure JavaScript, for debugging only (far slower; `mslk bench engine --backend wasm --backend cpu` measures by how much)';
  }
}

export interface Selection {
  chosen: BackendName;
  statuses: BackendStatus[];
}

/**
 * Activates the requested backend, or with 'auto' the first of BACKEND_NAMES that loads and passes the
 * self-check. Throws BackendUnavailableError when an explicitly requested backend cannot be used.
 */
export async function selectBackend(choice: BackendChoice): Promise<Selection> {
  if (choice !== 'auto') {
    const status = await probeBackend(choice);
    if (!status.available) throw new BackendUnavailableError(choice, status.detail);
    await activateBackend(choice);
    return {chosen: choice, statuses: [status]};
  }
  const statuses = await probeAllBackends();
  const chosen = statuses.find((s) => s.available)?.name;
  if (chosen === undefined) throw new Error('no TF.js backend could be loaded: run `mslk doctor` for the reasons');
  await activateBackend(chosen);
  return {chosen, statuses};
}

/** Probes every backend in order of preference; the active backend is left as it was. */
export async function probeAllBackends(): Promise<BackendStatus[]> {
  const statuses: BackendStatus[] = [];
  for (const name of BACKEND_NAMES) statuses.push(await probeBackend(name));
  return statuses;
}

/** The active backend under our name. */
export function activeBackendName(): BackendName {
  const engineName = tf.getBackend();
  if (engineName === 'tensorflow') return nativeLoaded ?? 'tensorflow-cpu';
  if (engineName === 'wasm' || engineName === 'cpu') return engineName;
  throw new Error(`unexpected active TF.js backend '${engineName}'`);
}
