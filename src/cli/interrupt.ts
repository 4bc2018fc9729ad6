// Ctrl-C and SIGTERM (what SLURM and `kill` send before a SIGKILL) in a command that trains: the first signal asks
// the work to stop cleanly through an AbortSignal (training stops between two steps, keeps its last checkpoint,
// marks the run partial and releases its lock); later ones are ignored so that a second Ctrl-C, or the same signal
// reaching a process both from the terminal and from a suite executor forwarding it, cannot cut that short.

/** Exit code of a command stopped by SIGINT or SIGTERM (128 + SIGINT's number, as shells report it). */
export const INTERRUPTED_EXIT_CODE = 130;

/** Exit code of `mslk run-one` when another live process owns the run (EX_TEMPFAIL of sysexits.h: try later). */
export const RUN_OWNED_EXIT_CODE = 75;

/** A handle on SIGINT/SIGTERM while some work runs. */
export interface InterruptHandle {
  /** Aborted on the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** The name of the signal that arrived first, if any. */
  received(): NodeJS.Signals | undefined;
  /** Removes the handlers (the default behaviour, exiting at once, comes back). */
  dispose(): void;
}

/** Installs the handlers; call dispose() when the work is over. */
export function stopOnSignals(signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): InterruptHandle {
  const controller = new AbortController();
  let first: NodeJS.Signals | undefined;
  const handler = (name: NodeJS.Signals): void => {
    if (first !== undefined) return;
    first = name;
    process.stderr.write(`${name} received: stopping after the current step (the last epoch's checkpoint is kept)\n`);
    controller.abort();
  };
  for (const s of signals) process.on(s, handler);
  return {
    signal: controller.signal,
    received: () => first,
    dispose: () => {
      for (const s of signals) process.off(s, handler);
    },
  };
}
