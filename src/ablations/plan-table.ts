// The plan as text: one row per run (variant, dataset, fold, seed, run id, status, epochs, params, GFLOPs, time),
// then the totals and the estimate ("about 14 h on 2 jobs").
import {formatDuration, formatState, type PlanReport} from './plan-status.js';

/** Rows of cells as lines with each column padded to its widest cell (two spaces between columns). */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd());
}

/** The plan table; `progress` adds the epochs column (`mslk ablate status`). */
export function formatPlanTable(report: PlanReport, options: {progress: boolean}): string {
  const header = ['variant', 'dataset', 'fold', 'seed', 'run id', 'status', ...(options.progress ? ['epochs'] : []), 'params', 'GFLOPs/img', 'time'];
  const body = report.rows.map((r) => [
    r.variant, r.dataset, r.fold === null ? '-' : String(r.fold), String(r.seed), r.runId || '-', formatState(r.status),
    ...(options.progress ? [`${r.epochs.done}/${r.epochs.total}`] : []),
    r.params >= 1e6 ? `${(r.params / 1e6).toFixed(2)}M` : `${(r.params / 1e3).toFixed(1)}k`, r.gflops.toFixed(3),
    r.estimatedSeconds === null ? '-' : r.estimatedSeconds === 0 ? '0' : formatDuration(r.estimatedSeconds).replace('about ', '~'),
  ]);
  const counts = Object.entries(report.counts).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ');
  const timed = report.timedEpochs > 0 ? `; timed from ${report.timedEpochs} finished epoch${report.timedEpochs === 1 ? '' : 's'} of its runs where a model has some, else a calibration` : '';
  const total = report.estimatedSeconds === null ? 'no time estimate'
    : report.estimatedSeconds === 0 ? 'nothing left to train'
      : `${formatDuration(report.estimatedSeconds)} on ${report.jobs} job${report.jobs === 1 ? '' : 's'} (${report.backend}${timed})`;
  return [...alignColumns([header, ...body]), '', `suite ${report.suite}: ${report.rows.length} runs (${counts}); ${total}; store ${report.store}`].join('\n');
}
