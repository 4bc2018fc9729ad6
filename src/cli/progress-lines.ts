// Progress events (src/io/progress.ts) as plain lines on stderr: one when a task starts, one when it ends, and in
// between at most one every `minIntervalMs`, so that a minutes-long command says what it does without flooding a
// log with a line per 10-ms run. Lines, not a redrawn bar: they stay readable in CI logs and piped output.
import type {ProgressEvent, ProgressListener} from '../io/progress.js';

/** "task: done/total (last 412 ms)", or "task: <note>" for a task that ended without finishing its units. */
export function formatProgress(event: ProgressEvent): string {
  if (event.note !== undefined) return `${event.task}: ${event.note}`;
  const last = event.lastMs === undefined ? '' : ` (last ${event.lastMs >= 10_000 ? `${(event.lastMs / 1000).toFixed(1)} s` : `${event.lastMs.toFixed(0)} ms`})`;
  return `${event.task}: ${event.done}/${event.total}${last}`;
}

/**
 * A listener that writes `formatProgress` lines through `write` (default: straight to stderr, also under --json,
 * whose output is stdout; oclif's logToStderr is silent then), throttled as described above.
 */
export function progressLines(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`), minIntervalMs = 2000): ProgressListener {
  let lastTask: string | undefined;
  let lastAt = -Infinity;
  return (event) => {
    const now = performance.now();
    const boundary = event.task !== lastTask || event.done === 0 || event.done >= event.total || event.note !== undefined;
    if (!boundary && now - lastAt < minIntervalMs) return;
    lastTask = event.task;
    lastAt = now;
    write(formatProgress(event));
  };
}
