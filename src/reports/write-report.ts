// Writes a report's files into its folder from the report model alone: the CSVs and the tables (Markdown, LaTeX,
// macros). Every file is written atomically, its bytes depend only on the model (no time, no absolute path), so the
// same runs give byte-identical files; files already in the folder that this report does not write are left alone
// (a table omitted this time, the lead's charts and HTML, anything the user put there).
import {join, resolve} from 'node:path';
import {writeFileAtomic} from '../io/atomic-write.js';
import {perImageCsv, resultsCsv, summaryCsv} from './csv.js';
import {macrosTex} from './macros.js';
import type {ReportModel} from './model.js';
import {reportTables, tableLatex, tableMarkdown} from './tables.js';

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

/**
 * Writes the report of `model` into `outDir` (created when absent): results.csv, summary.csv, per-image.csv,
 * tables/{ablation,baselines,kernel-sweep}.{md,tex} (those with rows) and tables/macros.tex. Returns the paths
 * written, relative to outDir, in writing order. Throws what the file system throws (each file is whole or absent).
 */
export async function writeReport(model: ReportModel, outDir: string): Promise<string[]> {
  const written: string[] = [];
  for (const file of reportFiles(model, outDir)) {
    await writeFileAtomic(join(outDir, file.path), file.content);
    written.push(file.path);
  }
  return written;
}
