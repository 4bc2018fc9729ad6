// Backend discovery and selection. Order of preference: native CUDA (only while TensorFlow really uses a GPU),
// WebGPU (hardware adapters only), native CPU, wasm (SIMD, with the project's gradient kernels, oneDNN where
// installed), pure-JS cpu. A backend counts only when it loads *and* trains a tiny conv net to the same gradients
// as the reference `cpu` backend.
import * as tf from '@tensorflow/tfjs-core';
// The union package registers every gradient (tfjs-core's Node bundle has none of them).
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import {registerCpuKernelFixes} from './cpu-kernels.js';
import {registerWasmTrainingKernels} from './wasm/register.js';
import {nativeCpu} from './native/dnnl.js';
import {selfCheck} from './self-check.js';
import {describeAdapter, probeWebGpu, registerWebGpuBackend, type GpuAdapterRecord} from './webgpu.js';

// TF.js's only use of PROD is to silence its console warnings, among them the advice to install tfjs-node
// on every first use of the cpu backend; `mslk doctor` reports the backends instead.
tf.env().set('PROD', true);
// The reference backend's one wrong gradient kernel (src/engine/cpu-kernels.ts), replaced before anything runs on it.
registerCpuKernelFixes();

export const BACKEND_NAMES = ['tensorflow', 'webgpu', 'tensorflow-cpu', 'wasm', 'cpu'] as const;
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
  /** webgpu: the adapter it runs on (also when the self-check failed). */
  adapter?: GpuAdapterRecord;
  /**
   * Set when the backend trains but `auto` does not choose it (a software WebGPU adapter such as SwiftShader: far
   * slower than the CPU paths); it says why. `--backend` still selects it.
   */
  notForAuto?: string;
}

