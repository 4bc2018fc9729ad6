// Small suites for the executor's tests: tiny U-Nets on the built-in synthetic data, prepared in a store the way
// the planner prepares them (the run directory named by locateRunForConfig, holding config.json).
import {mkdir, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import type {PlannedRun, SuitePlan} from '../../src/ablations/plan.js';
import {resolveRunConfig} from '../../src/runs/config.js';
import {locateRunForConfig} from '../../src/runs/run-for-config.js';
import type {ExternalTestSet} from '../../src/runs/test-sets.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A U-Net small enough to train in a few seconds: 32 px, base width 4, batch 8. */
export const TINY = ['model.baseWidth=4', 'data.size=32', 'train.batchSize=8', 'train.optimizer.lr=0.005'];

/** One variant: a name and the `--set` overrides on top of TINY. */
export interface TinyVariant {
  variant: string;
  set: string[];
  /** Extra test sets (a suite's `evaluate`), default none. */
  testSets?: ExternalTestSet[];
}

/** Resolves the variants, prepares their run directories in `store` (config.json only) and returns the plan. */
export async function tinySuite(store: string, dataRoot: string, variants: readonly TinyVariant[]): Promise<SuitePlan> {
  const runs: PlannedRun[] = [];
  await mkdir(store, {recursive: true});
  for (const v of variants) {
    const config = await resolveRunConfig(join(ROOT, 'configs/quickstart-unet.yaml'), {set: [...TINY, ...v.set]});
    const {runId, dir} = await locateRunForConfig(config, {out: store, dataRoot});
    await mkdir(dir, {recursive: true});
    await writeFile(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
    runs.push({runId, dir, config, suite: 'tiny', variant: v.variant, kind: 'variant', dataset: 'synthetic', fold: null, seed: config.seed, missingData: null, images: null, testSets: v.testSets ?? []});
  }
  return {suite: 'tiny', file: 'tiny.yaml', sha256: '', store, reference: variants[0]!.variant, runs};
}
