// Progress of a long measurement or computation, reported as it goes, so that a command that works for minutes
// says what it is doing. Libraries emit events; the command decides how to show them (src/cli/progress-lines.ts).

/**
 * One report: what is being done, and how many of how many units of it are done (done 0: it starts now). Every task
 * that starts is closed by an event with done = total, or one with a `note` saying why it ended otherwise.
 */
export interface ProgressEvent {
  /** What is being done, e.g. "wasm: timed training steps (reference net, 128x128, batch 4)". */
  readonly task: string;
  readonly done: number;
  readonly total: number;
  /** Duration of the unit that just finished, in milliseconds (absent at the start). */
  readonly lastMs?: number;
  /** Why the task ended without finishing its units, e.g. "not available: no WebGPU adapter"; closes its line. */
  readonly note?: string;
}

export type ProgressListener = (event: ProgressEvent) => void;
