// The report's tables, as Markdown and as LaTeX (booktabs), from the report model only:
//   ablation      the suite's variants (the reference first), kernel-sweep points left to their own table
//   baselines     the reference and the baselines, then published numbers in their own labelled block
//   kernel-sweep  the variants `ld.largeKernel=k`, by k (omitted when there are none)
// One column per dataset (and extra test set): test mDice as mean +- sample std over seeds, the best value per column
// bold, n shown when runs are missing; significance marks from the paired comparisons (dagger: vs the reference,
// double dagger: vs the U-Net baseline; Holm-corrected) with the effect and its CI in a column of its own, and a
// legend under the table. Names are escaped for the format.
import type {LiteratureRow, PairedComparison, ReportModel, SummaryRow} from './model.js';
import {fraction, gflops, paramsShort, signedFixed} from './number-format.js';
import {texEscape} from './tex.js';

/** The tables a report writes (file stems under tables/). */
export type TableName = 'ablation' | 'baselines' | 'kernel-sweep';

/** A dataset column: a dataset's own test split or an extra test set. */
export interface TableColumn {
  dataset: string;
  testSet: string;
}

/** One row: a variant and its summary per column (undefined where it has none). */
export interface TableRow {
  variant: string;
  kind: 'variant' | 'baseline';
  cells: Array<SummaryRow | undefined>;
}

/** A table before formatting. */
export interface TableSpec {
  name: TableName;
  title: string;
  columns: TableColumn[];
  rows: TableRow[];
  /** Comparisons of the rows' variants, per column: against the reference and against the U-Net baseline. */
  comparisons: PairedComparison[];
  reference: string | null;
  unetBaseline: string | null;
  /** Published numbers shown below the table (baselines table only). */
  literature: LiteratureRow[];
  /** Holm's family per compared-against model: all of the report's comparisons against it (every table, test set). */
  holmFamilies: Record<string, number>;
}

const KERNEL_SWEEP = /^ld\.largeKernel=(\d+)$/;

/** The k of a kernel-sweep variant (`ld.largeKernel=13` -> 13), else undefined. */
export function sweepKernel(variant: string): number | undefined {
  const match = KERNEL_SWEEP.exec(variant);
  return match ? Number(match[1]) : undefined;
}

function columnsOf(summary: readonly SummaryRow[]): TableColumn[] {
  const seen = new Map<string, TableColumn>();
  for (const s of summary) seen.set(JSON.stringify([s.dataset, s.testSet]), {dataset: s.dataset, testSet: s.testSet});
  return [...seen.values()];
}

/** The tables of a report, in file order (ablation, baselines, kernel-sweep), each only when it has rows. */
export function reportTables(model: ReportModel): TableSpec[] {
  const columns = columnsOf(model.summary);
  const variants = [...new Map(model.summary.map((s) => [s.variant, s.kind])).entries()];
  const rowOf = (variant: string, kind: 'variant' | 'baseline'): TableRow => ({
    variant, kind, cells: columns.map((c) => model.summary.find((s) => s.variant === variant && s.dataset === c.dataset && s.testSet === c.testSet)),
  });
  const reference = variants.find(([v]) => v === model.reference);
  const holmFamilies: Record<string, number> = {};
  for (const c of model.comparisons) holmFamilies[c.against] = (holmFamilies[c.against] ?? 0) + 1;
  const spec = (name: TableName, title: string, rows: TableRow[], literature: LiteratureRow[] = []): TableSpec => {
    const names = new Set(rows.map((r) => r.variant));
    return {
      name, title, columns, rows, reference: model.reference, unetBaseline: model.unetBaseline, literature, holmFamilies,
      comparisons: model.comparisons.filter((c) => names.has(c.variant) && (c.against === model.reference || c.against === model.unetBaseline)),
    };
  };
  const tables: TableSpec[] = [];
  const ablation = variants.filter(([v, kind]) => kind === 'variant' && v !== model.reference && sweepKernel(v) === undefined);
  const ablationRows = [...(reference && reference[1] === 'variant' ? [reference] : []), ...ablation].map(([v, k]) => rowOf(v, k));
  if (ablationRows.length > 0) tables.push(spec('ablation', `Ablation (${model.title})`, ablationRows));
  const baselines = variants.filter(([v, kind]) => kind === 'baseline' && v !== model.reference);
  if (baselines.length > 0 || model.literature.length > 0) {
    const rows = [...(reference ? [reference] : []), ...baselines].map(([v, k]) => rowOf(v, k));
    tables.push(spec('baselines', `Baselines (${model.title})`, rows, model.literature));
  }
  const sweep = variants.filter(([v]) => sweepKernel(v) !== undefined).sort((a, b) => sweepKernel(a[0])! - sweepKernel(b[0])!);
  if (sweep.length > 0) tables.push(spec('kernel-sweep', `LD large-kernel size (${model.title})`, sweep.map(([v, k]) => rowOf(v, k))));
  return tables;
}

