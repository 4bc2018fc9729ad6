// Repeated timing of one piece of work under a time budget: warm-up runs, then timed runs, each started only when it
// is expected to end within the budget. A run in progress cannot be interrupted (TF.js kernels are synchronous), so
// the bound is the budget plus at most one run, and exactly the budget when run times are steady. Used by the
// engine benchmark and the model profiler.
import type {ProgressListener} from '../io/progress.js';

export interface TimedRunsOptions {
  /** Untimed runs first (JIT, kernel caches, optimiser slots). */
  warmup: number;
  /** Timed runs wanted. */
  runs: number;
  /** Timed runs made even when the budget is spent (at least 1: one run is needed to measure anything). */
  minRuns: number;
  /** Milliseconds for warm-up and timed runs together (Infinity: no bound). */
  budgetMs: number;
  /** What the runs are, for progress events (e.g. "wasm: training step"). */
  label: string;
  onProgress?: ProgressListener | undefined;
}

export interface TimedRuns {
  /** Milliseconds of each timed run, in order. */
  samplesMs: number[];
  warmupRuns: number;
  /** True when the budget stopped the runs before `runs` (or the warm-up before `warmup`). */
  budgetExhausted: boolean;
}

/**
 * Times `work` (awaited when it returns a promise). A warm-up run starts only if it and one timed run fit in what is
 * left of the budget, a timed run only if it fits, both judged by the longest run so far; the first run and the
 * first `minRuns` timed runs always start. Emits a progress event when each phase starts and after every run.
 */
export async function timeRuns(work: () => unknown, o: TimedRunsOptions): Promise<TimedRuns> {
  const start = performance.now();
  const deadline = start + o.budgetMs;
  const minRuns = Math.max(1, Math.min(o.minRuns, o.runs));
  let longest = 0;
  let budgetExhausted = false;
  const fits = (runsAhead: number) => longest === 0 || performance.now() + runsAhead * longest <= deadline;
  const once = async (): Promise<number> => {
    const t0 = performance.now();
    await work();
    const ms = performance.now() - t0;
    longest = Math.max(longest, ms);
    return ms;
  };

  let warmupRuns = 0;
  if (o.warmup > 0) o.onProgress?.({task: `${o.label}, warm-up`, done: 0, total: o.warmup});
  while (warmupRuns < o.warmup) {
    if (!fits(2)) {
      budgetExhausted = true;
      o.onProgress?.({task: `${o.label}, warm-up`, done: warmupRuns, total: o.warmup, note: `budget spent after ${warmupRuns} of ${o.warmup}, stopping`});
      break;
    }
    const ms = await once();
    warmupRuns++;
    o.onProgress?.({task: `${o.label}, warm-up`, done: warmupRuns, total: o.warmup, lastMs: ms});
  }
  const samplesMs: number[] = [];
  o.onProgress?.({task: `${o.label}, timed`, done: 0, total: o.runs});
  while (samplesMs.length < o.runs) {
    if (samplesMs.length >= minRuns && !fits(1)) {
      budgetExhausted = true;
      o.onProgress?.({task: `${o.label}, timed`, done: samplesMs.length, total: o.runs, note: `budget spent after ${samplesMs.length} of ${o.runs}, stopping`});
      break;
    }
    samplesMs.push(await once());
    o.onProgress?.({task: `${o.label}, timed`, done: samplesMs.length, total: o.runs, lastMs: samplesMs.at(-1)!});
  }
  return {samplesMs, warmupRuns, budgetExhausted};
}
