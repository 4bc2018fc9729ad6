import {join} from 'node:path';
import {availableParallelism} from 'node:os';
import {Flags} from '@oclif/core';
import {MslkCommand} from '../cli/base-command.js';
import {backendFlag, dataRootFlag, outDirFlag} from '../cli/flags.js';
import {backendChoice, selectBackend} from '../engine/backends.js';
import {runSuiteCommand} from '../cli/run-suite.js';
import type {VariantResult} from '../ablations/suite-results.js';
import {PACKAGE_CONFIGS} from '../config/files.js';
import {makeReport} from '../reports/make-report.js';

export default class Quickstart extends MslkCommand {
  static override description = 'Run the quickstart suite (configs/suites/quickstart.yaml: MS-LKSeg, three ablations and U-Net on built-in synthetic data, 2 seeds), print its results and write its report (reports/quickstart/index.html); a second call trains nothing';
  static override examples = ['<%= config.bin %> quickstart', '<%= config.bin %> quickstart --jobs 1 --store my-runs'];
  static override flags = {
    jobs: Flags.integer({description: 'Runs trained at once (child processes); default: the number of cores', min: 1}),
    store: outDirFlag({description: 'Folder of run directories (the run store)', default: 'runs'}),
    out: outDirFlag({description: 'Report folder', default: join('reports', 'quickstart')}),
    backend: backendFlag(),
    'data-root': dataRootFlag(),
  };

  async run(): Promise<{results: VariantResult[]; store: string; report: string}> {
    const {flags} = await this.parse(Quickstart);
    const jobs = flags.jobs ?? availableParallelism();
    // The plan builds each model once to count its parameters and FLOPs; the children inherit the choice.
    await selectBackend(backendChoice(flags.backend));
    if (flags.backend !== undefined && flags.backend !== 'auto') process.env['MSLK_BACKEND'] = flags.backend;
    const suite = join(PACKAGE_CONFIGS, 'suites', 'quickstart.yaml');
    const result = await runSuiteCommand(suite, {
      // No time estimate (the suite is small), but the latency of each model, which the report shows.
      store: flags.store, jobs, estimate: false, latency: true, ...(flags['data-root'] ? {dataRoot: flags['data-root']} : {}),
    }, {log: (l) => this.log(l), logToStderr: (l) => this.logToStderr(l), json: this.jsonEnabled(), showPlan: false});
    if (!this.jsonEnabled()) this.log(`\nRun directories: ${result.plan.store} (suite manifest: ${join(result.plan.store, 'suites', 'quickstart.json')})`);
    const report = await makeReport(suite, {store: flags.store, out: flags.out, onStage: (m) => this.logToStderr(m),
      ...(flags['data-root'] ? {dataRoot: flags['data-root']} : {})});
    const page = join(report.out, 'index.html');
    if (!this.jsonEnabled()) this.log(`Report: ${page} (${report.files.length} files: tables, charts, CSVs, paired tests)`);
    return {results: result.results, store: result.plan.store, report: page};
  }
}