/** Per column, the best (highest) mean mDice among the rows, when two or more rows have one. */
function bestPerColumn(table: TableSpec): Array<number | null> {
  return table.columns.map((_, i) => {
    const means = table.rows.flatMap((r) => (r.cells[i]?.dice.mean ?? null) === null ? [] : [r.cells[i]!.dice.mean!]);
    return means.length >= 2 ? Math.max(...means) : null;
  });
}

/** Whether the cell's mean, as printed, equals the best as printed (ties are all bold). */
function isBest(cell: SummaryRow | undefined, best: number | null): boolean {
  return best !== null && cell?.dice.mean !== null && cell !== undefined && fraction(cell.dice.mean) === fraction(best);
}

function comparison(table: TableSpec, variant: string, column: TableColumn, against: string | null): PairedComparison | undefined {
  if (against === null || against === variant) return undefined;
  return table.comparisons.find((c) => c.variant === variant && c.against === against && c.dataset === column.dataset && c.testSet === column.testSet);
}

/** Whether the table shows a difference column vs the reference (when any comparison against it is present). */
function showsDifferences(table: TableSpec): boolean {
  return table.reference !== null && table.comparisons.some((c) => c.against === table.reference);
}

/** The parts of one cell, before a format wraps them. */
interface CellParts {
  mean: string;
  std: string;
  bold: boolean;
  daggers: Array<'dagger' | 'ddagger'>;
  /** `2/3` when runs are missing, else ''. */
  n: string;
}

function cellParts(table: TableSpec, row: TableRow, i: number, best: number | null): CellParts | undefined {
  const cell = row.cells[i];
  if (cell === undefined || cell.dice.mean === null) return undefined;
  const column = table.columns[i]!;
  const daggers: CellParts['daggers'] = [];
  if (comparison(table, row.variant, column, table.reference)?.significant) daggers.push('dagger');
  if (comparison(table, row.variant, column, table.unetBaseline)?.significant) daggers.push('ddagger');
  return {
    mean: fraction(cell.dice.mean), std: fraction(cell.dice.std), bold: isBest(cell, best), daggers,
    n: cell.done < cell.planned || cell.dice.n < cell.seeds ? `${cell.dice.n}/${cell.seeds}` : '',
  };
}

function columnTitle(c: TableColumn): string {
  return c.testSet === 'test' ? c.dataset : `${c.dataset} -> ${c.testSet}`;
}

/** Legend lines (plain text; each format escapes and marks them up). */
function legend(table: TableSpec): string[] {
  const lines = ['mDice: per-image mean Dice on the test images at original resolution, mean +- sample std over seeds; n/seeds planned shown where runs are missing; bold: best per column.'];
  const reference = table.reference;
  if (table.comparisons.some((c) => c.against === reference)) {
    lines.push(`DAGGER significantly different from ${reference} (two-sided Wilcoxon signed-rank test over test images, per-image Dice averaged over the seeds both have, Holm-corrected over all ${table.holmFamilies[reference!] ?? 0} comparisons against ${reference} in this report, p < 0.05). Delta: mean Dice difference vs ${reference} with its 95% paired bootstrap CI.`);
  }
  if (table.unetBaseline !== null && table.comparisons.some((c) => c.against === table.unetBaseline)) {
    lines.push(`DDAGGER significantly different from ${table.unetBaseline} (same test, Holm-corrected over all ${table.holmFamilies[table.unetBaseline] ?? 0} comparisons against ${table.unetBaseline}).`);
  }
  lines.push('GFLOPs per image at the training size, 2 FLOPs per multiply-add.');
  for (const row of table.rows) {
    row.cells.forEach((cell, i) => {
      if (cell !== undefined && cell.missing.length > 0) lines.push(`Missing for ${row.variant} on ${columnTitle(table.columns[i]!)}: ${cell.missing.join('; ')}.`);
    });
  }
  return lines;
}

function costsOf(row: TableRow): {params: string; gflops: string} {
  const cell = row.cells.find((c) => c !== undefined && c.params !== null);
  return {params: paramsShort(cell?.params ?? null) || '-', gflops: gflops(cell?.gflops ?? null) || '-'};
}

function rowLabel(table: TableSpec, row: TableRow): string {
  if (row.variant === table.reference) return `${row.variant} (reference)`;
  return row.kind === 'baseline' ? `${row.variant} (baseline)` : row.variant;
}

