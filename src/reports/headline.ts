// What `mslk report` prints: the summary as an aligned terminal table (per dataset, test set and variant in plan
// order: test mDice mean +- std over seeds with n, params, GFLOPs, batch-1 latency) and the missing runs with their
// reasons; a latency the store's calibration cache lacks is '-', with the reason once below the table.
import {alignColumns} from '../ablations/plan-table.js';
import type {ReportModel} from './model.js';
import {latencyAbsentReason} from './latency-note.js';
import {fraction, gflops, milliseconds, paramsShort} from './number-format.js';

/** The headline table, then one line per (variant, dataset) with missing runs. */
export function formatHeadline(model: ReportModel): string {
  const rows = [['dataset', 'test set', 'variant', 'test mDice (mean +- std)', 'n', 'params', 'GFLOPs/img', 'latency ms'],
    ...model.summary.map((s) => [
      s.dataset, s.testSet, s.variant === model.reference ? `${s.variant} (reference)` : s.kind === 'baseline' ? `${s.variant} (baseline)` : s.variant,
      s.dice.mean === null ? '-' : s.dice.std === null ? fraction(s.dice.mean) : `${fraction(s.dice.mean)} +- ${fraction(s.dice.std)}`,
      `${s.dice.n}/${s.seeds}`, paramsShort(s.params) || '-', gflops(s.gflops) || '-', milliseconds(s.latencyMs) || '-',
    ])];
  const lines = alignColumns(rows);
  const backend = model.latencyBackend ?? null;
  if (backend !== null && model.summary.some((s) => s.latencyMs !== null)) {
    lines.push(`latency: median ms of one batch-1 inference on ${backend}, measured by \`mslk ablate\` (the store's .calibration.json)`);
  }
  if (model.summary.some((s) => s.latencyMs === null)) lines.push(latencyAbsentReason(model));
  const missing = model.summary.filter((s) => s.missing.length > 0);
  if (missing.length > 0) {
    lines.push('', 'Missing runs (not in the means):');
    for (const s of missing) lines.push(`  ${s.variant} on ${s.dataset}${s.testSet === 'test' ? '' : ` (${s.testSet})`}: ${s.missing.join('; ')}`);
  }
  return lines.join('\n');
}
