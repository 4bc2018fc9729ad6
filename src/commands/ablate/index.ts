import {Args, Flags, type Interfaces} from '@oclif/core';
import {stat} from 'node:fs/promises';
import {join} from 'node:path';
import {availableParallelism} from 'node:os';
import {MslkCommand} from '../../cli/base-command.js';
import {backendFlag, dataRootFlag, outDirFlag} from '../../cli/flags.js';
import {backendChoice, isGpuBackend, selectBackend} from '../../engine/backends.js';
import {planSuite} from '../../ablations/plan.js';
import {planReport, type PlanReport} from '../../ablations/plan-status.js';
import {formatPlanTable} from '../../ablations/plan-table.js';
import type {SuiteSummary} from '../../ablations/local-executor.js';
import type {VariantResult} from '../../ablations/suite-results.js';
import {reportCommandLine, runSuiteCommand} from '../../cli/run-suite.js';
import {INTERRUPTED_EXIT_CODE} from '../../cli/interrupt.js';
import {clusterSuiteMessage} from '../../ablations/ablate.js';
import {runSlurmSuiteCommand} from '../../cli/slurm-suite.js';
import {slurmScheduler} from '../../ablations/slurm/scheduler.js';
import type {SlurmResources} from '../../ablations/slurm/resources.js';
import {makeReport} from '../../reports/make-report.js';

/** The flags that only the SLURM executor reads (an error with the local one). */
const SLURM_FLAGS = ['partition', 'account', 'qos', 'time', 'gres', 'cpus-per-task', 'mem', 'throttle', 'requeue', 'sbatch', 'setup', 'wait', 'poll-interval'] as const;
const slurm = 'SLURM (with --executor slurm)';

export default class Ablate extends MslkCommand {
  static override description = 'Plan, prepare and run an ablation suite (configs/suites/*.yaml): variants x datasets x folds x seeds plus baselines; --dry-run shows the plan with statuses, costs and an estimated time';
  static override examples = [
    '<%= config.bin %> ablate configs/suites/quickstart.yaml --dry-run',
    '<%= config.bin %> ablate configs/suites/paper.yaml --dry-run --no-estimate --json',
    '<%= config.bin %> ablate configs/suites/cpu-kvasir.yaml --jobs 2',
    '<%= config.bin %> ablate configs/suites/cpu-kvasir.yaml --report',
    '<%= config.bin %> ablate configs/suites/paper.yaml --executor slurm --partition gpu --gres gpu:1 --cpus-per-task 8 --mem 32G --time 24:00:00 --store /project/lab/mslk-runs --dry-run',
  ];
  static override args = {suite: Args.string({description: 'Suite file (YAML)', required: true})};
  static override flags = {
    'dry-run': Flags.boolean({description: 'Show the plan (validating every run); write nothing but the calibration cache of a store that exists'}),
    estimate: Flags.boolean({description: 'Time a few training steps per distinct model to estimate the time, and measure its batch-1 inference latency for `mslk report` (cached in <store>/.calibration.json)', default: true, allowNo: true}),
    jobs: Flags.integer({description: 'Runs trained at once (child processes); default: the number of cores, or 1 on a GPU backend (webgpu, tensorflow), whose runs would share one GPU', min: 1}),
    store: outDirFlag({description: 'Folder of run directories (the run store)', default: 'runs'}),
    'rerun-failed': Flags.boolean({description: 'Retry runs that failed'}),
    report: Flags.boolean({description: "Write the suite's report (as `mslk report <suite> --store <store>` does, into reports/<suite>) once the runs ended; without it ablate ends by naming that command"}),
    backend: backendFlag(),
    'data-root': dataRootFlag(),
    executor: Flags.option({description: 'Where the runs train: here (local: child processes; the default) or on a SLURM cluster (slurm: one array job, a task per run; the store must be on a file system the nodes share). A suite with an executor.slurm block needs it said', options: ['local', 'slurm'] as const})(),
    partition: Flags.string({description: `${slurm} sbatch --partition`, helpGroup: 'SLURM'}),
    account: Flags.string({description: `${slurm} sbatch --account`, helpGroup: 'SLURM'}),
    qos: Flags.string({description: `${slurm} sbatch --qos`, helpGroup: 'SLURM'}),
    time: Flags.string({description: `${slurm} sbatch --time: wall-time limit per run, e.g. 24:00:00 (a run stopped by it resumes when resubmitted)`, helpGroup: 'SLURM'}),
    gres: Flags.string({description: `${slurm} sbatch --gres per run, e.g. gpu:1`, helpGroup: 'SLURM'}),
    'cpus-per-task': Flags.integer({description: `${slurm} sbatch --cpus-per-task (default 1): cores per run`, min: 1, helpGroup: 'SLURM'}),
    mem: Flags.string({description: `${slurm} sbatch --mem per run, e.g. 32G`, helpGroup: 'SLURM'}),
    throttle: Flags.integer({description: `${slurm} at most this many runs at once (--array=...%N)`, min: 1, helpGroup: 'SLURM'}),
    requeue: Flags.boolean({description: `${slurm} sbatch --requeue: a preempted run is requeued and resumes from its checkpoint`, helpGroup: 'SLURM'}),
    sbatch: Flags.string({description: `${slurm} an extra sbatch option, e.g. --sbatch=--constraint=a100 (repeatable)`, multiple: true, helpGroup: 'SLURM'}),
    setup: Flags.string({description: `${slurm} a shell line each task runs first, e.g. --setup 'module load nodejs/20' (repeatable)`, multiple: true, helpGroup: 'SLURM'}),
    wait: Flags.boolean({description: `${slurm} wait until every task ended, then print the results`, helpGroup: 'SLURM'}),
    'poll-interval': Flags.integer({description: `${slurm} seconds between two looks at the queue while waiting`, default: 10, min: 1, helpGroup: 'SLURM'}),
  };