const PACKAGES: Record<BackendName, string> = {
  tensorflow: '@tensorflow/tfjs-node-gpu',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  'tensorflow-cpu': '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/** The name the engine registers each of ours under (both native packages register 'tensorflow'). */
const ENGINE_NAMES: Record<BackendName, string> = {
  tensorflow: 'tensorflow', webgpu: 'webgpu', 'tensorflow-cpu': 'tensorflow', wasm: 'wasm', cpu: 'cpu',
};

export class BackendUnavailableError extends Error {
  constructor(readonly backend: BackendName, readonly reason: string) {
    super(`backend '${backend}' is unavailable: ${reason}`);
    this.name = 'BackendUnavailableError';
  }
}

/** The backends that compute on a GPU: TensorFlow's CUDA build (only while it registers a GPU) and WebGPU. */
export const GPU_BACKENDS: readonly BackendName[] = ['tensorflow', 'webgpu'];

/** True when `name` is one of GPU_BACKENDS ('auto' and undefined are not: they may end on a CPU backend). */
export function isGpuBackend(name: string | undefined): boolean {
  return name !== undefined && (GPU_BACKENDS as readonly string[]).includes(name);
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
  // TensorFlow reserves nearly all GPU memory at start unless told to grow (tensorflow/tfjs#671): a suite's parent,
  // which self-checks the backend, would starve the run it starts on the same GPU.
  process.env['TF_FORCE_GPU_ALLOW_GROWTH'] ??= 'true';
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

/**
 * The one line that says tfjs-node-gpu loaded but TensorFlow registered no GPU device: it then computes on the CPU
 * without failing (TensorFlow only logs "Could not load dynamic library 'libcudart.so.11.0'"), so mslk refuses it.
 */
export const TENSORFLOW_NO_GPU = 'tfjs-node-gpu loaded but TensorFlow registered no GPU, so it would train on the CPU: '
  + 'its libtensorflow 2.9.1 needs CUDA 11.2 (libcudart.so.11.0) and cuDNN 8.1 (libcudnn.so.8) on the library path, which a CUDA 12 machine lacks; '
  + 'install them beside CUDA 12 (NVIDIA\'s cuda-cudart-11-2 and libcudnn8=8.1.* packages, or the nvidia-cuda-runtime-cu11 and nvidia-cudnn-cu11==8.1.* wheels) '
  + 'and add their lib folders to LD_LIBRARY_PATH, or use `--backend webgpu`, which needs none of them (a Vulkan driver)';

/** True when the active backend is TensorFlow's and it runs on a GPU device (NodeJSBackend.isUsingGpuDevice). */
export function tensorflowUsesGpu(): boolean {
  return (tf.backend() as unknown as {isUsingGpuDevice?: unknown}).isUsingGpuDevice === true;
}

/** Makes `name` the active TF.js backend. Throws BackendUnavailableError with the reason when it cannot. */
export async function activateBackend(name: BackendName): Promise<void> {
  if (name === 'tensorflow' || name === 'tensorflow-cpu') await loadNative(name);
  if (name === 'wasm') registerWasmTrainingKernels();
  if (name === 'webgpu') {
    try {
      webGpuAdapter = await registerWebGpuBackend();
    } catch (error) {
      throw new BackendUnavailableError(name, (error as Error).message);
    }
  }
  let ok: boolean;
  try {
    ok = await tf.setBackend(ENGINE_NAMES[name]);
  } catch (error) {
    throw new BackendUnavailableError(name, error instanceof Error ? error.message : String(error));
  }
  if (!ok) throw new BackendUnavailableError(name, `TF.js could not initialise it`);
  await tf.ready();
  if (name === 'tensorflow' && !tensorflowUsesGpu()) throw new BackendUnavailableError(name, TENSORFLOW_NO_GPU);
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

/**
 * Bytes of GPU memory the webgpu backend holds (tf.memory().numBytesAllocatedInGPU: its tensors' buffers and the
 * pool of freed buffers it keeps for reuse, which only grows), so after a training step it is the step's device
 * high-water mark, as wasmHeapBytes is on wasm. Null on other backends.
 */
export function gpuAllocatedBytes(): number | null {
  if (tf.getBackend() !== 'webgpu') return null;
  const bytes = (tf.memory() as {numBytesAllocatedInGPU?: number}).numBytesAllocatedInGPU;
  return typeof bytes === 'number' ? bytes : null;
}

/**
 * Loads one backend and runs the self-check on it, leaving the previously active backend active. With `forAuto`,
 * a software WebGPU adapter is reported without being started (auto would not choose it; its shaders take seconds
 * to compile).
 */
export async function probeBackend(name: BackendName, options: {forAuto?: boolean} = {}): Promise<BackendStatus> {
  const previous = tf.getBackend();
  const adapter = name === 'webgpu' ? (await probeWebGpu()).adapter ?? undefined : undefined;
  const withAdapter = adapter === undefined ? {} : {adapter};
  if (options.forAuto === true && adapter?.software === true) {
    return {name, package: PACKAGES[name], available: false, detail: `only ${describeAdapter(adapter)}; \`--backend webgpu\` uses it`, ...withAdapter};
  }
  try {
    await activateBackend(name);
    const error = await selfCheck(name === 'cpu' ? undefined : ENGINE_NAMES[name]);
    if (!(error < 1e-3)) {
      return {name, package: PACKAGES[name], available: false, detail: `self-check failed: gradient error ${error.toExponential(2)} against cpu`, selfCheckError: error, ...withAdapter};
    }
    const notForAuto = adapter?.software === true
      ? `a software adapter (${adapter.description || adapter.architecture}): far slower than the CPU paths, so \`auto\` skips it; \`--backend webgpu\` uses it`
      : undefined;
    return {name, package: PACKAGES[name], available: true, detail: describe(name), selfCheckError: error, ...withAdapter, ...(notForAuto === undefined ? {} : {notForAuto})};
  } catch (error) {
    const detail = error instanceof BackendUnavailableError ? error.reason : (error instanceof Error ? error.message : String(error));
    return {name, package: PACKAGES[name], available: false, detail, ...withAdapter};
  } finally {
    if (previous && previous !== tf.getBackend()) await tf.setBackend(previous);
  }
}

function describe(name: BackendName): string {
  switch (name) {
    case 'tensorflow': return 'libtensorflow with CUDA (TensorFlow registered a GPU)';
    case 'webgpu': {
      const adapter = activeGpuAdapter();
      return `WebGPU (Dawn) on ${adapter ? describeAdapter(adapter) : 'an unknown adapter'}`;
    }
    case 'tensorflow-cpu': return 'libtensorflow on the CPU';
    case 'wasm': {
      const native = nativeCpu();
      return `WebAssembly SIMD (XNNPACK), one thread, mslk gradient kernels${native.active ? `; convolutions on oneDNN ${native.version}, ${native.threads} thread${native.threads === 1 ? '' : 's'}` : ''}`;
    }
    case 'cpu': return 'pure JavaScript, for debugging only (far slower; `mslk bench engine --backend wasm --backend cpu` measures by how much)';
  }
}

let webGpuAdapter: GpuAdapterRecord | undefined;

/** The adapter the webgpu backend runs on while it is the active backend; undefined on every other backend. */
export function activeGpuAdapter(): GpuAdapterRecord | undefined {
  return tf.getBackend() === 'webgpu' ? webGpuAdapter : undefined;
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
  const statuses = await probeAllBackends({forAuto: true});
  const chosen = autoChoice(statuses);
  if (chosen === undefined) throw new Error('no TF.js backend could be loaded: run `mslk doctor` for the reasons');
  await activateBackend(chosen);
  return {chosen, statuses};
}

/** The backend `auto` takes of probed statuses (in order of preference): the first that trains and is not notForAuto. */
export function autoChoice(statuses: readonly BackendStatus[]): BackendName | undefined {
  return statuses.find((s) => s.available && s.notForAuto === undefined)?.name;
}

/** Probes every backend in order of preference (see probeBackend for `forAuto`); the active backend is left as it was. */
export async function probeAllBackends(options: {forAuto?: boolean} = {}): Promise<BackendStatus[]> {
  const statuses: BackendStatus[] = [];
  for (const name of BACKEND_NAMES) statuses.push(await probeBackend(name, options));
  return statuses;
}

/** The active backend under our name. */
export function activeBackendName(): BackendName {
  const engineName = tf.getBackend();
  if (engineName === 'tensorflow') return nativeLoaded ?? 'tensorflow-cpu';
  if (engineName === 'wasm' || engineName === 'cpu' || engineName === 'webgpu') return engineName;
  throw new Error(`unexpected active TF.js backend '${engineName}'`);
}
