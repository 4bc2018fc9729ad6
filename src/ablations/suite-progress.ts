// What a person or a program sees while a suite runs: on a terminal one progress bar (runs finished of all, how
// many run and failed, the time left from measured epoch times), otherwise one JSON line per executor event.
import {createProgress} from '../cli/progress.js';
import type {SuiteEvent} from './local-executor.js';
import type {SuitePlan} from './plan.js';

/** What the time left is estimated from. */
export interface SuiteEtaInput {
  /** Per unfinished run (neither done, failed, partial nor skipped): its epochs in all and those already finished. */
  unfinished: ReadonlyArray<{epochs: number; epochsDone: number}>;
  /** Seconds of every epoch measured so far (any run). */
  epochSeconds: readonly number[];
  /** Runs at once. */
  jobs: number;
}

/**
 * Seconds left: the epochs still to train times the mean measured epoch time, divided by the runs that can go at
 * once (min(jobs, unfinished runs)). Null before any epoch was measured; 0 when nothing is left.
 */
export function suiteEtaSeconds(input: SuiteEtaInput): number | null {
  const remaining = input.unfinished.reduce((sum, r) => sum + Math.max(0, r.epochs - r.epochsDone), 0);
  if (remaining === 0) return 0;
  if (input.epochSeconds.length === 0) return null;
  const mean = input.epochSeconds.reduce((a, b) => a + b, 0) / input.epochSeconds.length;
  return (remaining * mean) / Math.max(1, Math.min(input.jobs, input.unfinished.length));
}

/** `1h02m`, `3m05s`, `42s`; `?` for null. */
export function formatEta(seconds: number | null): string {
  if (seconds === null) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** Options of suiteProgress. */
export interface SuiteProgressOptions {
  plan: SuitePlan;
  jobs: number;
  /** True under --json: JSON lines even on a terminal. */
  json: boolean;
  /** Where the bar is drawn (default process.stderr); a bar only when it is a TTY. */
  stream?: NodeJS.WriteStream;
  /** Where JSON lines go (default process.stdout). */
  write?: (line: string) => void;
}

/** A reporter: pass `onEvent` to runSuite, call `stop()` when it returns. */
export function suiteProgress(o: SuiteProgressOptions): {onEvent: (event: SuiteEvent) => void; stop: () => void} {
  const bar = createProgress({format: 'runs [{bar}] {value}/{total} | {running} running, {failed} failed | ETA {eta}', json: o.json, ...(o.stream ? {stream: o.stream} : {})});
  const write = o.write ?? ((line: string) => void process.stdout.write(line));
  const epochsOf = new Map(o.plan.runs.map((r) => [r.runId, r.config.train.epochs]));
  const epochsDone = new Map<string, number>();
  const finished = new Set<string>();
  const running = new Set<string>();
  const epochSeconds: number[] = [];
  let failed = 0;
  const draw = (): void => {
    const unfinished = [...epochsOf].filter(([id]) => !finished.has(id)).map(([id, epochs]) => ({epochs, epochsDone: epochsDone.get(id) ?? 0}));
    bar.update(finished.size, epochsOf.size, {running: running.size, failed, eta: formatEta(suiteEtaSeconds({unfinished, epochSeconds, jobs: o.jobs}))});
  };
  return {
    onEvent(event) {
      if (!bar.visible) {
        write(JSON.stringify(event) + '\n');
        return;
      }
      if (event.type === 'start') running.add(event.runId);
      else if (event.type === 'epoch') {
        epochsDone.set(event.runId, event.epoch);
        // Epochs resumed from an earlier attempt are not measured here: only this process's epochs count.
        epochSeconds.push(event.seconds);
      } else if (event.type === 'stage') {
        return;
      } else {
        running.delete(event.runId);
        if (event.type !== 'skipped') finished.add(event.runId);
        if (event.type === 'failed') failed++;
      }
      draw();
    },
    stop: () => bar.stop(),
  };
}
