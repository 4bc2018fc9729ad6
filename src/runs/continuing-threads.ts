// The threads a resumed run continues on. oneDNN's kernel gradients differ in the last bits between thread counts
// (its reductions split the work by thread), so a run interrupted at 1 thread and resumed at 2 would not give the
// bytes of the run that was never interrupted. A resumed run takes the threads its first process recorded unless
// the user chose others.
import {threadsFromEnvironment} from '../engine/threads.js';
import {RunDir} from './run-dir.js';

/** The part of a run's manifest.json that says on which CPU path, and how many oneDNN threads, it trained. */
export interface ManifestCpuPath {
  nativeCpu?: {active?: unknown; threads?: unknown};
}

/** The oneDNN threads a manifest records (`nativeCpu.threads` while the oneDNN path was active), else undefined. */
export function nativeThreadsOf(manifest: ManifestCpuPath | undefined): number | undefined {
  const threads = manifest?.nativeCpu?.active === true ? manifest.nativeCpu.threads : undefined;
  return typeof threads === 'number' && Number.isInteger(threads) && threads > 0 ? threads : undefined;
}

/**
 * The oneDNN threads run directory `dir`'s manifest records (nativeThreadsOf), or undefined: a new run (no manifest
 * yet), a run trained on the wasm path alone, or a manifest that cannot be read (the run's own checks report that).
 * Never throws.
 */
export async function recordedNativeThreads(dir: string): Promise<number | undefined> {
  return nativeThreadsOf(await new RunDir(dir).readJson<ManifestCpuPath>('manifest').catch(() => undefined));
}

/**
 * The threads a run continues on: MSLK_THREADS when the user set it (they chose), else the threads its first
 * process recorded (`recorded`, recordedNativeThreads), else `fallback` (a new run: the share of the cores it was
 * given).
 */
export function continuingThreads(recorded: number | undefined, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  return threadsFromEnvironment(env) ?? recorded ?? fallback;
}
