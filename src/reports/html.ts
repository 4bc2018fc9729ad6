// index.html of a report: one self-contained page that works offline and makes no request at all (inline CSS,
// inline SVG charts, images as data: URIs, no scripts; a Content-Security-Policy forbids anything else), built from
// the report model and the parts other writers rendered (chart SVGs, tables, the prediction gallery).
// Every string that comes from a config, a file name or a run is escaped by escapeHtml: a variant named
// `<script>alert(1)</script>` shows as text. The page has no timestamp: the same inputs give the same bytes.
import {relative, sep} from 'node:path';
import type {LiteratureRow, PairedComparison, ReportModel, RunRow, SeedStatistic, SummaryRow} from './model.js';
import {GALLERY_LEGEND, type GalleryRow} from './gallery-rows.js';
import {latencyAbsentReason} from './latency-note.js';
import {pValueText} from './number-format.js';
import {scopeSvgIds} from './svg-ids.js';

/** A rendered chart: its name (file stem), title and standalone SVG document (render-svg.ts). */
export interface HtmlChart {
  name: string;
  title: string;
  svg: string;
}

/** An extra table rendered by the table writers as an HTML fragment (already escaped, no scripts). */
export interface HtmlTable {
  name: string;
  title: string;
  html: string;
}

/** Everything index.html shows besides the model itself. */
export interface ReportHtmlParts {
  charts: HtmlChart[];
  tables: HtmlTable[];
  /** The prediction gallery (computed by the report writer); the section says so when absent. */
  gallery?: GalleryRow[] | undefined;
  /**
   * The directory index.html is written to: links to each run's config.json and manifest.json are relative to it.
   * Default: the current directory.
   */
  outDir?: string | undefined;
}

const ESCAPES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '\r': '&#13;'};

/**
 * Escapes text for HTML element content and quoted attribute values: & < > " ' become entities, and a carriage
 * return becomes &#13; (the HTML parser would otherwise turn it into a line feed). A NUL, which HTML cannot carry
 * (parsers drop or replace it), becomes U+FFFD. Every other character is kept, so the page shows the text as given.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => ESCAPES[c]!).replace(/\0/g, '\uFFFD');
}

const FORBIDDEN_ELEMENTS = new Set(['script', 'iframe', 'frame', 'object', 'embed', 'link', 'meta', 'base', 'foreignobject', 'style', 'form', 'audio', 'video', 'source']);
const TAG = /<([A-Za-z][\w:-]*)((?:[\s/]+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g;
const ATTRIBUTE = /([^\s=/>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?/g;

/**
 * Throws (one line) when markup could run code or load something: a script, frame, object, style or embedded
 * HTML element, an event-handler attribute (on*), a `src` that is not a data: URI, or an href that is neither an
 * in-page anchor nor a relative path. Guards the SVG and table fragments the page inlines unescaped (they come
 * from this project's writers, which escape their text); attribute values are parsed, so text such as a variant
 * named 'x onclick=y' inside an aria-label does not trip it.
 */