// ---- Markdown

/** Markdown text that shows `text` as written (table pipes, emphasis, HTML and backslashes escaped). */
export function markdownEscape(text: string): string {
  return text.replace(/[\\`*_[\]|<>#~]/g, (ch) => (ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : `\\${ch}`)).replace(/[\r\n]+/g, ' ');
}

const MD_DAGGER = {dagger: '†', ddagger: '‡'} as const;

/** The table as GitHub-flavoured Markdown (a heading, the table, the legend, then the literature block). */
export function tableMarkdown(table: TableSpec): string {
  const best = bestPerColumn(table);
  const differences = showsDifferences(table);
  const header = ['Variant', ...table.columns.flatMap((c) => [`${markdownEscape(columnTitle(c))} mDice`, ...(differences ? [`Δ vs ${markdownEscape(table.reference!)} [95% CI]`] : [])]), 'Params', 'GFLOPs'];
  const align = ['---', ...table.columns.flatMap(() => ['---:', ...(differences ? ['---:'] : [])]), '---:', '---:'];
  const lines = [`### ${markdownEscape(table.title)}`, '', `| ${header.join(' | ')} |`, `| ${align.join(' | ')} |`];
  for (const row of table.rows) {
    const cells = table.columns.flatMap((column, i) => {
      const parts = cellParts(table, row, i, best[i] ?? null);
      let text = '-';
      if (parts !== undefined) {
        const value = parts.std === '' ? parts.mean : `${parts.mean} ± ${parts.std}`;
        text = `${parts.bold ? `**${value}**` : value}${parts.daggers.map((d) => MD_DAGGER[d]).join('')}${parts.n ? ` (n=${parts.n})` : ''}`;
      }
      const c = comparison(table, row.variant, column, table.reference);
      return [text, ...(differences ? [c ? `${signedFixed(c.meanDifference)} [${signedFixed(c.ci[0])}, ${signedFixed(c.ci[1])}]` : '-'] : [])];
    });
    const costs = costsOf(row);
    lines.push(`| ${[markdownEscape(rowLabel(table, row)), ...cells, costs.params, costs.gflops].join(' | ')} |`);
  }
  lines.push('');
  for (const line of legend(table)) lines.push(markdownEscape(line).replace(/^DAGGER/, '†').replace(/^DDAGGER/, '‡').replace(/^Delta/, 'Δ').replace(/\. Delta:/, '. Δ:').replace(/ \+- /g, ' ± '), '');
  if (table.literature.length > 0) {
    lines.push('**Published results** (from the literature, not reproduced here; their protocols differ from ours, so they are not part of any statistic):', '');
    lines.push('| Model | Dataset | Dice | IoU | Protocol | Source |', '| --- | --- | ---: | ---: | --- | --- |');
    for (const l of table.literature) {
      lines.push(`| ${[l.model, l.dataset].map(markdownEscape).join(' | ')} | ${fraction(l.dice) || '-'} | ${fraction(l.iou) || '-'} | ${markdownEscape(l.protocol)} | ${markdownEscape(l.citation)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

// ---- LaTeX

const TEX_DAGGER = {dagger: '\\dagger', ddagger: '\\ddagger'} as const;

/** A LaTeX label part from a table name. */
function labelOf(name: TableName): string {
  return `tab:mslk-${name}`;
}

/** The table as LaTeX (booktabs: \usepackage{booktabs}), in a table float with its legend under it. */
export function tableLatex(table: TableSpec): string {
  const best = bestPerColumn(table);
  const differences = showsDifferences(table);
  const perColumn = differences ? 2 : 1;
  const spec = `l${'c'.repeat(table.columns.length * perColumn)}rr`;
  const header = ['Variant', ...table.columns.flatMap((c) => [texEscape(columnTitle(c)).replace(' -\\textgreater{} ', ' $\\rightarrow$ '),
    ...(differences ? [`$\\Delta$ vs ${texEscape(table.reference!)}`] : [])]), 'Params', 'GFLOPs'];
  const lines = [
    `% ${table.name}: written by mslk report (deterministic; regenerate instead of editing). Needs \\usepackage{booktabs}.`,
    '\\begin{table}[t]', '  \\centering',
    `  \\caption{${texEscape(table.title)}: test mDice (mean $\\pm$ std over seeds).}`, `  \\label{${labelOf(table.name)}}`,
    `  \\begin{tabular}{${spec}}`, '    \\toprule', `    ${header.join(' & ')} \\\\`, '    \\midrule',
  ];
  for (const row of table.rows) {
    const cells = table.columns.flatMap((column, i) => {
      const parts = cellParts(table, row, i, best[i] ?? null);
      let text = '--';
      if (parts !== undefined) {
        const value = parts.std === '' ? parts.mean : `${parts.mean} \\pm ${parts.std}`;
        const marks = parts.daggers.length > 0 ? `^{${parts.daggers.map((d) => TEX_DAGGER[d]).join('')}}` : '';
        text = `$${parts.bold ? `\\mathbf{${value}}` : value}${marks}$${parts.n ? ` {\\scriptsize (${parts.n})}` : ''}`;
      }
      const c = comparison(table, row.variant, column, table.reference);
      return [text, ...(differences ? [c ? `$${signedFixed(c.meanDifference)}$ {\\scriptsize [$${signedFixed(c.ci[0])}$, $${signedFixed(c.ci[1])}$]}` : '--'] : [])];
    });
    const costs = costsOf(row);
    lines.push(`    ${[texEscape(rowLabel(table, row)), ...cells, costs.params === '-' ? '--' : costs.params, costs.gflops === '-' ? '--' : costs.gflops].join(' & ')} \\\\`);
  }
  lines.push('    \\bottomrule', '  \\end{tabular}', '  \\par\\smallskip');
  for (const line of legend(table)) {
    const tex = texEscape(line).replace(/^DAGGER/, '$^\\dagger$').replace(/^DDAGGER/, '$^\\ddagger$').replace(/\. Delta:/, '. $\\Delta$:')
      .replace(/ \+- /g, ' $\\pm$ ').replace(/p \\textless{} 0\.05/, '$p < 0.05$');
    lines.push(`  {\\footnotesize ${tex}\\par}`);
  }
  if (table.literature.length > 0) {
    lines.push('  \\medskip', '  {\\footnotesize\\textbf{Published results} (from the literature, not reproduced here; protocols differ, not part of any statistic)\\par}',
      '  \\begin{tabular}{llccll}', '    \\toprule', '    Model & Dataset & Dice & IoU & Protocol & Source \\\\', '    \\midrule');
    for (const l of table.literature) {
      lines.push(`    ${[texEscape(l.model), texEscape(l.dataset), fraction(l.dice) || '--', fraction(l.iou) || '--', texEscape(l.protocol), texEscape(l.citation)].join(' & ')} \\\\`);
    }
    lines.push('    \\bottomrule', '  \\end{tabular}');
  }
  lines.push('\\end{table}');
  return lines.join('\n') + '\n';
}

// ---- HTML (the tables as index.html shows them)

const HTML_DAGGER = {dagger: '&dagger;', ddagger: '&Dagger;'} as const;

/**
 * The table as an HTML fragment for index.html: the same cells, marks and legend as tableMarkdown, every name
 * escaped with `escape` (html.ts's escapeHtml; passed in so this module does not depend on the page writer).
 */
export function tableHtml(table: TableSpec, escape: (text: string) => string): string {
  const best = bestPerColumn(table);
  const differences = showsDifferences(table);
  const header = ['Variant', ...table.columns.flatMap((c) => [`${columnTitle(c)} mDice`, ...(differences ? [`Δ vs ${table.reference!} [95% CI]`] : [])]), 'Params', 'GFLOPs'];
  const rows = table.rows.map((row) => {
    const cells = table.columns.flatMap((column, i) => {
      const parts = cellParts(table, row, i, best[i] ?? null);
      let text = '-';
      if (parts !== undefined) {
        const value = escape(parts.std === '' ? parts.mean : `${parts.mean} ± ${parts.std}`);
        text = `${parts.bold ? `<strong>${value}</strong>` : value}${parts.daggers.map((d) => HTML_DAGGER[d]).join('')}${parts.n ? ` (n=${escape(parts.n)})` : ''}`;
      }
      const c = comparison(table, row.variant, column, table.reference);
      return [text, ...(differences ? [c ? escape(`${signedFixed(c.meanDifference)} [${signedFixed(c.ci[0])}, ${signedFixed(c.ci[1])}]`) : '-'] : [])];
    });
    const costs = costsOf(row);
    return `<tr><td>${escape(rowLabel(table, row))}</td>${[...cells, escape(costs.params), escape(costs.gflops)].map((c) => `<td class="num">${c}</td>`).join('')}</tr>`;
  });
  const notes = legend(table).map((line) => `<p class="note">${escape(line).replace(/^DAGGER/, '&dagger;').replace(/^DDAGGER/, '&Dagger;').replace(/^Delta/, 'Δ').replace(/\. Delta:/, '. Δ:').replace(/ \+- /g, ' ± ')}</p>`);
  return `<table class="paper-table"><thead><tr>${header.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>${notes.join('')}`;
}
