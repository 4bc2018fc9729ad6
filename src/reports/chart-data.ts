// The numbers each chart draws, computed here in TypeScript from the report model, so that a chart never relies on
// Vega's own (randomly resampled) bootstrap and every interval is reproducible. charts.ts only lays these rows out.
// Every builder returns plain rows in a fixed order (the model's plan order) and an empty array when it has
// nothing to draw: the chart is then omitted, never drawn empty.
import type {PerImageRow, RankAnalysis, RankStability, ReportModel, RunRow} from './model.js';

/** A mean with its interval; low/high null when the interval is undefined (fewer than 2 values). */
export interface IntervalEstimate {
  mean: number;
  low: number | null;
  high: number | null;
  /** The number of values the estimate is computed from. */
  n: number;
}

/**
 * Turns values into a mean with an interval. The default is {@link studentTInterval} at 95%; a caller may pass
 * another one, e.g. a seeded percentile bootstrap from the statistics module. Returns null for no values.
 */
export type IntervalEstimator = (values: readonly number[]) => IntervalEstimate | null;

/**
 * P(|T| < t) for Student's t with integer `df` degrees of freedom, by the finite series of Abramowitz & Stegun,
 * Handbook of Mathematical Functions, 26.7.3 (odd df) and 26.7.4 (even df), with theta = atan(t / sqrt(df)).
 * Throws on a non-integer or non-positive df.
 */
export function studentTCentralProbability(t: number, df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new Error(`degrees of freedom must be a positive integer, got ${df}`);
  const theta = Math.atan(Math.abs(t) / Math.sqrt(df));
  const sin = Math.sin(theta);
  const cos2 = Math.cos(theta) ** 2;
  if (df % 2 === 0) {
    // sin(theta) * (1 + 1/2 cos^2 + (1*3)/(2*4) cos^4 + ... up to cos^(df-2))
    let term = 1;
    let sum = 1;
    for (let k = 2; k <= df - 2; k += 2) {
      term *= ((k - 1) / k) * cos2;
      sum += term;
    }
    return sin * sum;
  }
  if (df === 1) return (2 / Math.PI) * theta;
  // 2/pi * (theta + sin cos (1 + 2/3 cos^2 + (2*4)/(3*5) cos^4 + ... up to cos^(df-3)))
  let term = 1;
  let sum = 1;
  for (let k = 3; k <= df - 2; k += 2) {
    term *= ((k - 1) / k) * cos2;
    sum += term;
  }
  return (2 / Math.PI) * (theta + sin * Math.cos(theta) * sum);
}

/**
 * The two-sided Student t quantile: the t with P(|T| < t) = `level` (e.g. 0.95 gives t_{0.975, df}: 12.706 for
 * df 1, 4.303 for df 2, 2.045 for df 29). Bisection on {@link studentTCentralProbability} to 1e-12.
 * Throws when level is not in (0, 1) or df is not a positive integer.
 */
export function studentTQuantile(level: number, df: number): number {
  if (!(level > 0 && level < 1)) throw new Error(`confidence level must be in (0, 1), got ${level}`);
  let high = 1;
  while (studentTCentralProbability(high, df) < level) high *= 2;
  let low = 0;
  for (let i = 0; i < 200 && high - low > 1e-12 * high; i++) {
    const middle = (low + high) / 2;
    if (studentTCentralProbability(middle, df) < level) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/**
 * The mean with its Student t interval at `level` (default 0.95): mean +- t_{(1+level)/2, n-1} * s / sqrt(n),
 * s the sample standard deviation (n - 1). One value gives the mean with no interval; no values give null.
 * It assumes roughly normal values (means over seeds are); for per-image scores pass a bootstrap estimator instead
 * when images are few and skewed.
 */
export function studentTInterval(values: readonly number[], level = 0.95): IntervalEstimate | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n === 1) return {mean, low: null, high: null, n};
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  const half = studentTQuantile(level, n - 1) * Math.sqrt(variance / n);
  return {mean, low: mean - half, high: mean + half, n};
}