export function assertInertMarkup(markup: string, what: string): void {
  const refuse = (problem: string): never => {
    throw new Error(`${what} contains ${problem}; only inert, self-contained markup can go into index.html`);
  };
  // Text in these fragments has its '<' escaped, so any '<' followed by an element name is markup, however malformed.
  for (const opening of markup.matchAll(/<\/?\s*([A-Za-z][\w:-]*)/g)) {
    if (FORBIDDEN_ELEMENTS.has(opening[1]!.toLowerCase())) refuse(`a <${opening[1]!.toLowerCase()}> element`);
  }
  for (const tag of markup.matchAll(TAG)) {
    for (const attribute of (tag[2] ?? '').matchAll(ATTRIBUTE)) {
      const name = attribute[1]!.toLowerCase();
      const value = (attribute[2] ?? '').replace(/^["']|["']$/g, '').trim();
      if (name.startsWith('on')) refuse(`an event-handler attribute (${name})`);
      if (name === 'src' && !value.startsWith('data:')) refuse('a src that is not a data: URI');
      if ((name === 'href' || name === 'xlink:href') && /^[a-z][\w+.-]*:/i.test(value) && !value.startsWith('data:')) refuse(`a link to ${value.split(':')[0]}: URLs`);
    }
  }
}

function formatNumber(value: number | null, digits: number): string {
  return value === null || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

function formatSigned(value: number, digits: number): string {
  const text = Math.abs(value).toFixed(digits);
  return Number(text) === 0 ? text : `${value > 0 ? '+' : '−'}${text}`;
}

function formatP(p: number): string {
  return escapeHtml(pValueText(p));
}

/** Parameters as a readable count: 2.31 M, 812 k. */
function formatParams(params: number | null): string {
  if (params === null) return '—';
  if (params >= 1e6) return `${(params / 1e6).toFixed(2)} M`;
  if (params >= 1e3) return `${(params / 1e3).toFixed(1)} k`;
  return String(params);
}

function formatSeconds(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 120) return `${seconds.toFixed(0)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(2)} h`;
}

/**
 * mean ± std (n), the n saying "of <seeds planned>" when seeds are missing; n is left out when it equals `shownN` (the
 * mDice column's n, already on the row), to keep the table narrow.
 */
function formatSeedStatistic(stat: SeedStatistic, seeds: number, digits: number, shownN?: number): string {
  const n = stat.n < seeds ? `n = ${stat.n} of ${seeds}` : `n = ${stat.n}`;
  if (stat.mean === null) return `— <span class="n">(${n})</span>`;
  const std = stat.std === null ? '' : ` ± ${stat.std.toFixed(digits)}`;
  return stat.n === shownN ? `${stat.mean.toFixed(digits)}${std}` : `${stat.mean.toFixed(digits)}${std} <span class="n">(${n})</span>`;
}

/** The summary table; `withTestSet` adds the test-set column (for the extra evaluation sets). */
function summaryTable(model: ReportModel, rows: readonly SummaryRow[], id: string, withTestSet: boolean): string {
  const best = new Map<string, number>();
  for (const row of rows) {
    const key = `${row.dataset}\u0000${row.testSet}`;
    if (row.dice.mean !== null) best.set(key, Math.max(best.get(key) ?? -Infinity, row.dice.mean));
  }
  const body = rows.map((row) => {
    const isBest = row.dice.mean !== null && row.dice.mean === best.get(`${row.dataset}\u0000${row.testSet}`);
    const classes = [row.kind, row.done < row.planned ? 'incomplete' : '', row.variant === model.reference ? 'reference' : ''].filter(Boolean).join(' ');
    const dice = formatSeedStatistic(row.dice, row.seeds, 4);
    const missing = row.missing.length === 0 ? '' : `<ul class="missing">${row.missing.map((m) => `<li>${escapeHtml(m)}</li>`).join('')}</ul>`;
    return `<tr class="${classes}"><th scope="row"><span class="variant">${escapeHtml(row.variant)}</span>${row.kind === 'baseline' ? ' <span class="tag">baseline</span>' : ''}${row.variant === model.reference ? ' <span class="tag">reference</span>' : ''}</th>`
      + `<td>${escapeHtml(row.dataset)}</td>${withTestSet ? `<td>${escapeHtml(row.testSet)}</td>` : ''}`
      + `<td class="num">${isBest ? `<strong>${dice}</strong>` : dice}</td>`
      + `<td class="num">${formatSeedStatistic(row.iou, row.seeds, 4, row.dice.n)}</td>`
      + `<td class="num">${formatSeedStatistic(row.hd95, row.seeds, 2, row.dice.n)}</td>`
      + `<td class="num">${formatParams(row.params)}</td>`
      + `<td class="num">${formatNumber(row.gflops, 2)}</td>`
      + `<td class="num">${formatNumber(row.latencyMs, 1)}</td>`
      + `<td class="num">${formatSeconds(row.trainingSeconds)}</td>`
      + `<td class="num">${row.done}/${row.planned}</td>`
      + `<td class="wrap">${missing}</td></tr>`;
  });
  return `<table id="${id}" class="results"><thead><tr><th scope="col">Variant</th><th scope="col">Dataset</th>${withTestSet ? '<th scope="col">Test set</th>' : ''}`
    + '<th scope="col" class="num">mDice</th><th scope="col" class="num">mIoU</th><th scope="col" class="num">HD95 (px)</th><th scope="col" class="num">Params</th>'
    + '<th scope="col" class="num">GFLOPs</th><th scope="col" class="num">Latency (ms)</th><th scope="col" class="num">Training time</th><th scope="col" class="num">Runs done</th><th scope="col">Missing runs</th></tr></thead>'
    + `<tbody>\n${body.join('\n')}\n</tbody></table>`;
}

/**
 * What the latency column is and where it comes from, and, when rows show none, why (the report reads latencies
 * from the store's calibration cache and never times anything itself).
 */
function latencyNote(model: ReportModel, rows: readonly SummaryRow[]): string {
  const backend = model.latencyBackend ?? null;
  const what = 'Latency: median ms of one batch-1 inference of the inference (fused) model at the run\'s size'
    + (backend === null ? '' : ` on ${escapeHtml(backend)}`)
    + ', measured once by <code>mslk ablate</code> (or <code>mslk ablate status</code>) on the machine that ran it on the store'
    + ' (the store\'s <code>.calibration.json</code>), not by this report.';
  const absent = rows.filter((r) => r.latencyMs === null).length;
  const why = absent === 0 ? '' : ` — in ${absent} row${absent === 1 ? '' : 's'}: ${escapeHtml(latencyAbsentReason(model))}.`;
  return `<p class="note" id="latency-note">${what}${why}</p>`;
}

function comparisonsTable(comparisons: readonly PairedComparison[]): string {
  const body = comparisons.map((c) => {
    const interval = `${formatSigned(c.meanDifference, 4)} <span class="ci">[${formatSigned(c.ci[0], 4)}, ${formatSigned(c.ci[1], 4)}]</span>`;
    return `<tr class="${c.significant ? 'significant' : ''}"><td>${escapeHtml(c.against)}</td><td>${escapeHtml(c.dataset)}</td>`
      + `<td>${escapeHtml(c.testSet)}</td><th scope="row">${escapeHtml(c.variant)}</th><td class="num">${c.images}</td>`
      + `<td class="num">${interval}</td><td class="num">${formatP(c.p)} <span class="n">(${c.pMethod})</span></td>`
      + `<td class="num">${formatP(c.pHolm)}</td><td>${c.significant ? '<strong>yes</strong>' : 'no'}</td></tr>`;
  });
  return '<table id="comparisons-table" class="results"><thead><tr><th scope="col">Against</th><th scope="col">Dataset</th>'
    + '<th scope="col">Test set</th><th scope="col">Variant</th><th scope="col" class="num">Images</th>'
    + '<th scope="col" class="num">Δ mDice [95% CI]</th><th scope="col" class="num">Wilcoxon p</th><th scope="col" class="num">Holm p</th><th scope="col">Significant</th></tr></thead>'
    + `<tbody>\n${body.join('\n')}\n</tbody></table>`;
}

function literatureTable(rows: readonly LiteratureRow[]): string {
  const body = rows.map((r) => `<tr><th scope="row">${escapeHtml(r.model)}</th><td>${escapeHtml(r.dataset)}</td>`
    + `<td class="num">${formatNumber(r.dice, 4)}</td><td class="num">${formatNumber(r.iou, 4)}</td>`
    + `<td class="wrap">${escapeHtml(r.citation)}</td><td class="wrap">${escapeHtml(r.protocol)}</td></tr>`);
  return '<table id="literature-table" class="results"><thead><tr><th scope="col">Model</th><th scope="col">Dataset</th>'
    + '<th scope="col" class="num">Dice</th><th scope="col" class="num">IoU</th><th scope="col">Source</th><th scope="col">Protocol</th></tr></thead>'
    + `<tbody>\n${body.join('\n')}\n</tbody></table>`;
}

/** A relative URL from the report directory to a file of a run directory, each path segment percent-encoded. */
function runFileHref(outDir: string, runDir: string, file: string): string {
  const path = relative(outDir, runDir).split(sep).filter((s) => s.length > 0).map(encodeURIComponent);
  return [...path, file].join('/');
}

function distinct(values: ReadonlyArray<string | null>): string[] {
  return [...new Set(values.filter((v): v is string => v !== null))];
}

/** A fingerprint cut to 16 characters for the runs table (the whole one in its tooltip and in the list above it). */
function fingerprintCell(fingerprint: string | null): string {
  if (fingerprint === null) return '—';
  const short = fingerprint.length > 16 ? `${fingerprint.slice(0, 16)}…` : fingerprint;
  return `<code title="${escapeHtml(fingerprint)}">${escapeHtml(short)}</code>`;
}

function provenanceSection(model: ReportModel, outDir: string): string {
  const backends = distinct(model.runs.map((r) => r.backend));
  const commits = distinct(model.runs.map((r) => r.commit));
  const datasets = distinct(model.runs.map((r) => r.dataset));
  const fingerprints = datasets.map((dataset) => {
    const prints = distinct(model.runs.filter((r) => r.dataset === dataset).map((r) => r.datasetFingerprint));
    const warning = prints.length > 1 ? ' <strong class="warn">(runs used different data)</strong>' : '';
    return `<li>${escapeHtml(dataset)}: ${prints.length === 0 ? 'unknown' : prints.map((p) => `<code>${escapeHtml(p)}</code>`).join(', ')}${warning}</li>`;
  });
  const list = (values: string[]): string => (values.length === 0 ? 'unknown' : values.map((v) => `<code>${escapeHtml(v)}</code>`).join(', '));
  const rows = model.runs.map((run: RunRow) => {
    const links = run.dir === ''
      ? '<span class="n">not prepared</span>'
      : ['config.json', 'manifest.json'].map((f) => `<a href="${escapeHtml(runFileHref(outDir, run.dir, f))}">${f}</a>`).join(' ');
    const state = run.reason === null ? escapeHtml(run.state) : `${escapeHtml(run.state)}: ${escapeHtml(run.reason)}`;
    return `<tr class="state-${escapeHtml(run.state)}"><td><code>${escapeHtml(run.runId)}</code></td><td>${escapeHtml(run.variant)}</td>`
      + `<td>${escapeHtml(run.dataset)}</td><td class="num">${run.fold === null ? '—' : run.fold}</td><td class="num">${run.seed}</td>`
      + `<td class="wrap">${state}</td><td>${escapeHtml(run.backend ?? '—')}</td><td><code>${escapeHtml((run.commit ?? '—').slice(0, 12))}</code></td>`
      + `<td>${fingerprintCell(run.datasetFingerprint)}</td><td>${links}</td></tr>`;
  });
  return '<section id="provenance"><h2>Provenance</h2>'
    + `<ul><li>Backends: ${list(backends)}</li><li>Commits: ${list(commits)}</li><li>Dataset fingerprints:<ul>${fingerprints.join('')}</ul></li></ul>`
    + '<div class="table-wrap"><table id="runs-table" class="results compact"><thead><tr><th scope="col">Run id</th><th scope="col">Variant</th>'
    + '<th scope="col">Dataset</th><th scope="col" class="num">Fold</th><th scope="col" class="num">Seed</th><th scope="col">State</th>'
    + '<th scope="col">Backend</th><th scope="col">Commit</th><th scope="col">Dataset fingerprint</th><th scope="col">Files</th></tr></thead>'
    + `<tbody>\n${rows.join('\n')}\n</tbody></table></div></section>`;
}

const PNG_DATA_URI = /^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/;

function gallerySection(model: ReportModel, gallery: readonly GalleryRow[] | undefined): string {
  // The prediction gallery goes here: rows computed by the report writer (parts.gallery), pictures inline.
  const head = '<section id="gallery"><h2>Prediction gallery</h2>\n<!-- mslk:gallery: rendered from parts.gallery -->\n';
  if (gallery === undefined || gallery.length === 0) {
    return `${head}<p class="note">No prediction gallery in this report.</p></section>`;
  }
  const reference = model.reference === null ? 'the reference' : escapeHtml(model.reference);
  const rows = gallery.map((row, r) => {
    const cells = row.cells.map((cell, c) => {
      if (!PNG_DATA_URI.test(cell.pngDataUri)) {
        throw new Error(`gallery row ${r + 1} (${row.image}), picture ${c + 1} (${cell.label}) is not a PNG data: URI; give 'data:image/png;base64,...'`);
      }
      return `<figure class="cell"><img src="${cell.pngDataUri}" alt="${escapeHtml(`${cell.label}: ${row.image}`)}"><figcaption>${escapeHtml(cell.label)}</figcaption></figure>`;
    });
    return `<div class="gallery-row"><p class="gallery-caption">${escapeHtml(row.dataset)}, <strong>${escapeHtml(row.rule)}</strong> image of ${reference} (Dice ${row.referenceDice.toFixed(4)}): <code>${escapeHtml(row.image)}</code></p><div class="cells">${cells.join('')}</div></div>`;
  });
  return `${head}<p class="note">${escapeHtml(GALLERY_LEGEND)}</p>\n${rows.join('\n')}</section>`;
}

/** A chart name as an id fragment (`[a-z0-9-]`). */
function idFragment(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
}

function chartsSection(charts: readonly HtmlChart[]): string {
  if (charts.length === 0) return '<section id="charts"><h2>Charts</h2><p class="note">No chart has data.</p></section>';
  const figures = charts.map((chart, i) => {
    const svg = chart.svg.replace(/^<\?xml[^>]*>\s*/, '').trim();
    if (!svg.startsWith('<svg')) throw new Error(`chart ${chart.name} is not an SVG document; render it with renderSvg`);
    assertInertMarkup(svg, `chart ${chart.name}`);
    return `<figure class="chart" id="chart-${idFragment(chart.name)}"><figcaption>${escapeHtml(chart.title)}</figcaption>\n${scopeSvgIds(svg, `c${i}`)}\n</figure>`;
  });
  return `<section id="charts"><h2>Charts</h2>\n${figures.join('\n')}\n</section>`;
}

function tablesSection(tables: readonly HtmlTable[]): string {
  if (tables.length === 0) return '';
  const parts = tables.map((table) => {
    assertInertMarkup(table.html, `table ${table.name}`);
    return `<div class="table-part" id="table-${idFragment(table.name)}"><h3>${escapeHtml(table.title)}</h3>\n${table.html}\n</div>`;
  });
  return `<section id="tables"><h2>Tables</h2>\n${parts.join('\n')}\n</section>`;
}

function headline(model: ReportModel): string {
  const count = (state: RunRow['state']): number => model.runs.filter((r) => r.state === state).length;
  const states = (['done', 'failed', 'partial', 'running', 'pending', 'missing'] as const)
    .map((s) => [s, count(s)] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  const datasets = distinct(model.summary.map((s) => s.dataset));
  const facts = [
    `${model.runs.length} runs: ${states.join(', ') || 'none'}`,
    `datasets: ${datasets.map(escapeHtml).join(', ') || 'none'}`,
    model.reference === null ? null : `reference: <strong>${escapeHtml(model.reference)}</strong>`,
    model.unetBaseline === null ? null : `U-Net baseline: <strong>${escapeHtml(model.unetBaseline)}</strong>`,
    model.protocol ? `protocol: ${escapeHtml(model.protocol)}` : null,
  ].filter((f): f is string => f !== null);
  return `<p class="facts">${facts.join(' · ')}</p>`;
}

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d1d1f; margin: 0; background: #fff; }
main { max-width: 1280px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 18px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #ddd; }
h3 { font-size: 15px; margin: 20px 0 8px; }
nav { margin: 10px 0 0; font-size: 13px; }
nav a { margin-right: 14px; }
a { color: #2a5db0; }
code { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; }
.facts, .note { color: #444; margin: 4px 0 8px; overflow-wrap: anywhere; }
#provenance li { overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; }
table.results { border-collapse: collapse; font-size: 13px; margin: 6px 0 12px; }
table.results th, table.results td { padding: 4px 10px; border-bottom: 1px solid #e4e4e4; text-align: left; vertical-align: top; }
table.results thead th { border-bottom: 2px solid #999; font-weight: 600; white-space: nowrap; }
table.results tbody th { font-weight: 500; overflow-wrap: break-word; max-width: 280px; }
table.results td { white-space: nowrap; }
table.results td.wrap { white-space: normal; min-width: 12em; }
table.results thead th.num { text-align: right; }
table.results tbody tr:nth-child(even) { background: #f7f8fa; }
table.results td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.compact { font-size: 12px; }
tr.incomplete td, tr.incomplete th { background: #fff6e5; }
tr.significant td, tr.significant th { background: #eaf6ec; }
.n, .ci { color: #666; }
.tag { font-size: 11px; color: #555; border: 1px solid #bbb; border-radius: 3px; padding: 0 4px; margin-left: 4px; white-space: nowrap; }
ul.missing { margin: 0; padding-left: 16px; color: #8a4b00; }
.warn { color: #b00020; }
figure.chart { margin: 18px 0 28px; overflow-x: auto; }
/* The chart's SVG carries its own title; the caption stays for screen readers and the outline. */
figure.chart > figcaption { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
figure.chart { position: relative; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
#literature { background: #f6f4ee; border: 1px solid #e0dccd; border-radius: 6px; padding: 2px 18px 12px; margin-top: 36px; }
#literature h2 { border-bottom-color: #e0dccd; }
.gallery-row { margin: 12px 0 20px; }
.gallery-row .cells { display: flex; flex-wrap: wrap; gap: 10px; }
.gallery-row figure { margin: 0; text-align: center; font-size: 12px; }
.gallery-row img { width: 180px; height: auto; image-rendering: pixelated; border: 1px solid #ccc; display: block; }
footer { margin-top: 40px; color: #777; font-size: 12px; }
@media print { main { max-width: none; } figure.chart { break-inside: avoid; } }
`;

/**
 * The report's index.html: a headline, the summary table (one row per variant x dataset on the datasets' own test
 * splits, mean ± sample std over seeds with n, missing runs with their reasons; extra evaluation sets in a second
 * table), the paired comparisons (mean difference with its 95% CI, Wilcoxon p, Holm p, significance), the extra
 * tables, every chart, the prediction gallery, the literature block (labelled, apart from our results) and the
 * provenance of every run, with relative links to its config.json and manifest.json.
 * Deterministic: the same inputs give the same bytes. Throws (one line) when a chart or table fragment is not inert
 * markup or a gallery picture is not a PNG data: URI.
 */
export function renderReportHtml(model: ReportModel, parts: ReportHtmlParts): string {
  const outDir = parts.outDir ?? process.cwd();
  const own = model.summary.filter((s) => s.testSet === 'test');
  const extra = model.summary.filter((s) => s.testSet !== 'test');
  const sections: string[] = [];
  sections.push('<section id="summary"><h2>Results</h2>'
    + '<p class="note">Test split of each dataset; mDice and mIoU are per-image means, shown as mean ± sample std over seeds (n runs). '
    + 'Best mDice per dataset in bold; rows with missing runs are shaded and say why.</p>'
    + latencyNote(model, own)
    + `<div class="table-wrap">${summaryTable(model, own, 'summary-table', false)}</div>`
    + (extra.length === 0 ? '' : `<h3>Extra evaluation sets</h3><div class="table-wrap">${summaryTable(model, extra, 'extra-summary-table', true)}</div>`)
    + '</section>');
  if (model.comparisons.length > 0) {
    sections.push('<section id="comparisons"><h2>Paired comparisons</h2>'
      + '<p class="note">Per test image (scores averaged over seeds first): mean difference in Dice (variant − against) with a seeded paired '
      + 'bootstrap 95% CI, two-sided Wilcoxon signed-rank p, and Holm-adjusted p over each comparison family (every comparison in this report against the same model); significant when Holm p &lt; 0.05 (shaded).</p>'
      + `<div class="table-wrap">${comparisonsTable(model.comparisons)}</div></section>`);
  }
  const tables = tablesSection(parts.tables);
  if (tables !== '') sections.push(tables);
  sections.push(chartsSection(parts.charts));
  sections.push(gallerySection(model, parts.gallery));
  if (model.literature.length > 0) {
    sections.push('<section id="literature"><h2>Published numbers (literature)</h2>'
      + '<p class="note">Reported by their authors under their own protocols: not runs of this study, and not part of any statistic above.</p>'
      + `<div class="table-wrap">${literatureTable(model.literature)}</div></section>`);
  }
  sections.push(provenanceSection(model, outDir));
  const nav = [['summary', 'Results'], ['comparisons', 'Comparisons'], ['tables', 'Tables'], ['charts', 'Charts'], ['gallery', 'Gallery'], ['literature', 'Literature'], ['provenance', 'Provenance']]
    .filter(([id]) => sections.some((s) => s.startsWith(`<section id="${id}"`)))
    .map(([id, label]) => `<a href="#${id}">${label}</a>`).join('');
  return '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    + '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; style-src \'unsafe-inline\'">\n'
    + '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    + `<title>${escapeHtml(model.title)} · mslk report</title>\n<style>${STYLE}</style>\n</head>\n<body>\n<main>\n`
    + `<header><h1>${escapeHtml(model.title)}</h1>${headline(model)}<nav>${nav}</nav></header>\n`
    + `${sections.join('\n')}\n`
    + '<footer>Written by mslk report from the run directories listed under Provenance.</footer>\n</main>\n</body>\n</html>\n';
}
