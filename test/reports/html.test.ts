// index.html as text: escaping (a property over any string), deterministic bytes, one summary row per variant x
// dataset, the missing runs with their reasons, relative provenance links, nothing that loads or runs, and the
// gallery's rules. The browser test (browser.test.ts) checks the same page in Chromium.
import test from 'ava';
import fc from 'fast-check';
import {assertInertMarkup, escapeHtml, renderReportHtml, type HtmlChart} from '../../src/reports/html.js';
import {renderSvg} from '../../src/reports/render-svg.js';
import {buildCharts} from '../../src/reports/charts.js';
import {FIXTURE_DATASETS, FIXTURE_MODELS, reportModelFixture, XSS_VARIANT} from './fixtures/report-model.js';
import {fixtureGallery, renderFixtureCharts, renderFixtureHtml} from './fixtures/fixture-report.js';

const OUT = '/work/study/reports/paper';

/** Decodes the entities escapeHtml writes (and only those), as an HTML parser would. */
function decodeEscaped(html: string): string {
  const entities: Record<string, string> = {'&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#13;': '\r'};
  return html.replace(/&amp;|&lt;|&gt;|&quot;|&#39;|&#13;/g, (e) => entities[e]!);
}

test('escapeHtml: any string comes back unchanged from its escaped form, which holds no markup character', (t) => {
  fc.assert(fc.property(fc.string({unit: 'binary', maxLength: 60}), (text) => {
    const escaped = escapeHtml(text);
    return !/[<>"'\r\0]/.test(escaped)
      && (escaped.match(/&/g) ?? []).length === (escaped.match(/&(amp|lt|gt|quot|#39|#13);/g) ?? []).length
      && decodeEscaped(escaped) === text.replace(/\0/g, '\uFFFD');
  }), {numRuns: 2000});
  t.is(escapeHtml(XSS_VARIANT), '&lt;script&gt;alert(1)&lt;/script&gt;');
  t.is(escapeHtml(`a "b" & 'c'\r\n`), 'a &quot;b&quot; &amp; &#39;c&#39;&#13;\n');
});

test('the page is deterministic: rendering the same model twice gives the same bytes', async (t) => {
  const first = await renderFixtureHtml(reportModelFixture(), OUT);
  const second = await renderFixtureHtml(reportModelFixture(), OUT);
  t.is(first, second);
  t.false(/\b20\d\d-\d\d-\d\dT/.test(first), 'no timestamp');
});

test('the page shows one summary row per variant x dataset, missing runs with their reasons, and escapes every name', async (t) => {
  const html = await renderFixtureHtml(reportModelFixture(), OUT);
  const summary = /<table id="summary-table"[\s\S]*?<\/table>/.exec(html)![0];
  t.is((summary.match(/<tr class=/g) ?? []).length, FIXTURE_MODELS.length * FIXTURE_DATASETS.length);
  t.true(summary.includes('seed 2: failed: diverged at epoch 3 (loss is NaN)'));
  t.true(summary.includes('seed 2: missing: not trained yet'));
  t.true(summary.includes('n = 2 of 3'));
  // The probe appears, escaped, in the tables and charts, and never as markup.
  t.true(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  t.false(/<script/i.test(html));
  t.true(html.includes('<section id="literature"><h2>Published numbers (literature)</h2>'));
  t.true(html.indexOf('id="literature"') > html.indexOf('id="summary"'), 'literature after our results, in its own block');
  t.true(html.includes('<!-- mslk:gallery: rendered from parts.gallery -->'));
  t.regex(html, /Holm p/);
});

test('latency: a column in ms, a note saying where it was measured, and "—" with the reason where the cache has none', async (t) => {
  const model = reportModelFixture();
  const column = (html: string, variant: string, dataset: string): string => {
    const summary = /<table id="summary-table"[\s\S]*?<\/table>/.exec(html)![0];
    const row = summary.split('\n').find((r) => r.includes(`<span class="variant">${variant}</span>`) && r.includes(`<td>${dataset}</td>`))!;
    // Number cells in order: mDice, mIoU, HD95, Params, GFLOPs, Latency, Training time, Runs done.
    return [...row.matchAll(/<td class="num">(.*?)<\/td>/g)].map((m) => m[1]!)[5]!;
  };
  const html = await renderFixtureHtml(model, OUT);
  t.regex(html, /<th scope="col" class="num">GFLOPs<\/th><th scope="col" class="num">Latency \(ms\)<\/th>/);
  t.is(column(html, 'full', 'kvasir-seg'), '41.3');
  const note = /<p class="note" id="latency-note">([^\n]*?)<\/p>/.exec(html)![1]!;
  t.regex(note, /batch-1 inference .* on wasm, measured once by <code>mslk ablate<\/code>/);
  t.false(note.includes('not measured'));

  for (const row of model.summary) if (row.variant === 'w/o MIE') row.latencyMs = null;
  const without = await renderFixtureHtml(model, OUT);
  t.is(column(without, 'w/o MIE', 'busi'), '—');
  t.regex(/<p class="note" id="latency-note">([^\n]*?)<\/p>/.exec(without)![1]!, /in 3 rows: latency: not measured on wasm \(run `mslk ablate status &lt;suite&gt;` on this machine/);
});

test('nothing in the page loads or runs: every src is a data: URI, every href in-page or relative, a CSP forbids the rest', async (t) => {
  const html = await renderFixtureHtml(reportModelFixture(), OUT);
  t.true(html.includes('content="default-src \'none\'; img-src data:; style-src \'unsafe-inline\'"'));
  for (const [, value] of html.matchAll(/\ssrc="([^"]*)"/g)) t.true(value!.startsWith('data:image/png;base64,'));
  for (const [, value] of html.matchAll(/\s(?:xlink:)?href="([^"]*)"/g)) t.false(/^[a-z][\w+.-]*:/i.test(value!), value!);
  t.notThrows(() => assertInertMarkup(html.replace(/<meta[^>]*>|<style>[\s\S]*?<\/style>/g, ''), 'the page'));
});

test('provenance: run ids, backend, commit, fingerprints, and links to config.json and manifest.json relative to the page', async (t) => {
  const model = reportModelFixture();
  const html = renderReportHtml(model, {charts: [], tables: [], outDir: OUT});
  const run = model.runs.find((r) => r.dir !== '')!;
  const relative = `../../runs/${run.dir.split('/').pop()}`;
  t.true(html.includes(`<a href="${relative}/config.json">config.json</a> <a href="${relative}/manifest.json">manifest.json</a>`));
  t.true(html.includes(`<code>${run.runId}</code>`));
  t.true(html.includes('<code>wasm</code>'));
  t.true(html.includes(`<code>${FIXTURE_DATASETS[0]!.fingerprint}</code>`));
  t.true(html.includes('not prepared'), 'the unprepared run has no links');
  // A run directory with characters that mean something in a URL is percent-encoded, segment by segment.
  model.runs[0]!.dir = '/work/study/runs/a b#c?d';
  t.true(renderReportHtml(model, {charts: [], tables: [], outDir: OUT}).includes('href="../../runs/a%20b%23c%3Fd/config.json"'));
});

test('the gallery: a clearly marked section, pictures as PNG data: URIs only, rows captioned by their rule', async (t) => {
  const model = reportModelFixture();
  const gallery = await fixtureGallery();
  const html = renderReportHtml(model, {charts: [], tables: [], gallery, outDir: OUT});
  t.is((html.match(/<img src="data:image\/png;base64,/g) ?? []).length, 12);
  t.true(html.includes('kvasir-seg, <strong>worst</strong> image of full (Dice 0.3125)'));
  t.true(html.includes('cjumedian&lt;b&gt;&amp;&quot;image&quot;'));
  t.true(renderReportHtml(model, {charts: [], tables: [], outDir: OUT}).includes('No prediction gallery in this report.'));
  const remote = [{...gallery[0]!, cells: [{label: 'full', pngDataUri: 'https://example.org/x.png'}]}];
  t.throws(() => renderReportHtml(model, {charts: [], tables: [], gallery: remote, outDir: OUT}), {
    message: /^gallery row 1 \(cjumedian<b>&"image"\), picture 1 \(full\) is not a PNG data: URI; give 'data:image\/png;base64,\.\.\.'$/,
  });
});

test('assertInertMarkup refuses what could run or load, and accepts rendered charts whose text looks like markup', async (t) => {
  for (const bad of ['<script>x()</script>', '<SCRIPT/src=x>', '<img src=x onerror=alert(1)>', '<img/onerror=alert(1)>', '<a href="javascript:alert(1)">x</a>',
    '<image href="https://example.org/x.png"/>', '<foreignObject><div></div></foreignObject>', '<iframe src="data:text/html,x"></iframe>', '<img src="x.png">', '<style>@import url(x)</style>']) {
    t.throws(() => assertInertMarkup(bad, 'chart x'), {message: /^chart x contains .+; only inert, self-contained markup can go into index\.html$/}, bad);
  }
  t.notThrows(() => assertInertMarkup('<table><tr><td><a href="#x">x</a> <img src="data:image/png;base64,AAAA"></td></tr></table>', 'table'));
  // A variant whose name reads like an attribute lands, escaped, inside aria-labels: still inert.
  const model = reportModelFixture();
  for (const row of model.summary) if (row.variant === 'w/o MIE') row.variant = 'x onclick=alert(1) src=http://e';
  for (const run of model.runs) if (run.variant === 'w/o MIE') run.variant = 'x onclick=alert(1) src=http://e';
  const chart = buildCharts(model).find((c) => c.name === 'dice-vs-params')!;
  const {svg} = await renderSvg(chart.spec);
  t.true(svg.includes('x onclick=alert(1)'));
  t.notThrows(() => assertInertMarkup(svg, 'chart dice-vs-params'));
});

test('a chart that is not an SVG document, or not inert, is refused in one line naming it', async (t) => {
  const model = reportModelFixture();
  const charts: HtmlChart[] = await renderFixtureCharts(model);
  t.throws(() => renderReportHtml(model, {charts: [{name: 'ablation', title: 'x', svg: '<div>no</div>'}], tables: []}), {message: /^chart ablation is not an SVG document/});
  t.throws(() => renderReportHtml(model, {charts: [{...charts[0]!, svg: charts[0]!.svg.replace('</svg>', '<script>1</script></svg>')}], tables: []}), {message: /^chart ablation contains a <script> element/});
  t.throws(() => renderReportHtml(model, {charts: [], tables: [{name: 't', title: 't', html: '<img src=x onerror=1>'}]}), {message: /^table t contains/});
});

test('rows of extra evaluation sets go to their own table with a test-set column; the main table keeps own test splits', (t) => {
  const model = reportModelFixture();
  const extraRow = {...model.summary.find((r) => r.variant === 'full' && r.dataset === 'kvasir-seg')!, testSet: 'cvc-clinicdb'};
  model.summary.push(extraRow);
  const html = renderReportHtml(model, {charts: [], tables: [], outDir: OUT});
  const main = /<table id="summary-table"[\s\S]*?<\/table>/.exec(html)![0];
  const extra = /<table id="extra-summary-table"[\s\S]*?<\/table>/.exec(html)![0];
  t.is((main.match(/<tr class=/g) ?? []).length, FIXTURE_MODELS.length * FIXTURE_DATASETS.length);
  t.false(main.includes('Test set'));
  t.is((extra.match(/<tr class=/g) ?? []).length, 1);
  t.true(extra.includes('<th scope="col">Test set</th>') && extra.includes('<td>cvc-clinicdb</td>'));
});
