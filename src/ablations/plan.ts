// The plan of a suite: what the planner (suite file -> resolved, prepared runs) hands the executors. Only the types
// the executors need are declared here; the planner's module defines them with the same shape.
import type {RunConfig} from '../runs/config.js';

/** One run of a suite, prepared in the store. */
export interface PlannedRun {
  /** 12 hex, runId in src/runs/run-dir.ts (content hash). */
  runId: string;
  /** Absolute run directory in the store (`<store>/<runDirName(config, id)>`), holding config.json. */
  dir: string;
  /** The resolved config (src/runs/config.ts). */
  config: RunConfig;
  suite: string;
  variant: string;
  kind: 'variant' | 'baseline';
  dataset: string;
  fold: number | null;
  seed: number;
}

/** Every run of one suite file. */
export interface SuitePlan {
  suite: string;
  file: string;
  store: string;
  reference: string;
  runs: PlannedRun[];
}
