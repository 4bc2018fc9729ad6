// Waiting on runs from a test: how many epochs a run directory's log holds, and polling until a condition holds.
import {RunDir} from '../../src/runs/run-dir.js';

/** Epochs logged in the run directory `dir` (lines of its log.jsonl). */
export async function logLines(dir: string): Promise<number> {
  return (await new RunDir(dir).logLines()).length;
}

/** Resolves once `condition` holds (polled every `pollMs`), or throws after `ms` naming `what`. */
export async function waitFor(condition: () => Promise<boolean>, ms: number, what: string, pollMs = 50): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