/** What a bar's interval is computed over: the done seeds' test mDice, or each test image's Dice averaged over seeds. */
export type IntervalUnit = 'seeds' | 'images';

/** Options of the interval charts (ablation bars, kernel sweep). */
export interface IntervalOptions {
  /** Default 'seeds'. */
  over?: IntervalUnit;
  /** Default: {@link studentTInterval} at 95%. */
  estimator?: IntervalEstimator;
}

/** One bar or point with its interval: a variant on a dataset's own test split (mDice in [0, 1]). */
export interface IntervalRow {
  dataset: string;
  variant: string;
  kind: 'variant' | 'baseline';
  mean: number;
  low: number | null;
  high: number | null;
  n: number;
}

/** A kernel-sweep point: an IntervalRow of a variant named `ld.largeKernel=<k>`. */
export interface KernelRow extends IntervalRow {
  kernel: number;
}

/** Variants in plan order (summary first, then any only in runs), so colours and axes agree across charts. */
export function variantOrder(model: ReportModel): string[] {
  const seen = new Set<string>();
  for (const row of model.summary) seen.add(row.variant);
  for (const run of model.runs) seen.add(run.variant);
  return [...seen];
}

/** Datasets in plan order. */
export function datasetOrder(model: ReportModel): string[] {
  const seen = new Set<string>();
  for (const row of model.summary) seen.add(row.dataset);
  for (const run of model.runs) seen.add(run.dataset);
  return [...seen];
}

/** True for names a suite's `grid:` or `zip:` gives (`ld.largeKernel=13`, `a.b=1,c.d=2`), not for component variants. */
export function isSweepVariantName(name: string): boolean {
  return /^[A-Za-z_][\w.]*=[^,=]+(,[A-Za-z_][\w.]*=[^,=]+)*$/.test(name);
}

/** The large kernel of a variant named exactly `ld.largeKernel=<k>`, else null. */
export function largeKernelOf(name: string): number | null {
  const match = /^ld\.largeKernel=(\d+)$/.exec(name);
  return match ? Number(match[1]) : null;
}

/**
 * Test mDice per seed of one variant on one dataset; folds are averaged within a seed first, and a seed counts only
 * when all its runs (folds) are done with a test score: the same rule as the summary's (aggregate.ts), so a bar and
 * its table cell are one number.
 */
function seedValues(runs: readonly RunRow[], variant: string, dataset: string): number[] {
  const bySeed = new Map<number, Array<number | null>>();
  for (const run of runs) {
    if (run.variant !== variant || run.dataset !== dataset) continue;
    const list = bySeed.get(run.seed) ?? [];
    list.push(run.state === 'done' && run.test !== null ? run.test.dice : null);
    bySeed.set(run.seed, list);
  }
  return [...bySeed.keys()].sort((a, b) => a - b).flatMap((seed) => {
    const folds = bySeed.get(seed)!;
    return folds.every((v) => v !== null) ? [mean(folds as number[])] : [];
  });
}

/** Each test image's Dice averaged over the runs (seeds, folds) that scored it, in first-seen image order. */
export function imageMeans(perImage: readonly PerImageRow[], variant: string, dataset: string, testSet: string): Array<{image: string; dice: number}> {
  const sums = new Map<string, {sum: number; n: number}>();
  for (const row of perImage) {
    if (row.variant !== variant || row.dataset !== dataset || row.testSet !== testSet) continue;
    const entry = sums.get(row.image) ?? {sum: 0, n: 0};
    entry.sum += row.dice;
    entry.n += 1;
    sums.set(row.image, entry);
  }
  return [...sums].map(([image, s]) => ({image, dice: s.sum / s.n}));
}

function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

