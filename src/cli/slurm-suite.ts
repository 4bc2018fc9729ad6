// What `mslk ablate --executor slurm` prints: the plan with the scheduler's view, then the batch scripts (--dry-run)
// or the array jobs' ids and where to follow them; with --wait, the tasks' progress and, once none is queued or
// running, the final plan and the results table. A run that failed makes the exit code 1.
import {formatPlanTable} from '../ablations/plan-table.js';
import {planReport} from '../ablations/plan-status.js';
import {ablateOnSlurm, waitForSubmissions, type SlurmAblateOptions, type SlurmAblateResult} from '../ablations/slurm/submit-suite.js';
import {describeProtocol} from '../runs/protocol.js';
import {formatResultsTable, suiteResults, type VariantResult} from '../ablations/suite-results.js';
import type {SlurmSubmission} from '../ablations/slurm/submissions.js';
import type {SuiteOutput} from './run-suite.js';

/** The result of the command: the submission and, after --wait, the final plan and results. */
export type SlurmSuiteOutcome = SlurmAblateResult & {results?: VariantResult[]};

/** Runs ablateOnSlurm and prints; with `wait`, follows the new array job until it ends (polling every pollMs). */
export async function runSlurmSuiteCommand(file: string, options: Omit<SlurmAblateOptions, 'onStage'>, wait: {wait: boolean; pollMs?: number}, out: Omit<SuiteOutput, 'showPlan'>): Promise<SlurmSuiteOutcome> {
  const result = await ablateOnSlurm(file, {...options, onStage: (m) => out.logToStderr(m)});
  const {plan, submissions, runs, arrays} = result;
  if (!out.json) out.log(formatPlanTable(result.report, {progress: true}));
  const nothing = `suite ${plan.suite}: nothing to submit (every run is done, queued, running or failed; --rerun-failed resubmits failed ones)`;
  const tasks = (n: number) => `${n} array task${n === 1 ? '' : 's'}`;
  if (options.dryRun) {
    if (arrays.length === 0) out.logToStderr(nothing);
    else if (!out.json) {
      if (arrays.length > 1) out.log(`\n# ${runs.length} runs in ${arrays.length} array jobs: the cluster's MaxArraySize is ${result.maxArraySize}${result.resources.throttle !== undefined ? ' (each waits for the one before it, for one throttle)' : ''}`);
      for (const [i, array] of arrays.entries()) {
        const which = arrays.length > 1 ? `batch script ${i + 1} of ${arrays.length}` : 'batch script';
        out.log(`\n# the ${which} of ${tasks(array.runs.length)} (dry run: nothing submitted)\n${array.script}`);
      }
    }
    return result;
  }
  if (submissions.length === 0) {
    out.logToStderr(nothing);
    return result;
  }
  const logs = (s: SlurmSubmission) => s.logPattern.replace('%A', s.jobId).replace('%a', '<task>');
  const follow = `follow ${submissions.length === 1 ? 'it' : 'them'} with \`mslk ablate status ${file} --store ${plan.store}\``;
  if (submissions.length === 1) {
    const [s] = submissions as [SlurmSubmission];
    out.logToStderr(`suite ${plan.suite}: submitted ${runs.length} run${runs.length === 1 ? '' : 's'} as array job ${s.jobId} (script ${s.script}; task logs ${logs(s)}); ${follow}`);
  } else {
    out.logToStderr(`suite ${plan.suite}: submitted ${runs.length} runs as ${submissions.length} array jobs (the cluster's MaxArraySize is ${result.maxArraySize}): ` +
      `${submissions.map((s) => `${s.jobId} (${tasks(s.runs.length)}; script ${s.script})`).join(', ')}; task logs ${logs(submissions[0]!).replace(submissions[0]!.jobId, '<job>')}; ${follow}`);
  }
  if (!wait.wait) return result;

  // Ctrl-C while waiting ends this process only: the array jobs go on, and `ablate status` follows them.
  const jobs = submissions.map((s) => s.jobId).join(', ');
  const ended = await waitForSubmissions(submissions, options.scheduler, {
    ...(wait.pollMs !== undefined ? {pollMs: wait.pollMs} : {}),
    onProgress: (unfinished, total) => out.logToStderr(`array job${submissions.length === 1 ? '' : 's'} ${jobs}: ${total - unfinished} of ${total} tasks ended`),
  });
  const report = await planReport(plan, {jobs: result.report.jobs, estimate: false, latency: false, writeCache: false, tasks: ended});
  const results = await suiteResults(plan.runs, report.rows);
  if (!out.json) out.log(`\n${formatPlanTable(report, {progress: true})}\n\n${formatResultsTable(results, describeProtocol(plan.runs.map((r) => r.config)))}`);
  if (report.rows.some((r) => r.status.state === 'failed' || r.status.state === 'partial')) process.exitCode = 1;
  return {...result, report, results};
}
