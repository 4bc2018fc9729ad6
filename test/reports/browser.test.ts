// The report page in a real browser: Debian's Chromium, driven by playwright-core, opens index.html from disk with
// every network request routed and aborted, and the page must show everything without asking for anything.
// The screenshot lands in test-artifacts/report.png (gitignored) for a person to look at.
// Without /usr/bin/chromium the test skips with a message, except in CI (CI=true), where it fails: .ci/run installs
// the Debian package.
import fc from 'fast-check';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {escapeHtml} from '../../src/reports/html.js';
import {estimateTextWidth} from '../../src/reports/text-width.js';
import {ARTIFACTS, browserTest, withBrowser} from '../helpers/browser.js';
import {FIXTURE_DATASETS, FIXTURE_MODELS, reportModelFixture, XSS_VARIANT} from './fixtures/report-model.js';
import {renderFixtureHtml} from './fixtures/fixture-report.js';

browserTest('index.html renders offline in Chromium: charts with marks, one row per variant x dataset, the XSS probes as text', async (t) => {
  t.timeout(180_000);
  const model = reportModelFixture();
  // Two more probes, in the literature block: an event handler and a script that would set window.__xss.
  model.literature.push({model: '<img src=x onerror="window.__xss=1">', dataset: 'kvasir-seg', dice: 0.5, iou: null,
    citation: '"><script>window.__xss=2</script>', protocol: "' onmouseover='window.__xss=3"});
  const outDir = join(ARTIFACTS, 'report');
  await mkdir(outDir, {recursive: true});
  const file = join(outDir, 'index.html');
  await writeFile(file, await renderFixtureHtml(model, outDir));
  const pageUrl = pathToFileURL(file).href;

  await withBrowser(pageUrl, async (context, log) => {
    const page = await context.newPage();
    await page.goto(pageUrl, {waitUntil: 'load'});
    const seen = await page.evaluate(() => {
      const charts = Array.from(document.querySelectorAll('figure.chart')).map((figure) => {
        const svg = figure.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return {
          id: figure.id,
          hasSvg: svg !== null,
          marks: svg ? svg.querySelectorAll('g.role-mark path, g.role-mark line, g.role-mark rect, g.role-mark text').length : 0,
          width: box?.width ?? 0,
          height: box?.height ?? 0,
        };
      });
      const rows = Array.from(document.querySelectorAll('#summary-table tbody tr')).map((tr) => ({
        variant: tr.querySelector('th .variant')?.textContent ?? '',
        dataset: tr.querySelector('td')?.textContent ?? '',
      }));
      return {
        charts,
        rows,
        scripts: document.querySelectorAll('script').length,
        images: Array.from(document.images).map((img) => ({complete: img.complete, width: img.naturalWidth})),
        xss: (window as unknown as {__xss?: unknown}).__xss ?? null,
        bodyText: document.body.innerText,
      };
    });
    await mkdir(ARTIFACTS, {recursive: true});
    await page.screenshot({path: join(ARTIFACTS, 'report.png'), fullPage: true});
    t.log(`screenshot: ${join(ARTIFACTS, 'report.png')}`);

    t.deepEqual(log.consoleErrors, [], 'no console error');
    t.deepEqual(log.pageErrors, [], 'no page error');
    t.deepEqual(log.requests, [], 'no request left the page');
    t.is(log.aborted, 0, 'no request had to be aborted');
    t.deepEqual(log.dialogs, [], 'no script ran (alert)');
    t.is(seen.xss, null, 'no script ran (window.__xss)');
    t.is(seen.scripts, 0, 'no <script> element in the page');

    t.deepEqual(seen.charts.map((c) => c.id), ['ablation', 'kernel-sweep', 'dice-vs-params', 'dice-vs-gflops', 'dice-vs-latency', 'per-image-dice',
      'training-curves', 'critical-difference', 'rank-stability'].map((name) => `chart-${name}`));
    for (const chart of seen.charts) {
      t.true(chart.hasSvg, `${chart.id} holds an <svg>`);
      t.true(chart.marks >= 5, `${chart.id} has marks (${chart.marks})`);
      t.true(chart.width > 100 && chart.height > 50, `${chart.id} is drawn at a visible size (${chart.width}x${chart.height})`);
    }

    const expected = FIXTURE_DATASETS.flatMap((d) => FIXTURE_MODELS.map((m) => `${m.name} @ ${d.name}`)).sort();
    t.deepEqual(seen.rows.map((r) => `${r.variant} @ ${r.dataset}`).sort(), expected, 'one row per variant x dataset');
    t.true(seen.rows.some((r) => r.variant === XSS_VARIANT), 'the XSS variant is shown as its own text');
    t.true(seen.bodyText.includes('<img src=x onerror="window.__xss=1">'), 'the literature probe is shown as text');
    t.true(seen.bodyText.includes('failed: diverged at epoch 3'), 'the failed run is shown with its reason');
    t.is(seen.images.length, 12, 'the gallery shows 3 rows of 4 pictures');
    t.true(seen.images.every((image) => image.complete && image.width === 48), 'every gallery picture decoded from its data: URI');
  });
});

