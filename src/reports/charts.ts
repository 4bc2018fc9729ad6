// Vega-Lite specs of the report's charts, built from the report model. Each spec is plain data: its rows inline
// (`data.values`, computed in chart-data.ts, never by Vega's random bootstrap), its keys in a fixed order, so the
// same model always gives the same JSON and the same SVG. A chart without data is left out, never drawn empty.
// Colours follow the suite's plan order in every chart, so one variant has one colour throughout a report; past ten
// variants the colours repeat with another point shape (scatter) or line dash (curves), so no two variants look alike.
import type {TopLevelSpec} from 'vega-lite';
import {
  ablationBarRows,
  costRows,
  criticalDifferenceLayout,
  curveRows,
  datasetOrder,
  imageDiceRows,
  kernelSweepRows,
  rankFrequencyRows,
  variantOrder,
  type CostMeasure,
  type IntervalOptions,
} from './chart-data.js';
import type {ReportModel} from './model.js';

/** One chart of a report: its file stem (`charts/<name>.vl.json`, `<name>.svg`), title and Vega-Lite spec. */
export interface ChartSpec {
  name: string;
  title: string;
  spec: TopLevelSpec;
}

/** Options of {@link buildCharts}. */
export interface ChartOptions {
  /** How the ablation and kernel-sweep intervals are computed (default: 95% Student t over seeds). */
  intervals?: IntervalOptions;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** Tableau 10, fixed here so colours do not depend on Vega's defaults. */
const PALETTE = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'];
const CONFIG = {
  font: 'sans-serif',
  view: {stroke: '#ddd'},
  axis: {labelLimit: 220, labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal'},
  // Vega drops the entries of a symbol legend past 30 ("count exceeds limit"): a suite of 40 variants keeps them all.
  legend: {labelLimit: 260, labelFontSize: 11, titleFontSize: 12, symbolLimit: 200},
  header: {labelFontSize: 12, labelLimit: 260},
  title: {anchor: 'start', fontSize: 14, subtitleFontSize: 11, subtitleColor: '#555'},
} as const;

/** The spec's common head: schema, title with a subtitle saying how its numbers were computed, background. */
function head(title: string, subtitle: string): {$schema: string; title: {text: string; subtitle: string}; background: string; config: typeof CONFIG} {
  return {$schema: SCHEMA, title: {text: title, subtitle}, background: 'white', config: CONFIG};
}

/**
 * Point shapes (Vega-Lite `shape`): variant i is drawn with PALETTE[i % 10] and VARIANT_SHAPES[floor(i / 10)], so
 * the first ten variants are circles of ten colours, the next ten squares of the same colours, and so on: every
 * variant keeps its own (colour, shape) up to 80 variants (the paper suite has 40). Beyond that pairs repeat, and
 * the tooltip still names each point.
 */
export const VARIANT_SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down', 'triangle-right', 'triangle-left'] as const;
/**
 * Line dashes (Vega-Lite `strokeDash`) of the training curves, in the same order as VARIANT_SHAPES: solid first.
 * Each period is at most 12 px, so that the pattern shows in a legend's short line symbol too.
 */
export const VARIANT_DASHES: readonly (readonly number[])[] = [[], [5, 2], [1, 2], [5, 2, 1, 2], [8, 3], [1, 4], [3, 2, 1, 2, 1, 2], [8, 2, 2, 2]];

/** The colour, shape and dash of each variant of the report, in plan order (variant i: see VARIANT_SHAPES). */
export function variantMarks(model: ReportModel): Array<{variant: string; color: string; shape: string; dash: readonly number[]}> {
  return variantOrder(model).map((variant, i) => {
    const group = Math.floor(i / PALETTE.length) % VARIANT_SHAPES.length;
    return {variant, color: PALETTE[i % PALETTE.length]!, shape: VARIANT_SHAPES[group]!, dash: VARIANT_DASHES[group]!};
  });
}

function variantColor(model: ReportModel, title = 'variant'): Record<string, unknown> {
  const marks = variantMarks(model);
  // Past 20 variants, a legend of 16 px rows would be far taller than the chart: two columns or more.
  const legend = marks.length > 20 ? {legend: {columns: Math.ceil(marks.length / 20)}} : {};
  return {field: 'variant', type: 'nominal', title, scale: {domain: marks.map((m) => m.variant), range: marks.map((m) => m.color)}, ...legend};
}

/** The variant's shape channel: with the colour's field and title, Vega-Lite draws one legend of both. */
function variantShape(model: ReportModel, title = 'variant'): Record<string, unknown> {
  const marks = variantMarks(model);
  return {field: 'variant', type: 'nominal', title, scale: {domain: marks.map((m) => m.variant), range: marks.map((m) => m.shape)}};
}

/** The variant's line dash, as variantShape for lines. */
function variantDash(model: ReportModel, title = 'variant'): Record<string, unknown> {
  const marks = variantMarks(model);
  return {field: 'variant', type: 'nominal', title, scale: {domain: marks.map((m) => m.variant), range: marks.map((m) => [...m.dash])}};
}

/** Says how the interval charts' numbers were computed. */
function intervalSubtitle(options: IntervalOptions, n: string): string {
  const over = options.over ?? 'seeds';
  const how = options.estimator ? 'the supplied interval' : '95% Student t interval';
  return `test mDice, mean over ${over} with ${how} (${n}); a bar with one value has no interval`;
}

/** Component ablation: mDice per component variant and dataset, bars with interval error bars. */
export function ablationChart(model: ReportModel, options: IntervalOptions = {}): ChartSpec | null {
  const rows = ablationBarRows(model, options);
  if (rows.length === 0) return null;
  const title = 'Component ablation';
  const order = variantOrder(model).filter((v) => rows.some((r) => r.variant === v));
  const x = {field: 'variant', type: 'nominal', title: null, sort: order, axis: {labelAngle: -35, labelLimit: 240}};
  const spec = {
    ...head(title, intervalSubtitle(options, 'n per bar in the tooltip')),
    data: {values: rows},
    facet: {column: {field: 'dataset', type: 'nominal', title: null, sort: datasetOrder(model)}},
    spec: {
      width: {step: 34},
      height: 220,
      layer: [
        {
          mark: {type: 'bar'},
          encoding: {
            x,
            // Dice lives in [0, 1]: a wide t interval (n = 2) is drawn to the axis' end, its value stays in the data.
            y: {field: 'mean', type: 'quantitative', title: 'test mDice', scale: {domain: [0, 1], clamp: true}},
            color: {...variantColor(model), legend: null},
            tooltip: [{field: 'variant'}, {field: 'mean', format: '.4f'}, {field: 'low', format: '.4f'}, {field: 'high', format: '.4f'}, {field: 'n'}],
          },
        },
        {
          transform: [{filter: 'isValid(datum.low) && isValid(datum.high)'}],
          mark: {type: 'errorbar', ticks: true, color: '#222'},
          encoding: {x, y: {field: 'low', type: 'quantitative', title: 'test mDice'}, y2: {field: 'high'}},
        },
      ],
    },
  };
  return {name: 'ablation', title, spec: spec as TopLevelSpec};
}

/** LD kernel size vs mDice with intervals, one line per dataset; null when no variant is `ld.largeKernel=<k>`. */
export function kernelSweepChart(model: ReportModel, options: IntervalOptions = {}): ChartSpec | null {
  const rows = kernelSweepRows(model, options);
  if (rows.length === 0) return null;
  const title = 'LD large kernel size vs Dice';
  const kernels = [...new Set(rows.map((r) => r.kernel))];
  // Room on both sides so the end points and their error bars are not drawn on the plot's edge.
  const pad = Math.max(1, 0.06 * (Math.max(...kernels) - Math.min(...kernels)));
  const x = {field: 'kernel', type: 'quantitative', title: 'ld.largeKernel (px)', axis: {values: kernels, format: 'd'}, scale: {domain: [Math.min(...kernels) - pad, Math.max(...kernels) + pad], nice: false}};
  // Datasets take another palette than variants: blue here is not the colour of 'full' elsewhere.
  const color = {field: 'dataset', type: 'nominal', title: 'dataset', sort: datasetOrder(model), scale: {scheme: 'dark2'}};
  const spec = {
    ...head(title, intervalSubtitle(options, 'n in the tooltip')),
    data: {values: rows},
    width: 360,
    height: 240,
    layer: [
      {
        mark: {type: 'line', point: true},
        encoding: {
          x,
          y: {field: 'mean', type: 'quantitative', title: 'test mDice', scale: {zero: false}},
          color,
          tooltip: [{field: 'dataset'}, {field: 'kernel'}, {field: 'mean', format: '.4f'}, {field: 'low', format: '.4f'}, {field: 'high', format: '.4f'}, {field: 'n'}],
        },
      },
      {
        transform: [{filter: 'isValid(datum.low) && isValid(datum.high)'}],
        mark: {type: 'errorbar', ticks: true},
        encoding: {x, y: {field: 'low', type: 'quantitative', title: 'test mDice'}, y2: {field: 'high'}, color},
      },
    ],
  };
  return {name: 'kernel-sweep', title, spec: spec as TopLevelSpec};
}

const COST_LABEL: Record<CostMeasure, {name: string; title: string; axis: (model: ReportModel) => string; format: string}> = {
  params: {name: 'dice-vs-params', title: 'Dice vs parameters', axis: () => 'parameters', format: '.2s'},
  gflops: {name: 'dice-vs-gflops', title: 'Dice vs GFLOPs', axis: () => 'GFLOPs per image (2 FLOPs per multiply-add)', format: '.3~g'},
  latencyMs: {
    name: 'dice-vs-latency', title: 'Dice vs latency',
    axis: (model) => `inference latency, ms (batch 1, median${model.latencyBackend ? `, ${model.latencyBackend}` : ''})`, format: '.3~g',
  },
};

/**
 * mDice against parameters, GFLOPs or batch-1 latency per dataset; the Pareto front is joined by a dashed line and
 * ringed. Null when no summary row has both (e.g. no latency in the store's calibration cache).
 */
export function costChart(model: ReportModel, measure: CostMeasure): ChartSpec | null {
  const rows = costRows(model, measure);
  if (rows.length === 0) return null;
  const {name, title, format} = COST_LABEL[measure];
  const axis = COST_LABEL[measure].axis(model);
  const x = {field: 'cost', type: 'quantitative', title: axis, scale: {zero: false, nice: true}, axis: {format}};
  const y = {field: 'dice', type: 'quantitative', title: 'test mDice (mean over seeds)', scale: {zero: false}};
  const spec = {
    ...head(title, 'per dataset; hollow points: baselines; ringed points and the dashed line: the Pareto front (no other model is cheaper and better)'),
    data: {values: rows},
    facet: {column: {field: 'dataset', type: 'nominal', title: null, sort: datasetOrder(model)}},
    resolve: {scale: {y: 'independent'}},
    spec: {
      width: 220,
      height: 200,
      layer: [
        {
          transform: [{filter: 'datum.pareto'}],
          mark: {type: 'line', strokeDash: [4, 3], color: '#666'},
          encoding: {x, y, order: {field: 'cost', type: 'quantitative'}},
        },
        {
          transform: [{filter: 'datum.pareto'}],
          mark: {type: 'point', size: 260, filled: false, color: '#222', strokeWidth: 1.5},
          encoding: {x, y},
        },
        // Colour and shape both say the variant (past ten variants colours repeat, shapes tell them apart); a
        // baseline is the same mark, hollow.
        ...(['variant', 'baseline'] as const).map((kind) => ({
          transform: [{filter: `datum.kind === '${kind}'`}],
          mark: {type: 'point', filled: kind === 'variant', size: 70, opacity: 1, ...(kind === 'baseline' ? {strokeWidth: 2} : {})},
          encoding: {
            x,
            y,
            color: variantColor(model),
            shape: variantShape(model),
            tooltip: [{field: 'variant'}, {field: 'kind'}, {field: 'cost', format}, {field: 'dice', format: '.4f'}, {field: 'pareto'}],
          },
        })),
      ],
    },
  };
  return {name, title, spec: spec as TopLevelSpec};
}

/** Per-image Dice distribution per variant and dataset: box plots (whiskers at 1.5 IQR, outliers as points). */
export function imageDiceChart(model: ReportModel): ChartSpec | null {
  const rows = imageDiceRows(model);
  if (rows.length === 0) return null;
  const title = 'Per-image Dice';
  const order = variantOrder(model).filter((v) => rows.some((r) => r.variant === v));
  const panels = [...new Set(rows.map((r) => r.panel))];
  const spec = {
    ...head(title, 'each test image\'s Dice averaged over seeds; box: quartiles, whiskers: 1.5 IQR, points: outliers'),
    data: {values: rows},
    facet: {column: {field: 'panel', type: 'nominal', title: null, sort: panels}},
    spec: {
      width: {step: 34},
      height: 220,
      mark: {type: 'boxplot', extent: 1.5, size: 20},
      encoding: {
        x: {field: 'variant', type: 'nominal', title: null, sort: order, axis: {labelAngle: -35, labelLimit: 240}},
        y: {field: 'dice', type: 'quantitative', title: 'Dice', scale: {domain: [0, 1]}},
        color: {...variantColor(model), legend: null},
      },
    },
  };
  return {name: 'per-image-dice', title, spec: spec as TopLevelSpec};
}

/** Training loss and validation Dice per epoch, one line per run, coloured by variant, one column per dataset. */
export function trainingCurvesChart(model: ReportModel): ChartSpec | null {
  const rows = curveRows(model);
  if (rows.length === 0) return null;
  const title = 'Training curves';
  const spec = {
    ...head(title, 'one line per run (seed); training loss and validation Dice per epoch'),
    data: {values: rows},
    facet: {
      row: {field: 'measure', type: 'nominal', title: null, sort: ['training loss', 'validation Dice']},
      column: {field: 'dataset', type: 'nominal', title: null, sort: datasetOrder(model)},
    },
    resolve: {scale: {y: 'independent'}},
    spec: {
      width: 220,
      height: 150,
      mark: {type: 'line', strokeWidth: 1.2, opacity: 0.85},
      encoding: {
        x: {field: 'epoch', type: 'quantitative', title: 'epoch', axis: {format: 'd', tickMinStep: 1}},
        y: {field: 'value', type: 'quantitative', title: null, scale: {zero: false}},
        color: variantColor(model),
        // Past ten variants colours repeat: the dash tells them apart.
        strokeDash: variantDash(model),
        detail: {field: 'runId', type: 'nominal'},
        tooltip: [{field: 'variant'}, {field: 'seed'}, {field: 'epoch'}, {field: 'value', format: '.4f'}],
      },
    },
  };
  return {name: 'training-curves', title, spec: spec as TopLevelSpec};
}

/** The critical-difference diagram of the average ranks (null when the model has no rank analysis). */
export function criticalDifferenceChart(model: ReportModel): ChartSpec | null {
  if (model.ranks === null) return null;
  const layout = criticalDifferenceLayout(model.ranks);
  if (layout === null) return null;
  const {friedman, datasets} = model.ranks;
  const title = 'Critical-difference diagram';
  const x = {field: 'x', type: 'quantitative', axis: null, scale: {domain: [layout.xMin, layout.xMax], nice: false, zero: false}};
  const y = {field: 'y', type: 'quantitative', axis: null, scale: {domain: [layout.yMin, layout.yMax], reverse: true, nice: false, zero: false}};
  const segment = (part: string, strokeWidth: number, color: string): Record<string, unknown> => ({
    data: {values: layout.segments.filter((s) => s.part === part)},
    mark: {type: 'rule', strokeWidth, color},
    encoding: {x, x2: {field: 'x2'}, y, y2: {field: 'y2'}},
  });
  const text = (part: string, side: 'left' | 'right' | 'center', extra: Record<string, unknown>): Record<string, unknown> => ({
    data: {values: layout.labels.filter((l) => l.part === part && l.side === side)},
    mark: {type: 'text', align: side === 'left' ? 'right' : side === 'right' ? 'left' : 'center', baseline: 'middle', dx: side === 'left' ? -4 : side === 'right' ? 4 : 0, ...extra},
    encoding: {x, y, text: {field: 'text', type: 'nominal'}},
  });
  const layers = [
    segment('axis', 1.2, '#222'),
    segment('tick', 1, '#222'),
    segment('elbow', 1, '#555'),
    segment('clique', 4, '#222'),
    segment('cd', 1.2, '#c0392b'),
    text('rank', 'center', {fontSize: 10}),
    text('cd', 'center', {fontSize: 11, color: '#c0392b'}),
    text('variant', 'left', {fontSize: 11}),
    text('variant', 'right', {fontSize: 11}),
  ].filter((layer) => ((layer['data'] as {values: unknown[]}).values.length > 0));
  const spec = {
    ...head(title, `average rank over ${datasets} datasets (1 = best mDice); bars join variants closer than the Nemenyi CD (alpha 0.05); Friedman chi2(${friedman.df}) = ${friedman.chiSquare.toFixed(2)}, p = ${formatP(friedman.p)}`),
    config: {...CONFIG, view: {stroke: null}},
    width: 460,
    height: Math.round(40 * (layout.yMax - layout.yMin)),
    layer: layers,
  };
  // The layers are built by helpers typed loosely; test/reports/charts.test.ts compiles every spec with Vega-Lite.
  return {name: 'critical-difference', title, spec: spec as unknown as TopLevelSpec};
}

/** Rank frequencies over bootstrap resamples of the test images, one heat map per dataset (rows by mean rank). */
export function rankStabilityChart(model: ReportModel): ChartSpec | null {
  const rows = rankFrequencyRows(model.rankStability);
  if (rows.length === 0) return null;
  const title = 'Rank stability';
  const resamples = [...new Set(model.rankStability.map((s) => s.resamples))].join(' / ');
  const overall = new Map<string, number[]>();
  for (const row of rows) overall.set(row.variant, [...(overall.get(row.variant) ?? []), row.meanRank]);
  const order = [...overall].map(([variant, ranks]) => ({variant, rank: ranks.reduce((a, b) => a + b, 0) / ranks.length}))
    .sort((a, b) => a.rank - b.rank || (a.variant < b.variant ? -1 : a.variant > b.variant ? 1 : 0))
    .map((v) => v.variant);
  const x = {field: 'rank', type: 'ordinal', title: 'rank', axis: {labelAngle: 0}};
  const y = {field: 'variant', type: 'nominal', title: null, sort: order};
  const spec = {
    ...head(title, `share of ${resamples} bootstrap resamples of the test images in which each variant takes each rank (Wiesenfarth et al., Sci Rep 2021)`),
    data: {values: rows},
    facet: {column: {field: 'panel', type: 'nominal', title: null, sort: [...new Set(rows.map((r) => r.panel))]}},
    spec: {
      width: {step: 30},
      height: {step: 22},
      layer: [
        {
          mark: {type: 'rect'},
          encoding: {
            x,
            y,
            color: {field: 'share', type: 'quantitative', title: 'share', scale: {domain: [0, 1], range: ['#ffffff', '#08519c'], interpolate: 'rgb'}, legend: {format: '.0%'}},
            tooltip: [{field: 'variant'}, {field: 'rank'}, {field: 'share', format: '.1%'}],
          },
        },
        {
          transform: [{filter: 'datum.share >= 0.005'}],
          mark: {type: 'text', fontSize: 9},
          encoding: {
            x,
            y,
            text: {field: 'share', type: 'quantitative', format: '.0%'},
            color: {condition: {test: 'datum.share > 0.5', value: 'white'}, value: 'black'},
          },
        },
      ],
    },
  };
  return {name: 'rank-stability', title, spec: spec as TopLevelSpec};
}

function formatP(p: number): string {
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

/**
 * Every chart of a report that has data, in the report's order: ablation, kernel sweep, Dice vs params, Dice vs
 * GFLOPs, Dice vs latency, per-image Dice, training curves, critical-difference diagram, rank stability.
 */
export function buildCharts(model: ReportModel, options: ChartOptions = {}): ChartSpec[] {
  const intervals = options.intervals ?? {};
  return [
    ablationChart(model, intervals),
    kernelSweepChart(model, intervals),
    costChart(model, 'params'),
    costChart(model, 'gflops'),
    costChart(model, 'latencyMs'),
    imageDiceChart(model),
    trainingCurvesChart(model),
    criticalDifferenceChart(model),
    rankStabilityChart(model),
  ].filter((chart): chart is ChartSpec => chart !== null);
}

/** A chart's spec as the text of `charts/<name>.vl.json`: indented JSON in the spec's own key order, newline-ended. */
export function chartSpecJson(chart: ChartSpec): string {
  return `${JSON.stringify(chart.spec, null, 2)}\n`;
}
