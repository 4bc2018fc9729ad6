// `mslk doctor`: everything that decides whether and how fast this machine trains. The data root arrives as a
// path (the command resolves it through src/datasets): the engine does not depend on the datasets layer.
import {provenance, type GitState} from '../io/provenance.js';
import type {CodeState} from '../io/build-stamp.js';
import {autoChoice, BACKEND_NAMES, probeBackend, type BackendStatus, type BackendName} from './backends.js';
import {nativeCpu, type NativeCpuStatus} from './native/dnnl.js';
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
  chosen: BackendName | null;
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
  return {
    mslk: origin.mslk,
    git: origin.git,
    code: origin.code,
    packages: origin.packages,
    system: origin.system,
    backends,
    chosen,
    nativeCpu: nativeCpu(),
    dataRoot: {path: options.dataRoot, freeBytes: free ?? null},
    ok: chosen !== null,
  };
}
