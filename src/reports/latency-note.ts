// Why a report shows no latency for a model. The report never times anything (two reports of the same runs must be
// byte-identical), so a latency is shown only when `mslk ablate` (or `mslk ablate status`) measured it into the
// store's calibration cache on the backend the report runs on; the note says how to get it.
import type {ReportModel} from './model.js';

/** One phrase for a reason column or a note: why latency is absent, and the command that measures it. */
export function latencyAbsentReason(model: Pick<ReportModel, 'latencyBackend'>): string {
  const backend = model.latencyBackend;
  if (backend === null || backend === undefined) return 'latency not read (costs not counted)';
  return `latency: not measured on ${backend} (run \`mslk ablate status <suite>\` on this machine to measure it into the store's .calibration.json)`;
}
