// `mslk doctor`: everything that decides whether and how fast this machine trains. The data root arrives as a
// path (the command resolves it through src/datasets): the engine does not depend on the datasets layer.
import {provenance, type GitState} from '../io/provenance.js';
import type {CodeState} from '../io/build-stamp.js';
import {autoChoice, BACKEND_NAMES, probeBackend, type BackendStatus, type BackendName} from './backends.js';
import {nativeCpu, type NativeCpuStatus} from './native/dnnl.js';
import {probeWebGpu, type WebGpuProbe} from './webgpu.js';
import {freeDiskBytes, type SystemInfo} from './system-info.js';

export interface DoctorReport {
  mslk: string;
  /** The checkout's commit and whether it has uncommitted changes; null outside git. */
  git: GitState | null;
  /** Sources or build, and whether the build matches the sources. */
  code: CodeState;
  packages: Record<string, string | null>;
  system: SystemInfo;
  /** The backends probed, in order of preference (all of them unless the caller named some). */
  backends: BackendStatus[];
  /**
   * The backend that trains here: with named backends the first of them that trains (a software WebGPU adapter
   * included), otherwise `auto`'s choice (never a backend with `notForAuto`).
   */
  chosen: BackendName | null;
  /**
   * WebGPU's adapter ({adapter}: name, vendor, architecture, hardware or software) or why there is none ({adapter:
   * null, reason}: one line with the fix); null when webgpu was not probed.
   */
  webgpu: WebGpuProbe | null;
  /** Whether wasm's convolutions (and a few memory-bound kernels) run on the oneDNN addon, and why not when they do not. */
  nativeCpu: NativeCpuStatus;
  dataRoot: {path: string; freeBytes: number | null};
  /** True when at least one probed backend trains (loads and passes the gradient self-check). */
  ok: boolean;
}

export interface DoctorOptions {
  /** Absolute path of the data root, already resolved (flag, MSLK_DATA_ROOT or the default). */
  dataRoot: string;
  /** Probe only these backends (default: every one in BACKEND_NAMES). */
  backends?: readonly BackendName[];
}

/** Probes the machine; never throws for an unusable backend (the report says why, and `ok` is false). */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const [origin, free] = await Promise.all([provenance(), freeDiskBytes(options.dataRoot)]);
  const backends: BackendStatus[] = [];
  for (const name of options.backends ?? BACKEND_NAMES) backends.push(await probeBackend(name));
  // Naming one backend asks about that one (a software WebGPU adapter included); otherwise auto's choice.
  const chosen = (options.backends !== undefined ? backends.find((b) => b.available)?.name : autoChoice(backends)) ?? null;
  // Probed once per process: this is the probe probeBackend('webgpu') already made.
  const webgpu = backends.some((b) => b.name === 'webgpu') ? await probeWebGpu() : null;
  return {
    mslk: origin.mslk,
    git: origin.git,
    code: origin.code,
    packages: origin.packages,
    system: origin.system,
    backends,
    chosen,
    webgpu,
    nativeCpu: nativeCpu(),
    dataRoot: {path: options.dataRoot, freeBytes: free ?? null},
    ok: chosen !== null,
  };
}
