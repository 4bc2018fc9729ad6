// Runs -> one SummaryRow per (variant, dataset, test set), in plan order: each metric as mean +- sample std (n - 1)
// over seeds, n shown (conventions.md, "Statistics"). With k-fold runs, a seed's value is the mean over its folds
// first, and a seed counts only when all its folds are done (a mean over some folds would be another quantity).
// Every run that does not contribute is listed in `missing` with its reason: n is never silently smaller.
import {meanStd} from '../evaluation/aggregate.js';
import type {PerImageRow, RunRow, SeedStatistic, SummaryRow} from './model.js';

/** The test set name of a run's own test split (the one RunRow.test is about; extra evaluation sets carry their own name). */
export const OWN_TEST_SET = 'test';

/** A run's numbers on one test set (per-image means), or why it has none. */
interface Values {
  dice: number;
  iou: number;
  hd95: number | null;
  precision: number | null;
  recall: number | null;
}
type RunValues = Values | {reason: string};

/** Mean over a run's per-image rows of one test set (the per-image mean, as the run's own summary computes it). */
function meansOfRows(rows: readonly PerImageRow[]): Values {
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const hd95 = rows.flatMap((r) => (r.hd95 === null ? [] : [r.hd95]));
  return {dice: mean(rows.map((r) => r.dice)), iou: mean(rows.map((r) => r.iou)), hd95: hd95.length > 0 ? mean(hd95) : null, precision: null, recall: null};
}

/** Where a run is: `seed 2`, `seed 2 fold 1`. */
export function runLabel(run: Pick<RunRow, 'seed' | 'fold'>): string {
  return `seed ${run.seed}${run.fold === null ? '' : ` fold ${run.fold}`}`;
}

/** The values of `runs` (one group, one test set), or the reason of each run without them. */
function valuesOf(run: RunRow, testSet: string, rowsByRun: Map<string, PerImageRow[]>): RunValues {
  // RunRow.reason of a failed run is the failure itself: the phrase says it failed.
  if (run.state === 'failed') return {reason: `failed: ${run.reason ?? 'no reason recorded'}`};
  if (run.state !== 'done') return {reason: run.reason ?? run.state};
  if (testSet === OWN_TEST_SET) {
    if (run.test === null) return {reason: run.reason ?? 'done, but has no test images'};
    return {dice: run.test.dice, iou: run.test.iou, hd95: run.test.hd95, precision: run.test.precision, recall: run.test.recall};
  }
  const rows = rowsByRun.get(JSON.stringify([run.runId, testSet])) ?? [];
  return rows.length > 0 ? meansOfRows(rows) : {reason: `done, but not evaluated on ${testSet}`};
}

/** Mean +- sample std over seeds of one metric; with folds, each seed's folds are averaged first. */
function overSeeds(values: ReadonlyArray<{seed: number; value: number | null}>, metric: string): SeedStatistic {
  const bySeed = new Map<number, Array<number | null>>();
  for (const {seed, value} of values) bySeed.set(seed, [...bySeed.get(seed) ?? [], value]);
  const perSeed: number[] = [];
  for (const folds of bySeed.values()) {
    const present = folds.filter((v): v is number => v !== null);
    if (present.length === folds.length && present.length > 0) perSeed.push(present.reduce((a, b) => a + b, 0) / present.length);
  }
  const {mean, std, n} = meanStd(perSeed, metric);
  return {mean, std, n};
}

/**
 * One SummaryRow per (variant, dataset, test set) of `runs`, in the order the (variant, dataset) pairs first appear
 * in `runs` (plan order), the dataset's own test split first, then the extra test sets the runs ask for (RunRow.testSets,
 * suite order), then any other found in `perImage`. A seed contributes to a metric only when every one of its runs
 * (folds) has it; the runs that do not contribute are in `missing` ('seed 2: failed: diverged at epoch 3'). Params,
 * GFLOPs and latency are the first run's that has them (one model per row); trainingSeconds is the mean over done
 * runs that recorded it.
 */
export function summariseRuns(runs: readonly RunRow[], perImage: readonly PerImageRow[]): SummaryRow[] {
  const rowsByRun = new Map<string, PerImageRow[]>();
  const extraSets = new Map<string, string[]>();
  // The sets a suite asks for come first and always get a row (a run not evaluated on one is missing from it, with
  // its reason); sets found in per-image rows (a runs folder) follow.
  for (const run of runs) {
    const groupKey = JSON.stringify([run.variant, run.dataset]);
    for (const set of run.testSets ?? []) {
      const sets = extraSets.get(groupKey) ?? [];
      if (!sets.includes(set)) extraSets.set(groupKey, [...sets, set]);
    }
  }
  for (const row of perImage) {
    const key = JSON.stringify([row.runId, row.testSet]);
    rowsByRun.set(key, [...rowsByRun.get(key) ?? [], row]);
    if (row.testSet !== OWN_TEST_SET) {
      const groupKey = JSON.stringify([row.variant, row.dataset]);
      const sets = extraSets.get(groupKey) ?? [];
      if (!sets.includes(row.testSet)) extraSets.set(groupKey, [...sets, row.testSet]);
    }
  }
  const groups = new Map<string, RunRow[]>();
  for (const run of runs) {
    const key = JSON.stringify([run.variant, run.dataset]);
    groups.set(key, [...groups.get(key) ?? [], run]);
  }
  const summary: SummaryRow[] = [];
  for (const [key, group] of groups) {
    const first = group[0]!;
    for (const testSet of [OWN_TEST_SET, ...extraSets.get(key) ?? []]) {
      const values = group.map((run) => ({run, values: valuesOf(run, testSet, rowsByRun)}));
      const metric = (pick: (v: Values) => number | null) =>
        values.map(({run, values: v}) => ({seed: run.seed, value: 'reason' in v ? null : pick(v)}));
      const done = group.filter((r) => r.state === 'done');
      const seconds = done.flatMap((r) => (r.trainingSeconds === null ? [] : [r.trainingSeconds]));
      summary.push({
        variant: first.variant, kind: first.kind, dataset: first.dataset, testSet, planned: group.length,
        seeds: new Set(group.map((r) => r.seed)).size,
        done: values.filter(({values: v}) => !('reason' in v)).length,
        dice: overSeeds(metric((v) => v.dice), 'dice'), iou: overSeeds(metric((v) => v.iou), 'iou'),
        hd95: overSeeds(metric((v) => v.hd95), 'hd95'),
        precision: overSeeds(metric((v) => v.precision), 'precision'), recall: overSeeds(metric((v) => v.recall), 'recall'),
        params: group.find((r) => r.params !== null)?.params ?? null, gflops: group.find((r) => r.gflops !== null)?.gflops ?? null,
        latencyMs: group.find((r) => r.latencyMs !== null)?.latencyMs ?? null,
        trainingSeconds: seconds.length > 0 ? seconds.reduce((a, b) => a + b, 0) / seconds.length : null,
        missing: values.flatMap(({run, values: v}) => ('reason' in v ? [`${runLabel(run)}: ${v.reason}`] : [])),
        runIds: group.map((r) => r.runId),
      });
    }
  }
  return summary;
}
