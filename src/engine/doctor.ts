// `mslk doctor`: everything that decides whether and how fast this machine trains.
import {resolveDataRoot} from '../datasets/data-root.js';
import {MSLK_VERSION, packageVersions} from '../version.js';
import {probeAllBackends, type BackendStatus, type BackendName} from './backends.js';
import {freeDiskBytes, systemInfo, type SystemInfo} from './system-info.js';

export interface DoctorReport {
  mslk: string;
  packages: Record<string, string | null>;
  system: SystemInfo;
  backends: BackendStatus[];
  chosen: BackendName | null;
  dataRoot: {path: string; freeBytes: number | null};
  /** True when at least one backend trains (loads and passes the gradient self-check). */
  ok: boolean;
}

export async function runDoctor(options: {dataRoot?: string} = {}): Promise<DoctorReport> {
  const dataRoot = resolveDataRoot(options.dataRoot);
  const [system, free] = await Promise.all([systemInfo(), freeDiskBytes(dataRoot)]);
  const backends = await probeAllBackends();
  const chosen = backends.find((b) => b.available)?.name ?? null;
  return {
    mslk: MSLK_VERSION,
    packages: packageVersions(),
    system,
    backends,
    chosen,
    dataRoot: {path: dataRoot, freeBytes: free ?? null},
    ok: backends.some((b) => b.available),
  };
}