browserTest('escapeHtml: any string survives as text and as an attribute value, through a real HTML parser', async (t) => {
  t.timeout(120_000);
  // Any Unicode text (all planes, controls included); a NUL cannot be carried by HTML and is shown as U+FFFD.
  const samples = fc.sample(fc.string({unit: 'binary', maxLength: 40}), {numRuns: 400, seed: 12});
  samples.push(XSS_VARIANT, '\r\n\r', '&amp;', '&#x80;', ']]>', '<!--', '</p>', '"\'`', '\0');
  const body = samples.map((s, i) => `<p id="s${i}" title="${escapeHtml(s)}">${escapeHtml(s)}</p>`).join('\n');
  const dir = await mkdtemp(join(tmpdir(), 'mslk-escape-'));
  try {
    const file = join(dir, 'escape.html');
    await writeFile(file, `<!doctype html>\n<html><head><meta charset="utf-8"><title>escape</title></head><body>\n${body}\n</body></html>\n`);
    const pageUrl = pathToFileURL(file).href;
    await withBrowser(pageUrl, async (context, log) => {
      const page = await context.newPage();
      await page.goto(pageUrl, {waitUntil: 'load'});
      const read = await page.evaluate((n) => Array.from({length: n}, (_, i) => {
        const p = document.getElementById(`s${i}`);
        return {text: p?.textContent ?? null, title: p?.getAttribute('title') ?? null};
      }), samples.length);
      const expected = samples.map((s) => s.replace(/\0/g, '\uFFFD'));
      t.deepEqual(read.map((r) => r.text), expected, 'element text');
      t.deepEqual(read.map((r) => r.title), expected, 'attribute value');
      t.deepEqual(log.dialogs, []);
    });
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
});

// Chromium draws 'sans-serif' as Arial (Liberation Sans here), about 15% narrower than the DejaVu Sans table: the
// estimate may be generous (labels never overflow), but not by more than 30% (charts keep no wide blank margins).
browserTest('chart text widths (text-width.ts) are close to, and not below, what Chromium measures in its sans-serif font', async (t) => {
  t.timeout(120_000);
  const samples = ['full', 'w/o MIE', 'ld.largeKernel=31', XSS_VARIANT, 'test mDice (mean over seeds)', 'GFLOPs per image (2 FLOPs per multiply-add)',
    'Critical-difference diagram', 'kvasir-seg', '0.8300', 'U-Net (6.00)', 'benign (17)', 'Wiesenfarth et al., Sci Rep 2021'];
  const dir = await mkdtemp(join(tmpdir(), 'mslk-text-width-'));
  try {
    const file = join(dir, 'blank.html');
    await writeFile(file, '<!doctype html><html><head><meta charset="utf-8"><title>w</title></head><body></body></html>\n');
    const pageUrl = pathToFileURL(file).href;
    await withBrowser(pageUrl, async (context) => {
      const page = await context.newPage();
      await page.goto(pageUrl, {waitUntil: 'load'});
      const measured = await page.evaluate((texts) => {
        const context2d = document.createElement('canvas').getContext('2d')!;
        return texts.flatMap((text) => ['11px sans-serif', 'bold 13px sans-serif'].map((font) => {
          context2d.font = font;
          return context2d.measureText(text).width;
        }));
      }, samples);
      samples.forEach((text, i) => {
        for (const [k, size, bold] of [[0, 11, false], [1, 13, true]] as const) {
          const actual = measured[2 * i + k]!;
          const estimate = estimateTextWidth(text, size, bold);
          t.true(estimate >= actual * 0.97 && estimate <= actual * 1.3, `${JSON.stringify(text)} at ${size}px${bold ? ' bold' : ''}: estimate ${estimate.toFixed(1)}, Chromium ${actual.toFixed(1)}`);
        }
      });
    });
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
});