function intervalRows(model: ReportModel, variants: readonly string[], options: IntervalOptions): IntervalRow[] {
  const over = options.over ?? 'seeds';
  const estimator = options.estimator ?? ((values: readonly number[]) => studentTInterval(values));
  const rows: IntervalRow[] = [];
  for (const dataset of datasetOrder(model)) {
    for (const variant of variants) {
      const values = over === 'seeds'
        ? seedValues(model.runs, variant, dataset)
        : imageMeans(model.perImage, variant, dataset, 'test').map((m) => m.dice);
      const estimate = estimator(values);
      if (estimate === null) continue;
      rows.push({dataset, variant, kind: kindOf(model, variant), mean: estimate.mean, low: estimate.low, high: estimate.high, n: estimate.n});
    }
  }
  return rows;
}

/**
 * Component ablation bars: test mDice of every variant that is not a grid/zip sweep point (the reference, 'w/o
 * MIE', ...) on each dataset's own test split, with its interval (by default a 95% Student t interval over seeds).
 * Baselines are left to the cost and distribution charts. Empty when no such variant has a done run.
 */
export function ablationBarRows(model: ReportModel, options: IntervalOptions = {}): IntervalRow[] {
  const components = variantOrder(model).filter((v) => !isSweepVariantName(v) && kindOf(model, v) === 'variant');
  return intervalRows(model, components, options);
}

/** LD kernel size vs mDice: the variants named `ld.largeKernel=<k>`, sorted by k; empty when there are none. */
export function kernelSweepRows(model: ReportModel, options: IntervalOptions = {}): KernelRow[] {
  const sweep = variantOrder(model)
    .map((variant) => ({variant, kernel: largeKernelOf(variant)}))
    .filter((v): v is {variant: string; kernel: number} => v.kernel !== null)
    .sort((a, b) => a.kernel - b.kernel);
  const rows = intervalRows(model, sweep.map((s) => s.variant), options);
  return rows.map((row) => ({...row, kernel: largeKernelOf(row.variant)!}));
}

function kindOf(model: ReportModel, variant: string): 'variant' | 'baseline' {
  return model.summary.find((s) => s.variant === variant)?.kind ?? model.runs.find((r) => r.variant === variant)?.kind ?? 'variant';
}

/**
 * The model cost on a chart's x axis: parameters (count), GFLOPs per image at the run's input size, or batch-1
 * inference latency in ms (SummaryRow.latencyMs, on the backend of ReportModel.latencyBackend).
 */
export type CostMeasure = 'params' | 'gflops' | 'latencyMs';

/** One point of a cost chart: a summary row with its cost, and whether it is on the Pareto front of its dataset. */
export interface CostRow {
  dataset: string;
  variant: string;
  kind: 'variant' | 'baseline';
  cost: number;
  dice: number;
  /** No other point of the dataset costs no more and scores no less, with one of the two strictly. */
  pareto: boolean;
}

/** mDice (mean over seeds) against cost per dataset's own test split, with the Pareto front marked. */
export function costRows(model: ReportModel, measure: CostMeasure): CostRow[] {
  const points = model.summary.flatMap((s) => {
    const cost = s[measure];
    if (s.testSet !== 'test' || cost === null || s.dice.mean === null) return [];
    return [{dataset: s.dataset, variant: s.variant, kind: s.kind, cost, dice: s.dice.mean}];
  });
  return points.map((p) => ({
    ...p,
    pareto: !points.some((q) => q.dataset === p.dataset && q !== p && q.cost <= p.cost && q.dice >= p.dice && (q.cost < p.cost || q.dice > p.dice)),
  }));
}

/** One image's Dice for a variant on a test set, averaged over seeds (the unit of the paired comparisons). */
export interface ImageDiceRow {
  /** The dataset, or `<dataset> → <test set>` for an extra evaluation set. */
  panel: string;
  variant: string;
  image: string;
  dice: number;
}

