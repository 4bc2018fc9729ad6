// `mslk quickstart` end to end, as a newcomer runs it: the shipped quickstart suite trained from nothing (2 jobs),
// every model to a plateau of validation Dice (issue 24: the first table compares trained models), its results table
// under the protocol line, and its report, opened in Chromium (no request, no console error, every chart drawn, one
// summary row per model, the protocol in the header, the gallery decoded); then a second call trains nothing.
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import type {SuiteManifest} from '../../src/ablations/plan.js';
import {RunDir} from '../../src/runs/run-dir.js';
import {ARTIFACTS, browserTest, withBrowser} from '../helpers/browser.js';
import {runMslk} from '../helpers/cli.js';

const MODELS = ['full', 'w/o MIE', 'w/o MIDM', 'w/o LD', 'U-Net'];
/** How close to its best validation Dice each run's last two epochs must be: the run has reached a plateau. */
const PLATEAU = 0.02;
const PROTOCOL = 'protocol: 64 px, 10 epochs, batch 8, adam lr 0.004, cosine after 1 warm-up epoch, bce-dice loss, last checkpoint';

browserTest('quickstart trains the suite, prints its table, writes its report (which Chromium shows offline); a second call trains nothing', async (t) => {
  t.timeout(900_000);
  const dir = await mkdtemp(join(tmpdir(), 'mslk-quickstart-'));
  t.teardown(() => rm(dir, {recursive: true, force: true}));
  const out = join(dir, 'report');
  const args = ['quickstart', '--jobs', '2', '--store', join(dir, 'runs'), '--out', out, '--backend', 'wasm'];
  const env = {MSLK_DATA_ROOT: join(dir, 'data')};
  const first = await runMslk(args, env);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stderr, /suite quickstart: 10 trained, 0 already done, 0 failed/);
  for (const model of MODELS) t.regex(first.stdout, new RegExp(`synthetic\\s+${model.replace('/', '\\/')}( \\(baseline\\))?\\s+0\\.\\d{4} \\+- 0\\.\\d{4}\\s+2\\/2`));
  t.true(first.stdout.includes(`Report: ${join(out, 'index.html')}`));
  t.true(first.stdout.includes(`${PROTOCOL}\ndataset    variant`), 'the protocol heads the results table');
  // Every run trained to a plateau, and to far more than a model that outlines the whole image gets.
  const manifest = JSON.parse(await readFile(join(dir, 'runs', 'suites', 'quickstart.json'), 'utf8')) as SuiteManifest;
  t.is(manifest.runs.length, 10);
  for (const run of manifest.runs) {
    const dice = (await new RunDir(run.dir).logLines()).map((l) => (JSON.parse(l) as {valDice: number}).valDice);
    const best = Math.max(...dice);
    const lastTwo = dice.slice(-2);
    t.log(`${run.variant} s${run.seed}: validation Dice by epoch ${dice.map((d) => d.toFixed(3)).join(' ')}`);
    t.true(lastTwo.every((d) => best - d <= PLATEAU), `${run.variant} s${run.seed} has not reached a plateau: best ${best.toFixed(3)}, last two ${lastTwo.map((d) => d.toFixed(3)).join(', ')}`);
    t.true(best > 0.8, `${run.variant} s${run.seed} has not learned the task: best validation Dice ${best.toFixed(3)}`);
  }
  const csv = await readFile(join(out, 'summary.csv'), 'utf8');
  t.is(csv.trim().split('\n').length, 1 + MODELS.length, 'summary.csv: a header and one row per model');

  const pageUrl = pathToFileURL(join(out, 'index.html')).href;
  await withBrowser(pageUrl, async (context, log) => {
    const page = await context.newPage();
    await page.goto(pageUrl, {waitUntil: 'load'});
    const seen = await page.evaluate(() => ({
      charts: Array.from(document.querySelectorAll('figure.chart')).map((figure) => ({
        id: figure.id,
        marks: figure.querySelectorAll('svg g.role-mark path, svg g.role-mark line, svg g.role-mark rect, svg g.role-mark text').length,
      })),
      rows: Array.from(document.querySelectorAll('#summary-table tbody tr')).map((tr) => tr.querySelector('th .variant')?.textContent ?? ''),
      facts: document.querySelector('header .facts')?.textContent ?? '',
      images: Array.from(document.images).map((img) => img.complete && img.naturalWidth > 0),
    }));
    await page.screenshot({path: join(ARTIFACTS, 'quickstart-report.png'), fullPage: true});
    t.deepEqual(log.consoleErrors, [], 'no console error');
    t.deepEqual(log.pageErrors, [], 'no page error');
    t.deepEqual(log.requests, [], 'no request left the page');
    t.true(seen.charts.length >= 4, `charts: ${seen.charts.map((c) => c.id).join(', ')}`);
    // quickstart measures each model's latency while planning, so its report has the latency chart.
    t.true(seen.charts.some((c) => c.id === 'chart-dice-vs-latency'), `charts: ${seen.charts.map((c) => c.id).join(', ')}`);
    for (const chart of seen.charts) t.true(chart.marks >= 3, `${chart.id} has marks (${chart.marks})`);
    t.deepEqual(seen.rows, MODELS, 'one summary row per model, in the suite\'s order');
    t.true(seen.facts.includes(PROTOCOL), `the report's header states the protocol: ${seen.facts}`);
    t.true(seen.images.length >= MODELS.length + 2, `the gallery: ${seen.images.length} pictures`);
    t.true(seen.images.every(Boolean), 'every gallery picture decodes');
  });

  const before = await readFile(join(out, 'index.html'), 'utf8');
  const again = await runMslk(args, env);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stderr, /suite quickstart: 0 trained, 10 already done, 0 failed/);
  t.is(await readFile(join(out, 'index.html'), 'utf8'), before, 'the same runs give the same page');
});