  async run(): Promise<PlanReport & {summary?: SuiteSummary; results?: VariantResult[]; reportDir?: string}> {
    const {args, flags} = await this.parse(Ablate);
    if (flags.report && flags['dry-run']) throw Object.assign(new Error('--report writes the report once the runs trained, and --dry-run trains nothing: drop one of them'), {exitCode: 2});
    if (flags.executor === 'slurm') return this.onSlurm(args.suite, flags);
    const slurmOnly = SLURM_FLAGS.find((f) => f !== 'poll-interval' && flags[f] !== undefined && flags[f] !== false);
    if (slurmOnly !== undefined) throw new Error(`--${slurmOnly} is a SLURM setting: add --executor slurm (or drop --${slurmOnly} to train here)`);
    const onStage = (m: string) => this.logToStderr(m);
    const {chosen} = await selectBackend(backendChoice(flags.backend));
    // Runs on one GPU would compete for its memory and its queue: one at a time there unless --jobs says otherwise.
    const jobs = flags.jobs ?? (isGpuBackend(chosen) ? 1 : availableParallelism());
    if (flags['dry-run']) {
      const plan = await planSuite(args.suite, {store: flags.store, ...(flags['data-root'] ? {dataRoot: flags['data-root']} : {}), onStage});
      if (flags.executor === undefined && plan.executor?.slurm !== undefined) this.logToStderr(`warning: ${clusterSuiteMessage(plan)}`);
      // A dry run writes nothing: the calibration cache only into a store that exists already.
      const storeExists = (await stat(plan.store).catch(() => undefined))?.isDirectory() ?? false;
      const report = await planReport(plan, {jobs, estimate: flags.estimate, writeCache: storeExists, onStage});
      this.log(formatPlanTable(report, {progress: false}));
      return report;
    }
    // Children inherit the backend choice: one process per run, each with its share of the cores.
    if (flags.backend !== undefined && flags.backend !== 'auto') process.env['MSLK_BACKEND'] = flags.backend;
    const result = await runSuiteCommand(args.suite, {
      store: flags.store, jobs, estimate: flags.estimate, rerunFailed: flags['rerun-failed'], refuseClusterSuite: flags.executor === undefined,
      ...(flags['data-root'] ? {dataRoot: flags['data-root']} : {}),
    }, {log: (l) => this.log(l), logToStderr: (l) => this.logToStderr(l), json: this.jsonEnabled(), showPlan: true,
      ...(flags.report ? {} : {reportCommand: reportCommandLine(args.suite, flags.store, flags['data-root'])})});
    const reportDir = flags.report && process.exitCode !== INTERRUPTED_EXIT_CODE ? await this.writeReport(args.suite, flags.store, flags['data-root']) : undefined;
    return {...result.report, summary: result.summary, results: result.results, ...(reportDir !== undefined ? {reportDir} : {})};
  }

