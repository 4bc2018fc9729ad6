import {join} from 'node:path';
import {Args, Flags} from '@oclif/core';
import {MslkCommand} from '../cli/base-command.js';
import {backendFlag, dataRootFlag, inDirFlag, outDirFlag} from '../cli/flags.js';
import {backendChoice, selectBackend} from '../engine/backends.js';
import {formatHeadline} from '../reports/headline.js';
import type {SummaryRow} from '../reports/model.js';
import {makeReport} from '../reports/make-report.js';

export default class Report extends MslkCommand {
  static override description = "Write a report of a suite's runs (or of a folder of runs): index.html (offline), results.csv, summary.csv, per-image.csv, paper-ready tables (Markdown, LaTeX with booktabs, macros.tex), charts (Vega-Lite + SVG), paired tests with CIs and a prediction gallery";
  static override examples = [
    '<%= config.bin %> report configs/suites/quickstart.yaml',
    '<%= config.bin %> report quickstart --out reports/quickstart',
    '<%= config.bin %> report runs/ --out reports/all-runs --json',
  ];
  static override args = {source: Args.string({description: 'Suite file (its manifest in --store), a suite name, or a folder of run directories', required: true})};
  static override flags = {
    out: outDirFlag({description: 'Report folder (default: reports/<suite or folder name>); files already there that the report does not write are kept'}),
    store: inDirFlag({description: "Folder of run directories holding the suite's manifest (the run store ablate used)", default: 'runs'}),
    costs: Flags.boolean({description: 'Count parameters and GFLOPs of each model (from the calibration cache ablate keeps in the store, else by building each distinct model once) and show the batch-1 latency ablate measured there (never timed by the report)', default: true, allowNo: true}),
    gallery: Flags.boolean({description: "Predict the gallery's test images again from each variant's checkpoint", default: true, allowNo: true}),
    backend: backendFlag(),
    'data-root': dataRootFlag(),
  };

  async run(): Promise<{out: string; files: string[]; summary: SummaryRow[]}> {
    const {args, flags} = await this.parse(Report);
    if (flags.costs || flags.gallery) await selectBackend(backendChoice(flags.backend));
    const {model, out, files} = await makeReport(args.source, {
      ...(flags.out ? {out: flags.out} : {}), store: flags.store, costs: flags.costs, gallery: flags.gallery, onStage: (m) => this.logToStderr(m),
      ...(flags['data-root'] ? {dataRoot: flags['data-root']} : {}),
    });
    this.log(formatHeadline(model));
    this.log(`\nWrote ${files.length} files to ${out}; open ${join(out, 'index.html')}`);
    return {out, files, summary: model.summary};
  }
}
