// What `mslk ablate` and `mslk quickstart` print while a suite runs and when it ends: the plan (ablate), a progress
// bar on a terminal (JSON lines otherwise), a one-line summary and the failures on stderr, the results table on
// stdout. Ctrl-C stops the suite cleanly (exit 130); a failed run makes the exit code 1.
import {ablateSuite, formatSummary, type AblateOptions, type AblateResult} from '../ablations/ablate.js';
import {formatPlanTable} from '../ablations/plan-table.js';
import {suiteProgress} from '../ablations/suite-progress.js';
import {formatResultsTable} from '../ablations/suite-results.js';
import {INTERRUPTED_EXIT_CODE, stopOnSignals} from './interrupt.js';

/** Where the output goes: the command's own log functions, and whether it runs under --json. */
export interface SuiteOutput {
  log(line: string): void;
  logToStderr(line: string): void;
  json: boolean;
  /** Print the plan table before training (ablate does, quickstart does not). */
  showPlan: boolean;
}

/** Runs the suite `file` with `options` (signal, progress and events are set here), printing to `out`. */
export async function runSuiteCommand(file: string, options: Omit<AblateOptions, 'signal' | 'onPlan' | 'onEvent' | 'onStage'>, out: SuiteOutput): Promise<AblateResult> {
  const interrupt = stopOnSignals();
  let progress: ReturnType<typeof suiteProgress> | undefined;
  try {
    const result = await ablateSuite(file, {
      ...options, signal: interrupt.signal, onStage: (m) => out.logToStderr(m),
      onPlan: (plan, report) => {
        if (out.showPlan && !out.json) out.log(formatPlanTable(report, {progress: false}));
        progress = suiteProgress({plan, jobs: options.jobs, json: out.json});
      },
      onEvent: (event) => progress?.onEvent(event),
    });
    progress?.stop();
    out.logToStderr(formatSummary(result.plan, result.summary, {seconds: result.seconds, estimatedSeconds: result.report.estimatedSeconds}));
    for (const f of result.summary.failed) out.logToStderr(`  failed ${f.runId}: ${f.reason}`);
    if (!out.json) out.log(`\n${formatResultsTable(result.results)}`);
    if (interrupt.received() !== undefined) process.exitCode = INTERRUPTED_EXIT_CODE;
    else if (result.summary.failed.length > 0) process.exitCode = 1;
    return result;
  } finally {
    progress?.stop();
    interrupt.dispose();
  }
}
