// SVG rendering in Node: deterministic bytes (Vega's id counters reset), no network, escaped text.
import test from 'ava';
import type {TopLevelSpec} from 'vega-lite';
import {buildCharts} from '../../src/reports/charts.js';
import {renderCharts, renderSvg} from '../../src/reports/render-svg.js';
import {reportModelFixture, XSS_VARIANT} from './fixtures/report-model.js';

/** A bar chart whose bars are clipped: Vega gives it a clip path with a numbered id. */
const clipped = {
  data: {values: [{a: 'x', b: 3}, {a: 'y', b: 9}]},
  mark: {type: 'bar', clip: true},
  encoding: {x: {field: 'a', type: 'nominal'}, y: {field: 'b', type: 'quantitative', scale: {domain: [0, 5]}}},
} as TopLevelSpec;

test('rendering is deterministic: the same spec gives the same bytes, also after other charts', async (t) => {
  const charts = buildCharts(reportModelFixture());
  const first = new Map<string, string>();
  for (const chart of charts) first.set(chart.name, (await renderSvg(chart.spec)).svg);
  // Again in reverse order: Vega's process-wide clip and gradient counters must not leak between renders.
  for (const chart of [...charts].reverse()) t.is((await renderSvg(chart.spec)).svg, first.get(chart.name)!, chart.name);
  t.is((await renderSvg(clipped)).svg, (await renderSvg(clipped)).svg);
  t.regex((await renderSvg(clipped)).svg, /clip-path="url\(#clip1\)"/);
});

test('every fixture chart renders without warnings to a standalone SVG with marks, text escaped, nothing external', async (t) => {
  for (const chart of buildCharts(reportModelFixture())) {
    const {svg, warnings} = await renderSvg(chart.spec);
    t.deepEqual(warnings, [], chart.name);
    t.true(svg.startsWith('<svg'), chart.name);
    t.regex(svg, /class="mark-(rect|symbol|line|rule|text|group)/, `${chart.name} has marks`);
    t.false(svg.includes('<script'), `${chart.name}: no raw <script`);
    t.false(/<image\b/.test(svg), `${chart.name}: no image element`);
    // The only URLs are the SVG and XLink namespace names, which are not fetched.
    t.deepEqual([...new Set(svg.match(/https?:\/\/[^"\s]+/g) ?? [])].sort(), ['http://www.w3.org/1999/xlink', 'http://www.w3.org/2000/svg'], chart.name);
    if (chart.name !== 'kernel-sweep' && chart.name !== 'critical-difference') t.true(svg.includes('&lt;script&gt;alert(1)'), `${chart.name} shows ${XSS_VARIANT} as text`);
  }
});

test('a spec that asks to load data is refused in one line; an invalid spec too', async (t) => {
  const remote = {data: {url: 'https://example.org/data.json'}, mark: 'point', encoding: {x: {field: 'a', type: 'quantitative'}}} as TopLevelSpec;
  await t.throwsAsync(renderSvg(remote), {message: /^chart specs must carry their data inline \(data\.values\); refusing to load "https:\/\/example\.org\/data\.json"$/});
  await t.throwsAsync(renderSvg({data: {values: []}, mark: 'nonsense'} as unknown as TopLevelSpec), {message: /^invalid Vega-Lite chart spec: [^\n]+$/});
});

test('renderCharts keeps each chart\'s name, title and spec, in order, with the same SVG as renderSvg', async (t) => {
  const charts = buildCharts(reportModelFixture()).slice(0, 3);
  const rendered = await renderCharts(charts);
  t.deepEqual(rendered.map((c) => c.name), charts.map((c) => c.name));
  t.is(rendered[1]!.spec, charts[1]!.spec);
  t.is(rendered[2]!.svg, (await renderSvg(charts[2]!.spec)).svg);
  t.deepEqual(rendered.map((c) => c.warnings), [[], [], []]);
});
