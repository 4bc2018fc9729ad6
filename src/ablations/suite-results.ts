// A suite's headline in the terminal: per dataset and variant (plan order), the test mDice over seeds as mean +-
// sample std with n, the model's parameters and GFLOPs per image, and the run ids it comes from. The statistics of
// the report (paired tests, CIs) are the reports' job; this is what `ablate` and `quickstart` print when they end.
import {meanStd, type MeanStd} from '../evaluation/aggregate.js';
import {labelVariant} from '../models/registry.js';
import {EvaluationNotFoundError, readRunEvaluation} from '../runs/evaluation-summary.js';
import {plannedRunState, type PlanRow} from './plan-status.js';
import {alignColumns} from './plan-table.js';
import type {PlannedRun} from './plan.js';

/** One variant on one dataset. */
export interface VariantResult {
  dataset: string;
  /** The suite's name of the model, or its family's label where the suite names it by its family ('EMCAD (scratch)'). */
  variant: string;
  kind: 'variant' | 'baseline';
  /** Test mDice (per-image mean at each image's original resolution, the run's eval.checkpoint) over its done runs. */
  testDice: MeanStd;
  /** Runs planned for this variant and dataset (seeds x folds); testDice.n of them are done. */
  runs: number;
  /** Run ids, in plan order (done or not). */
  runIds: string[];
  /** Parameters (count) and GFLOPs per image at the run's size, from the plan's costs. */
  params: number;
  gflops: number;
}

/**
 * Reads the test summary of every done run of `runs` (costs from `rows`, matched by run id) and groups them by
 * (dataset, variant) in plan order. A run that is not done (plannedRunState: a done run whose files no longer match its
 * checksums.json is 'failed' or 'to repair'), or has no test summary, is left out of the mean (n says how many are in it). Throws what readRunEvaluation throws for a damaged summary.
 */
export async function suiteResults(runs: readonly PlannedRun[], rows: readonly PlanRow[]): Promise<VariantResult[]> {
  const costs = new Map(rows.map((r) => [r.runId, r]));
  const groups = new Map<string, {first: PlannedRun; runIds: string[]; dice: number[]}>();
  for (const run of runs) {
    const key = JSON.stringify([run.dataset, run.variant]);
    const group = groups.get(key) ?? {first: run, runIds: [], dice: []};
    groups.set(key, group);
    group.runIds.push(run.runId);
    if (run.dir === '') continue;
    // Done, and its files as checksums.json recorded them: a run failed, damaged or unfinished has no number here.
    const state = (await plannedRunState(run)).state;
    if (state !== 'done' && state !== 'to evaluate') continue;
    try {
      const summary = await readRunEvaluation(run.dir, 'test', run.config.eval.checkpoint);
      if (summary.dice !== null) group.dice.push(summary.dice);
    } catch (error) {
      if (!(error instanceof EvaluationNotFoundError)) throw error;
    }
  }
  return [...groups.values()].map(({first, runIds, dice}) => ({
    dataset: first.dataset, variant: labelVariant(first.variant, first.config.model), kind: first.kind, testDice: meanStd(dice, 'test mDice'),
    runs: runIds.length, runIds, params: costs.get(first.runId)?.params ?? 0, gflops: costs.get(first.runId)?.gflops ?? 0,
  }));
}

function formatDice(d: MeanStd): string {
  if (d.mean === null) return '-';
  return d.std === null ? `${d.mean.toFixed(4)}` : `${d.mean.toFixed(4)} +- ${d.std.toFixed(4)}`;
}

/**
 * The results as an aligned text table, one row per (dataset, variant), under a line stating the training protocol
 * (describeProtocol) when one is given.
 */
export function formatResultsTable(results: readonly VariantResult[], protocol?: string): string {
  const rows = [['dataset', 'variant', 'test mDice (mean +- std)', 'n', 'params', 'GFLOPs/img'],
    ...results.map((r) => [r.dataset, r.kind === 'baseline' ? `${r.variant} (baseline)` : r.variant, formatDice(r.testDice),
      `${r.testDice.n}/${r.runs}`, r.params >= 1e6 ? `${(r.params / 1e6).toFixed(2)}M` : `${(r.params / 1e3).toFixed(1)}k`, r.gflops.toFixed(3)])];
  return [...(protocol ? [`protocol: ${protocol}`] : []), ...alignColumns(rows)].join('\n');
}
