// The chart specs: every one compiles with Vega-Lite without a warning, carries its data inline with a title, takes
// its intervals from TypeScript (never Vega's bootstrap), is left out when it has no data, and is deterministic.
import test from 'ava';
import {buildCharts, chartSpecJson, variantMarks, type ChartSpec} from '../../src/reports/charts.js';
import {ablationBarRows, largeKernelOf} from '../../src/reports/chart-data.js';
import type {ReportModel} from '../../src/reports/model.js';
import {compileVegaLite, renderCharts} from '../../src/reports/render-svg.js';
import {reportModelFixture} from './fixtures/report-model.js';

const ALL = ['ablation', 'kernel-sweep', 'dice-vs-params', 'dice-vs-gflops', 'dice-vs-latency', 'per-image-dice', 'training-curves', 'critical-difference', 'rank-stability'];

const names = (charts: ChartSpec[]): string[] => charts.map((c) => c.name);
const without = (model: ReportModel, edit: (m: ReportModel) => void): ReportModel => {
  edit(model);
  return model;
};

test('the fixture gives all nine charts, each a valid Vega-Lite spec with a title and inline data', (t) => {
  const charts = buildCharts(reportModelFixture());
  t.deepEqual(names(charts), ALL);
  for (const chart of charts) {
    const {warnings} = compileVegaLite(chart.spec);
    t.deepEqual(warnings, [], `${chart.name} compiles without warnings`);
    const spec = chart.spec as unknown as {title: {text: string}; $schema: string};
    t.is(spec.title.text, chart.title);
    t.regex(spec.$schema, /vega-lite\/v6\.json$/);
    const json = JSON.stringify(chart.spec);
    t.false(json.includes('"url"'), `${chart.name} loads no data`);
    t.true(json.includes('"values"'), `${chart.name} carries its data inline`);
  }
});

test('intervals come from TypeScript: the ablation spec holds the computed rows and no Vega-side CI aggregate', (t) => {
  const model = reportModelFixture();
  const ablation = buildCharts(model).find((c) => c.name === 'ablation')!;
  const json = JSON.stringify(ablation.spec);
  t.deepEqual((ablation.spec as unknown as {data: {values: unknown}}).data.values, ablationBarRows(model));
  for (const vegaStatistic of ['"ci0"', '"ci1"', '"extent":"ci"', '"stderr"', '"stdev"']) t.false(json.includes(vegaStatistic), vegaStatistic);
});

test('each chart is left out when it has no data', (t) => {
  t.deepEqual(names(buildCharts(without(reportModelFixture(), (m) => { m.ranks = null; }))), ALL.filter((n) => n !== 'critical-difference'));
  t.deepEqual(names(buildCharts(without(reportModelFixture(), (m) => { m.rankStability = []; }))), ALL.filter((n) => n !== 'rank-stability'));
  t.deepEqual(names(buildCharts(without(reportModelFixture(), (m) => { m.curves = []; }))), ALL.filter((n) => n !== 'training-curves'));
  t.deepEqual(names(buildCharts(without(reportModelFixture(), (m) => { m.perImage = []; }))), ALL.filter((n) => n !== 'per-image-dice'));
  t.deepEqual(names(buildCharts(without(reportModelFixture(), (m) => {
    for (const row of m.summary) row.params = null;
  }))), ALL.filter((n) => n !== 'dice-vs-params'));
  // No latency in the store's calibration cache: no latency chart, the other cost charts stay.
  t.deepEqual(names(buildCharts(without(reportModelFixture(), (m) => {
    for (const row of m.summary) row.latencyMs = null;
  }))), ALL.filter((n) => n !== 'dice-vs-latency'));
  t.deepEqual(names(buildCharts(without(reportModelFixture(), (m) => {
    m.runs = m.runs.filter((r) => largeKernelOf(r.variant) === null);
    m.summary = m.summary.filter((r) => largeKernelOf(r.variant) === null);
  }))), ALL.filter((n) => n !== 'kernel-sweep'));
  // Only sweep points and a baseline: no component ablation.
  t.deepEqual(names(buildCharts(without(reportModelFixture(), (m) => {
    m.runs = m.runs.filter((r) => largeKernelOf(r.variant) !== null || r.kind === 'baseline');
    m.summary = m.summary.filter((r) => largeKernelOf(r.variant) !== null || r.kind === 'baseline');
  }))).includes('ablation'), false);
  // No run done at all: nothing to draw.
  t.deepEqual(names(buildCharts(without(reportModelFixture(), (m) => {
    for (const run of m.runs) {
      run.state = 'pending';
      run.test = null;
    }
    for (const row of m.summary) row.dice = {mean: null, std: null, n: 0};
    m.perImage = [];
    m.curves = [];
    m.ranks = null;
    m.rankStability = [];
  }))), []);
});

test('the latency chart names its unit, batch and backend on the axis', (t) => {
  const chart = buildCharts(reportModelFixture()).find((c) => c.name === 'dice-vs-latency')!;
  t.is(chart.title, 'Dice vs latency');
  t.true(JSON.stringify(chart.spec).includes('"title":"inference latency, ms (batch 1, median, wasm)"'));
});

