// Ctrl-C and SIGTERM (what SLURM and `kill` send before a SIGKILL) in a command that trains: the first signal asks
// the work to stop cleanly through an AbortSignal (training stops after the current step, writes its checkpoint
// there, inside the epoch, marks the run partial and releases its lock); later ones are ignored so that a second
// Ctrl-C, or the same signal reaching a process both from the terminal and from a suite executor forwarding it,
// cannot cut that short.

export {INTERRUPTED_EXIT_CODE, RUN_OWNED_EXIT_CODE} from '../runs/run-one.js';

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
    process.stderr.write(`${name} received: stopping after the current step and writing a checkpoint there\n`);
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
