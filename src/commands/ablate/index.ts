import {Args, Flags} from '@oclif/core';
import {availableParallelism} from 'node:os';
import {MslkCommand} from '../../cli/base-command.js';
import {backendFlag, dataRootFlag, outDirFlag} from '../../cli/flags.js';
import {backendChoice, selectBackend} from '../../engine/backends.js';
import {planSuite} from '../../ablations/plan.js';
import {planReport, type PlanReport} from '../../ablations/plan-status.js';
import {formatPlanTable} from '../../ablations/plan-table.js';
import type {SuiteSummary} from '../../ablations/local-executor.js';
import type {VariantResult} from '../../ablations/suite-results.js';
import {runSuiteCommand} from '../../cli/run-suite.js';

export default class Ablate extends MslkCommand {
  static override description = 'Plan, prepare and run an ablation suite (configs/suites/*.yaml): variants x datasets x folds x seeds plus baselines; --dry-run shows the plan with statuses, costs and an estimated time';
  static override examples = [
    '<%= config.bin %> ablate configs/suites/quickstart.yaml --dry-run',
    '<%= config.bin %> ablate configs/suites/paper.yaml --dry-run --no-estimate --json',
    '<%= config.bin %> ablate configs/suites/cpu-kvasir.yaml --jobs 2',
  ];
  static override args = {suite: Args.string({description: 'Suite file (YAML)', required: true})};
  static override flags = {
    'dry-run': Flags.boolean({description: 'Show the plan (validating every run); write nothing but the calibration cache'}),
    estimate: Flags.boolean({description: 'Time a few training steps per distinct model to estimate the time, and measure its batch-1 inference latency for `mslk report` (cached in <store>/.calibration.json)', default: true, allowNo: true}),
    jobs: Flags.integer({description: 'Runs trained at once (child processes); default: the number of cores', min: 1}),
    store: outDirFlag({description: 'Folder of run directories (the run store)', default: 'runs'}),
    'rerun-failed': Flags.boolean({description: 'Retry runs that failed'}),
    backend: backendFlag(),
    'data-root': dataRootFlag(),
  };

  async run(): Promise<PlanReport & {summary?: SuiteSummary; results?: VariantResult[]}> {
    const {args, flags} = await this.parse(Ablate);
    const jobs = flags.jobs ?? availableParallelism();
    const onStage = (m: string) => this.logToStderr(m);
    await selectBackend(backendChoice(flags.backend));
    if (flags['dry-run']) {
      const plan = await planSuite(args.suite, {store: flags.store, ...(flags['data-root'] ? {dataRoot: flags['data-root']} : {}), onStage});
      const report = await planReport(plan, {jobs, estimate: flags.estimate, writeCache: true, onStage});
      this.log(formatPlanTable(report, {progress: false}));
      return report;
    }
    // Children inherit the backend choice: one process per run, each with its share of the cores.
    if (flags.backend !== undefined && flags.backend !== 'auto') process.env['MSLK_BACKEND'] = flags.backend;
    const result = await runSuiteCommand(args.suite, {
      store: flags.store, jobs, estimate: flags.estimate, rerunFailed: flags['rerun-failed'],
      ...(flags['data-root'] ? {dataRoot: flags['data-root']} : {}),
    }, {log: (l) => this.log(l), logToStderr: (l) => this.logToStderr(l), json: this.jsonEnabled(), showPlan: true});
    return {...result.report, summary: result.summary, results: result.results};
  }
}