test('specs are deterministic: the same model gives the same JSON, keys in the same order', (t) => {
  t.is(JSON.stringify(buildCharts(reportModelFixture())), JSON.stringify(buildCharts(reportModelFixture())));
  const [first] = buildCharts(reportModelFixture());
  const text = chartSpecJson(first!);
  t.true(text.startsWith('{\n  "$schema": "https://vega.github.io/schema/vega-lite/v6.json",\n  "title": {'));
  t.true(text.endsWith('}\n'));
  t.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(first!.spec)));
});

test('colours follow the plan order in every variant-coloured chart', (t) => {
  const charts = buildCharts(reportModelFixture());
  const domains = charts.flatMap((chart) => {
    const json = JSON.stringify(chart.spec);
    const match = /"field":"variant","type":"nominal","title":"variant","scale":\{"domain":(\[[^\]]*\])/.exec(json);
    return match ? [match[1]] : [];
  });
  t.true(domains.length >= 4);
  t.is(new Set(domains).size, 1);
});

/** The fixture with `count` variants (copies of its summary rows and curves under new names), some of them baselines. */
function manyVariants(count: number): ReportModel {
  const model = reportModelFixture();
  const dataset = model.summary[0]!.dataset;
  const rows = model.summary.filter((s) => s.dataset === dataset);
  const names = Array.from({length: count}, (_, i) => `variant-${String(i).padStart(2, '0')}`);
  model.summary = names.map((variant, i) => {
    const row = structuredClone(rows[i % rows.length]!);
    return {...row, variant, kind: i % 7 === 3 ? 'baseline' as const : 'variant' as const,
      dice: {...row.dice, mean: 0.6 + 0.3 * ((i * 17) % count) / count}, params: 1e6 * (1 + i), gflops: 1 + i, latencyMs: 2 + i};
  });
  model.curves = names.map((variant, i) => ({...structuredClone(model.curves[0]!), variant, runId: `run-${i}`}));
  model.runs = [];
  model.perImage = [];
  model.ranks = null;
  model.rankStability = [];
  return model;
}

interface Channel {field: string; scale: {domain: string[]; range: unknown[]}}

/** variant -> JSON of its value in each given channel of a layer, from the channels' scales (one domain for all). */
function looks(encoding: Record<string, Channel>, channels: string[]): Map<string, string> {
  const domain = encoding['color']!.scale.domain;
  for (const c of channels) {
    if (JSON.stringify(encoding[c]!.scale.domain) !== JSON.stringify(domain)) throw new Error(`the ${c} channel has another variant domain than the colour`);
  }
  return new Map(domain.map((variant, i) => [variant, JSON.stringify(channels.map((c) => encoding[c]!.scale.range[i]))]));
}

test('40 variants (the paper suite): every variant has its own (colour, shape) in the scatter and (colour, dash) in the training curves, in plan order; the charts compile and render', async (t) => {
  const model = manyVariants(40);
  const charts = buildCharts(model);
  t.deepEqual(names(charts), ['dice-vs-params', 'dice-vs-gflops', 'dice-vs-latency', 'training-curves']);
  for (const chart of charts.filter((c) => c.name.startsWith('dice-vs-'))) {
    const layers = (chart.spec as unknown as {spec: {layer: Array<{encoding: Record<string, Channel>}>}}).spec.layer.filter((l) => l.encoding['shape'] !== undefined);
    t.is(layers.length, 2, 'variants filled, baselines hollow');
    for (const layer of layers) {
      const pairs = looks(layer.encoding, ['color', 'shape']);
      t.is(pairs.size, 40);
      t.is(new Set(pairs.values()).size, 40, `${chart.name}: no two variants share colour and shape`);
      t.deepEqual([...pairs.keys()], model.summary.map((s) => s.variant), 'plan order');
    }
    t.deepEqual(compileVegaLite(chart.spec).warnings, [], chart.name);
  }
  const curves = charts.find((c) => c.name === 'training-curves')!;
  const encoding = (curves.spec as unknown as {spec: {encoding: Record<string, Channel>}}).spec.encoding;
  t.is(new Set(looks(encoding, ['color', 'strokeDash']).values()).size, 40, 'no two variants share colour and dash');
  t.deepEqual(compileVegaLite(curves.spec).warnings, []);
  // The first ten keep the report's look: ten colours, circles, solid lines.
  const marks = variantMarks(model);
  t.deepEqual(marks.slice(0, 10).map((m) => [m.shape, m.dash.length]), Array.from({length: 10}, () => ['circle', 0]));
  t.is(new Set(marks.slice(0, 10).map((m) => m.color)).size, 10);
  t.is(new Set(variantMarks(manyVariants(80)).map((m) => `${m.color} ${m.shape}`)).size, 80, 'distinct up to 80 variants');
  for (const rendered of await renderCharts(charts.filter((c) => c.name === 'dice-vs-params' || c.name === 'training-curves'))) {
    t.true(rendered.svg.startsWith('<svg'), rendered.name);
    t.deepEqual(rendered.warnings, [], rendered.name);
  }
});
