// What `mslk ablate` and `mslk quickstart` print while a suite runs and when it ends: the plan (ablate), the runs'
// progress (suite-output.ts: a live block on a terminal, one readable line per event when piped, JSON lines under
// --json), a one-line summary and the failures on stderr, the results table on stdout, and (ablate) the command
// that writes the report. Ctrl-C stops the suite cleanly (exit 130); a failed run makes the exit code 1.
import {ablateSuite, formatSummary, type AblateOptions, type AblateResult} from '../ablations/ablate.js';
import {formatPlanTable} from '../ablations/plan-table.js';
import {formatResultsTable} from '../ablations/suite-results.js';
import {shellQuote} from '../ablations/slurm/batch-script.js';
import {INTERRUPTED_EXIT_CODE, stopOnSignals} from './interrupt.js';
import {outputMode} from './progress-text.js';
import {suiteOutput, type SuiteOutput as ProgressOutput} from './suite-output.js';
import {describeProtocol} from '../runs/protocol.js';

/** Where the output goes: the command's own log functions, and whether it runs under --json. */
export interface SuiteOutput {
  log(line: string): void;
  logToStderr(line: string): void;
  json: boolean;
  /** Print the plan table before training (ablate does, quickstart does not). */
  showPlan: boolean;
  /**
   * The command line that writes the suite's report, printed last (`report: npx mslk report ...`) unless under
   * --json or after an interrupt; ablate gives it when it does not write the report itself.
   */
  reportCommand?: string;
}

/** Runs the suite `file` with `options` (signal, progress and events are set here), printing to `out`. */
export async function runSuiteCommand(file: string, options: Omit<AblateOptions, 'signal' | 'onPlan' | 'onEvent' | 'onStage'>, out: SuiteOutput): Promise<AblateResult> {
  const interrupt = stopOnSignals();
  let progress: ProgressOutput | undefined;
  try {
    const result = await ablateSuite(file, {
      ...options, signal: interrupt.signal, onStage: (m) => out.logToStderr(m),
      onPlan: (plan, report) => {
        if (out.showPlan && !out.json) out.log(formatPlanTable(report, {progress: false}));
        progress = suiteOutput({runs: plan.runs, rows: report.rows, jobs: options.jobs, suite: plan.suite, mode: outputMode({json: out.json})});
      },
      onEvent: (event) => progress?.onEvent(event),
    });
    progress?.stop();
    out.logToStderr(formatSummary(result.plan, result.summary, {seconds: result.seconds, estimatedSeconds: result.report.estimatedSeconds}));
    for (const f of result.summary.failed) out.logToStderr(`  failed ${f.runId}: ${f.reason}`);
    if (!out.json) out.log(`\n${formatResultsTable(result.results, describeProtocol(result.plan.runs.map((r) => r.config)))}`);
    if (interrupt.received() !== undefined) process.exitCode = INTERRUPTED_EXIT_CODE;
    else if (result.summary.failed.length > 0) process.exitCode = 1;
    if (!out.json && out.reportCommand !== undefined && interrupt.received() === undefined) out.log(`\nreport: ${out.reportCommand}`);
    return result;
  } finally {
    progress?.stop();
    interrupt.dispose();
  }
}

/** `npx mslk report <suite> --store <store> [--data-root <dir>]`, quoted for a POSIX shell: what ablate names last. */
export function reportCommandLine(suite: string, store: string, dataRoot: string | undefined): string {
  return ['npx', 'mslk', 'report', suite, '--store', store, ...(dataRoot ? ['--data-root', dataRoot] : [])].map(shellQuote).join(' ');
}