  /** --report: the suite's report, as `mslk report` writes it (reports/<suite>); returns its folder. */
  private async writeReport(suite: string, store: string, dataRoot: string | undefined): Promise<string> {
    const report = await makeReport(suite, {store, onStage: (m) => this.logToStderr(m), ...(dataRoot ? {dataRoot} : {})});
    if (!this.jsonEnabled()) this.log(`\nReport: ${join(report.out, 'index.html')} (${report.files.length} files: tables, charts, CSVs, paired tests)`);
    return report.out;
  }

  /**
   * `--executor slurm`: submit the pending runs as array jobs (one unless the suite is larger than the cluster's
   * MaxArraySize), or print their scripts under --dry-run. The JSON has every job id and script, in task order.
   */
  private async onSlurm(suite: string, flags: Interfaces.InferredFlags<typeof Ablate.flags>): Promise<PlanReport & {jobIds: string[]; scripts: string[]; results?: VariantResult[]; reportDir?: string}> {
    if (flags.jobs !== undefined) throw new Error('--jobs is for the local executor: with --executor slurm, --throttle caps the runs at once');
    if (flags.report && !flags.wait) throw Object.assign(new Error(`--report writes the report once the runs ended: with --executor slurm add --wait, or run \`${reportCommandLine(suite, flags.store, flags['data-root'])}\` when the array job is done`), {exitCode: 2});
    // --backend is the nodes' (passed to every task); the login node, which may lack a GPU binding, counts on its own.
    await selectBackend('auto');
    const resources: SlurmResources = {
      ...(flags.partition !== undefined ? {partition: flags.partition} : {}), ...(flags.account !== undefined ? {account: flags.account} : {}),
      ...(flags.qos !== undefined ? {qos: flags.qos} : {}), ...(flags.time !== undefined ? {time: flags.time} : {}),
      ...(flags.gres !== undefined ? {gres: flags.gres} : {}), ...(flags['cpus-per-task'] !== undefined ? {cpusPerTask: flags['cpus-per-task']} : {}),
      ...(flags.mem !== undefined ? {mem: flags.mem} : {}), ...(flags.throttle !== undefined ? {throttle: flags.throttle} : {}),
      ...(flags.requeue ? {requeue: true} : {}), ...(flags.sbatch ? {sbatch: flags.sbatch} : {}), ...(flags.setup ? {setup: flags.setup} : {}),
    };
    const outcome = await runSlurmSuiteCommand(suite, {
      store: flags.store, resources, rerunFailed: flags['rerun-failed'], dryRun: flags['dry-run'], latency: flags.estimate,
      scheduler: slurmScheduler(), ...(flags.backend !== undefined ? {backend: flags.backend} : {}),
      ...(flags['data-root'] ? {dataRoot: flags['data-root']} : {}),
    }, {wait: flags.wait, pollMs: flags['poll-interval'] * 1000}, {log: (l) => this.log(l), logToStderr: (l) => this.logToStderr(l), json: this.jsonEnabled()});
    const reportDir = flags.report && outcome.results !== undefined ? await this.writeReport(suite, flags.store, flags['data-root']) : undefined;
    return {...outcome.report, jobIds: outcome.submissions.map((s) => s.jobId), scripts: outcome.arrays.map((a) => a.script), ...(outcome.results ? {results: outcome.results} : {}),
      ...(reportDir !== undefined ? {reportDir} : {})};
  }
}