/** Label of a dataset x test set panel: the dataset alone for its own test split. */
export function panelLabel(dataset: string, testSet: string): string {
  return testSet === 'test' ? dataset : `${dataset} → ${testSet}`;
}

/** Per-image Dice distributions: each image's Dice averaged over the seeds of a variant, per dataset x test set. */
export function imageDiceRows(model: ReportModel): ImageDiceRow[] {
  const panels: Array<{dataset: string; testSet: string}> = [];
  for (const row of model.perImage) {
    if (!panels.some((p) => p.dataset === row.dataset && p.testSet === row.testSet)) panels.push({dataset: row.dataset, testSet: row.testSet});
  }
  const rows: ImageDiceRow[] = [];
  for (const {dataset, testSet} of panels) {
    for (const variant of variantOrder(model)) {
      for (const {image, dice} of imageMeans(model.perImage, variant, dataset, testSet)) {
        rows.push({panel: panelLabel(dataset, testSet), variant, image, dice});
      }
    }
  }
  return rows;
}

/** One point of a training curve in long form. */
export interface CurveRow {
  dataset: string;
  variant: string;
  seed: number;
  runId: string;
  epoch: number;
  measure: 'training loss' | 'validation Dice';
  value: number;
}

/** Training loss and validation Dice per epoch of every run; epochs without a validation Dice are left out. */
export function curveRows(model: ReportModel): CurveRow[] {
  const rows: CurveRow[] = [];
  for (const measure of ['training loss', 'validation Dice'] as const) {
    for (const curve of model.curves) {
      for (const e of curve.epochs) {
        const value = measure === 'training loss' ? e.trainLoss : e.valDice;
        if (value === null || !Number.isFinite(value)) continue;
        rows.push({dataset: curve.dataset, variant: curve.variant, seed: curve.seed, runId: curve.runId, epoch: e.epoch, measure, value});
      }
    }
  }
  return rows;
}

/** A line segment of the critical-difference diagram, in rank units (x) and rows (y, 0 the axis, down positive). */
export interface CdSegment {
  part: 'axis' | 'tick' | 'elbow' | 'clique' | 'cd';
  x: number;
  x2: number;
  y: number;
  y2: number;
}

/** A text of the critical-difference diagram; `side` says which way it is aligned. */
export interface CdLabel {
  part: 'rank' | 'variant' | 'cd';
  side: 'left' | 'right' | 'center';
  x: number;
  y: number;
  text: string;
}

/** Geometry of a critical-difference diagram (Demsar, JMLR 7, 2006, Fig. 1 and 2). */
export interface CdLayout {
  /** Variants sorted by average rank, best (lowest) first. */
  order: Array<{variant: string; rank: number}>;
  /** Groups (indices into `order`) whose average ranks differ by less than the critical difference. */
  cliques: Array<[number, number]>;
  segments: CdSegment[];
  labels: CdLabel[];
  /** x extent of the drawing (labels hang outside it). */
  xMin: number;
  xMax: number;
  /** y extent: the CD bar above the axis (negative) to the last label row. */
  yMin: number;
  yMax: number;
}

/**
 * Lays out the critical-difference diagram: an axis of average ranks 1..k, the better half of the variants
 * labelled on the left and the rest on the right, each joined to its rank by an elbow line; thick bars join the
 * maximal groups whose ranks differ by less than the Nemenyi CD, and a bar of length CD sits above the axis.
 * Null without at least two ranked variants.
 */
