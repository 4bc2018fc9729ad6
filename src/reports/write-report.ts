// Writes a report's files into its folder from the report model (and the gallery computed from it): the CSVs, the
// tables (Markdown, LaTeX, macros), the charts (Vega-Lite specs and their SVGs) and index.html. Its bytes depend
// only on the model (no time, no absolute path), so the same runs give byte-identical files; files already in the
// folder that this report does not write are left alone (a table omitted this time, the lead's charts and HTML,
// anything the user put there). The whole report is written into a temporary folder beside the destination first,
// then moved into place: a failure on the way (a full disk) leaves the previous report as it was, never a mix.
import {randomUUID} from 'node:crypto';
import {rename, rm, stat} from 'node:fs/promises';
import {basename, dirname, join, resolve} from 'node:path';
import {DiskFullError, writeFileAtomic} from '../io/atomic-write.js';
import {ensureOutputDir} from '../io/output-dir.js';
import {buildCharts, chartSpecJson} from './charts.js';
import {perImageCsv, resultsCsv, summaryCsv} from './csv.js';
import type {GalleryRow} from './gallery-rows.js';
import {escapeHtml, renderReportHtml} from './html.js';
import {macrosTex} from './macros.js';
import type {ReportModel} from './model.js';
import {renderCharts} from './render-svg.js';
import {reportTables, tableHtml, tableLatex, tableMarkdown} from './tables.js';

/** The files of a report, relative to its folder, with their content. */
export function reportFiles(model: ReportModel, outDir: string): Array<{path: string; content: string}> {
  const out = resolve(outDir);
  const files = [
    {path: 'results.csv', content: resultsCsv(model, out)},
    {path: 'summary.csv', content: summaryCsv(model)},
    {path: 'per-image.csv', content: perImageCsv(model)},
  ];
  for (const table of reportTables(model)) {
    files.push({path: `tables/${table.name}.md`, content: tableMarkdown(table)}, {path: `tables/${table.name}.tex`, content: tableLatex(table)});
  }
  files.push({path: 'tables/macros.tex', content: macrosTex(model)});
  return files;
}

/** What writeReport adds to the model: the prediction gallery (gallery.ts), and where chart warnings go. */
export interface WriteReportOptions {
  gallery?: GalleryRow[];
  /** Vega's warnings while rendering a chart (one line each); the chart is still written. */
  onWarning?: (message: string) => void;
}

/**
 * Writes the report of `model` into `outDir` (created when absent): results.csv, summary.csv, per-image.csv,
 * tables/{ablation,baselines,kernel-sweep}.{md,tex} (those with rows), tables/macros.tex, charts/<name>.vl.json and
 * charts/<name>.svg (charts with data only), then index.html (self-contained, offline). Returns the paths written,
 * relative to outDir, in writing order. The files are written into a temporary folder beside outDir, then moved in
 * (index.html last; the temporary folder itself becomes outDir when there was none), so a failure leaves outDir as it
 * was. Throws OutputDirError (src/io/output-dir.ts) for a folder that cannot be written, DiskFullError naming the
 * file on a full disk, what the file system throws otherwise.
 */
export async function writeReport(model: ReportModel, outDir: string, o: WriteReportOptions = {}): Promise<string[]> {
  const files = reportFiles(model, outDir);
  const charts = await renderCharts(buildCharts(model));
  for (const chart of charts) {
    for (const warning of chart.warnings) o.onWarning?.(`chart ${chart.name}: ${warning}`);
    files.push({path: `charts/${chart.name}.vl.json`, content: chartSpecJson(chart)}, {path: `charts/${chart.name}.svg`, content: chart.svg});
  }
  const tables = reportTables(model).map((t) => ({name: t.name, title: t.title, html: tableHtml(t, escapeHtml)}));
  files.push({path: 'index.html', content: renderReportHtml(model, {charts, tables, gallery: o.gallery, outDir: resolve(outDir)})});
  const target = resolve(outDir);
  await ensureOutputDir(dirname(target));
  const staging = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`);
  try {
    for (const file of files) {
      await writeFileAtomic(join(staging, file.path), file.content).catch((error: unknown) => {
        // Named as the user knows it: the file of --out, not of the temporary folder.
        throw error instanceof DiskFullError ? new DiskFullError(join(target, file.path), error.cause as NodeJS.ErrnoException) : error;
      });
    }
    await moveInto(staging, target, files.map((f) => f.path));
  } finally {
    await rm(staging, {recursive: true, force: true});
  }
  return files.map((f) => f.path);
}

/**
 * Moves the report written in `staging` to `target`: a rename of the folder when `target` does not exist, else a
 * rename of each file (`paths`, index.html last, so the report opens only once it is whole), keeping the files of
 * `target` the report does not write. Renames need no space, so a full disk cannot stop them halfway.
 */
async function moveInto(staging: string, target: string, paths: readonly string[]): Promise<void> {
  const existing = await stat(target).catch(() => undefined);
  if (existing === undefined) {
    try {
      await rename(staging, target);
      return;
    } catch (error) {
      // Created meanwhile (another report into the same folder): merged below like an existing folder.
      if ((error as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const ordered = [...paths.filter((p) => p !== 'index.html'), ...paths.filter((p) => p === 'index.html')];
  for (const path of ordered) {
    await ensureOutputDir(dirname(join(target, path)));
    await rename(join(staging, path), join(target, path));
  }
}
