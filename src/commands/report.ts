import {join} from 'node:path';
import {Args, Flags} from '@oclif/core';
import {MslkCommand} from '../cli/base-command.js';
import {backendFlag, outDirFlag} from '../cli/flags.js';
import {backendChoice, selectBackend} from '../engine/backends.js';
import {collectReport} from '../reports/collect.js';
import {formatHeadline} from '../reports/headline.js';
import type {SummaryRow} from '../reports/model.js';
import {writeReport} from '../reports/write-report.js';
import {sanitiseNamePart} from '../runs/locate-run.js';

export default class Report extends MslkCommand {
  static override description = "Write a report of a suite's runs (or of a folder of runs): results.csv, summary.csv, per-image.csv and paper-ready tables (Markdown, LaTeX with booktabs, macros.tex)";
  static override examples = [
    '<%= config.bin %> report configs/suites/quickstart.yaml',
    '<%= config.bin %> report quickstart --out reports/quickstart',
    '<%= config.bin %> report runs/ --out reports/all-runs --json',
  ];
  static override args = {source: Args.string({description: 'Suite file (its manifest in --store), a suite name, or a folder of run directories', required: true})};
  static override flags = {
    out: outDirFlag({description: 'Report folder (default: reports/<suite or folder name>); files already there that the report does not write are kept'}),
    store: outDirFlag({description: "Folder of run directories holding the suite's manifest (the run store ablate used)", default: 'runs'}),
    costs: Flags.boolean({description: 'Count parameters and GFLOPs of each model (from the calibration cache ablate keeps in the store, else by building each distinct model once)', default: true, allowNo: true}),
    backend: backendFlag(),
  };

  async run(): Promise<{out: string; files: string[]; summary: SummaryRow[]}> {
    const {args, flags} = await this.parse(Report);
    if (flags.costs) await selectBackend(backendChoice(flags.backend));
    const model = await collectReport(args.source, {store: flags.store, costs: flags.costs, onStage: (m) => this.logToStderr(m)});
    const out = flags.out ?? join('reports', sanitiseNamePart(model.title));
    const files = await writeReport(model, out);
    this.log(formatHeadline(model));
    this.log(`\nWrote ${files.length} files to ${out}: ${files.join(', ')}`);
    return {out, files, summary: model.summary};
  }
}
