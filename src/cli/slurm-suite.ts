// What `mslk ablate --executor slurm` prints: the plan with the scheduler's view, then the batch script (--dry-run)
// or the array job's id and where to follow it; with --wait, the tasks' progress and, once none is queued or
// running, the final plan and the results table. A run that failed makes the exit code 1.
import {formatPlanTable} from '../ablations/plan-table.js';
import {planReport} from '../ablations/plan-status.js';
import {ablateOnSlurm, waitForSubmission, type SlurmAblateOptions, type SlurmAblateResult} from '../ablations/slurm/submit-suite.js';
import {formatResultsTable, suiteResults, type VariantResult} from '../ablations/suite-results.js';
import type {SuiteOutput} from './run-suite.js';

/** The result of the command: the submission and, after --wait, the final plan and results. */
export type SlurmSuiteOutcome = SlurmAblateResult & {results?: VariantResult[]};

/** Runs ablateOnSlurm and prints; with `wait`, follows the new array job until it ends (polling every pollMs). */
export async function runSlurmSuiteCommand(file: string, options: Omit<SlurmAblateOptions, 'onStage'>, wait: {wait: boolean; pollMs?: number}, out: Omit<SuiteOutput, 'showPlan'>): Promise<SlurmSuiteOutcome> {
  const result = await ablateOnSlurm(file, {...options, onStage: (m) => out.logToStderr(m)});
  const {plan, submission, runs, script} = result;
  if (!out.json) out.log(formatPlanTable(result.report, {progress: true}));
  if (options.dryRun) {
    if (script === null) out.logToStderr(`suite ${plan.suite}: nothing to submit (every run is done, queued, running or failed; --rerun-failed resubmits failed ones)`);
    else if (!out.json) out.log(`\n# the batch script of ${runs.length} array task${runs.length === 1 ? '' : 's'} (dry run: nothing submitted)\n${script}`);
    return result;
  }
  if (submission === null) {
    out.logToStderr(`suite ${plan.suite}: nothing to submit (every run is done, queued, running or failed; --rerun-failed resubmits failed ones)`);
    return result;
  }
  out.logToStderr(`suite ${plan.suite}: submitted ${runs.length} run${runs.length === 1 ? '' : 's'} as array job ${submission.jobId} ` +
    `(script ${submission.script}; task logs ${submission.logPattern.replace('%A', submission.jobId).replace('%a', '<task>')}); ` +
    `follow it with \`mslk ablate status ${file} --store ${plan.store}\``);
  if (!wait.wait) return result;

  // Ctrl-C while waiting ends this process only: the array job goes on, and `ablate status` follows it.
  const tasks = await waitForSubmission(submission, options.scheduler, {
    ...(wait.pollMs !== undefined ? {pollMs: wait.pollMs} : {}),
    onProgress: (unfinished, total) => out.logToStderr(`array job ${submission.jobId}: ${total - unfinished} of ${total} tasks ended`),
  });
  const report = await planReport(plan, {jobs: result.report.jobs, estimate: false, latency: false, writeCache: false, tasks});
  const results = await suiteResults(plan.runs, report.rows);
  if (!out.json) out.log(`\n${formatPlanTable(report, {progress: true})}\n\n${formatResultsTable(results)}`);
  if (report.rows.some((r) => r.status.state === 'failed' || r.status.state === 'partial')) process.exitCode = 1;
  return {...result, report, results};
}
