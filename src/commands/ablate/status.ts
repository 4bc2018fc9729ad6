import {Args} from '@oclif/core';
import {stat} from 'node:fs/promises';
import {availableParallelism} from 'node:os';
import {MslkCommand} from '../../cli/base-command.js';
import {dataRootFlag, inDirFlag} from '../../cli/flags.js';
import {Flags} from '@oclif/core';
import {planSuite} from '../../ablations/plan.js';
import {planReport, type PlanReport} from '../../ablations/plan-status.js';
import {formatPlanTable} from '../../ablations/plan-table.js';
import {backendChoice, selectBackend} from '../../engine/backends.js';
import {backendFlag} from '../../cli/flags.js';
import {slurmScheduler} from '../../ablations/slurm/scheduler.js';
import {suiteTasks} from '../../ablations/slurm/submit-suite.js';
import type {ScheduledTask} from '../../ablations/plan-status.js';

export default class AblateStatus extends MslkCommand {
  static override description = "Where every run of a suite stands in the store: done / partial at epoch k / running (owner) / failed / pending / no data, with epochs done, costs and the time still needed; for a suite submitted with --executor slurm, merged with the scheduler's view (queued, running on a node, the task's state and log)";
  static override examples = ['<%= config.bin %> ablate status configs/suites/quickstart.yaml', '<%= config.bin %> ablate status configs/suites/paper.yaml --no-estimate --json'];
  static override args = {suite: Args.string({description: 'Suite file (YAML)', required: true})};
  static override flags = {
    estimate: Flags.boolean({description: 'Estimate the time still needed, and measure each model\'s batch-1 inference latency for `mslk report` (cached in <store>/.calibration.json)', default: true, allowNo: true}),
    jobs: Flags.integer({description: 'Jobs the estimate divides by; default: the number of cores', min: 1}),
    store: inDirFlag({description: 'Folder of run directories (the run store)', default: 'runs'}),
    backend: backendFlag(),
    'data-root': dataRootFlag(),
  };

  async run(): Promise<PlanReport> {
    const {args, flags} = await this.parse(AblateStatus);
    const onStage = (m: string) => this.logToStderr(m);
    const plan = await planSuite(args.suite, {store: flags.store, ...(flags['data-root'] ? {dataRoot: flags['data-root']} : {}), onStage});
    await selectBackend(backendChoice(flags.backend));
    // A suite submitted to SLURM: the scheduler says which runs wait, where they run, how their tasks ended.
    let tasks: Map<string, ScheduledTask> | undefined;
    try {
      tasks = await suiteTasks(plan, slurmScheduler());
    } catch (error) {
      onStage(`warning: ${(error as Error).message}; showing the store only`);
    }
    // Status only looks: a store that does not exist is not created (not even for the calibration cache).
    const storeExists = (await stat(plan.store).catch(() => undefined))?.isDirectory() ?? false;
    const report = await planReport(plan, {jobs: flags.jobs ?? availableParallelism(), estimate: flags.estimate, writeCache: storeExists, onStage, ...(tasks ? {tasks} : {})});
    this.log(formatPlanTable(report, {progress: true}));
    if (!storeExists) this.logToStderr(`note: the store ${plan.store} does not exist yet: no run of this suite has started there (another --store?); nothing was written`);
    return report;
  }
}