export function criticalDifferenceLayout(ranks: RankAnalysis): CdLayout | null {
  const k = ranks.variants.length;
  if (k < 2 || ranks.averageRanks.length !== k) return null;
  const order = ranks.variants
    .map((variant, i) => ({variant, rank: ranks.averageRanks[i]!}))
    .sort((a, b) => a.rank - b.rank || (a.variant < b.variant ? -1 : a.variant > b.variant ? 1 : 0));
  const cd = ranks.criticalDifference;
  const cliques: Array<[number, number]> = [];
  for (let i = 0; i < k; i++) {
    let j = i;
    while (j + 1 < k && order[j + 1]!.rank - order[i]!.rank < cd) j++;
    const last = cliques[cliques.length - 1];
    if (j > i && (last === undefined || j > last[1])) cliques.push([i, j]);
  }
  const margin = Math.max(0.4, 0.1 * (k - 1));
  const xMin = 1 - margin;
  const xMax = k + margin;
  const segments: CdSegment[] = [{part: 'axis', x: 1, x2: k, y: 0, y2: 0}];
  const labels: CdLabel[] = [];
  for (let r = 1; r <= k; r++) {
    segments.push({part: 'tick', x: r, x2: r, y: 0, y2: -0.15});
    labels.push({part: 'rank', side: 'center', x: r, y: -0.3, text: String(r)});
  }
  const cliqueGap = Math.min(0.18, 0.6 / Math.max(1, cliques.length));
  cliques.forEach(([a, b], c) => {
    const y = 0.25 + c * cliqueGap;
    segments.push({part: 'clique', x: order[a]!.rank - 0.03, x2: order[b]!.rank + 0.03, y, y2: y});
  });
  const firstRow = 0.45 + cliques.length * cliqueGap;
  const leftCount = Math.ceil(k / 2);
  order.forEach(({variant, rank}, i) => {
    const left = i < leftCount;
    // Left: best first, top down; right: worst first, top down, so that no two elbows cross.
    const row = left ? i : k - 1 - i;
    const y = firstRow + row * 0.5;
    const edge = left ? xMin : xMax;
    segments.push({part: 'elbow', x: rank, x2: rank, y: 0, y2: y});
    segments.push({part: 'elbow', x: Math.min(rank, edge), x2: Math.max(rank, edge), y, y2: y});
    labels.push({part: 'variant', side: left ? 'left' : 'right', x: edge, y, text: `${variant} (${rank.toFixed(2)})`});
  });
  segments.push({part: 'cd', x: 1, x2: 1 + cd, y: -0.8, y2: -0.8});
  segments.push({part: 'cd', x: 1, x2: 1, y: -0.9, y2: -0.7});
  segments.push({part: 'cd', x: 1 + cd, x2: 1 + cd, y: -0.9, y2: -0.7});
  labels.push({part: 'cd', side: 'center', x: 1 + cd / 2, y: -1.05, text: `CD = ${cd.toFixed(2)}`});
  const yMax = firstRow + (leftCount - 1) * 0.5 + 0.3;
  return {order, cliques, segments, labels, xMin: Math.min(xMin, 1), xMax: Math.max(xMax, 1 + cd), yMin: -1.3, yMax};
}

/** One cell of the rank-frequency chart: the share of bootstrap resamples in which `variant` took `rank`. */
export interface RankFrequencyRow {
  panel: string;
  variant: string;
  rank: number;
  share: number;
  /** The variant's mean rank over the resamples of this panel (sorts the rows). */
  meanRank: number;
}

/** Rank frequencies of every rank-stability analysis, zero cells included (a full grid per panel). */
export function rankFrequencyRows(stability: readonly RankStability[]): RankFrequencyRow[] {
  const rows: RankFrequencyRow[] = [];
  for (const s of stability) {
    if (s.variants.length === 0 || s.resamples === 0) continue;
    s.variants.forEach((variant, v) => {
      const shares = s.frequencies[v] ?? [];
      const total = shares.reduce((a, b) => a + b, 0);
      const meanRank = total > 0 ? shares.reduce((a, share, r) => a + share * (r + 1), 0) / total : Number.NaN;
      shares.forEach((share, r) => rows.push({panel: panelLabel(s.dataset, s.testSet), variant, rank: r + 1, share, meanRank}));
    });
  }
  return rows.filter((row) => Number.isFinite(row.meanRank));
}
