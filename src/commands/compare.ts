import {Args, Flags} from '@oclif/core';
import {MslkCommand} from '../cli/base-command.js';
import {compareRuns, formatRunComparison, type RunComparison} from '../reports/compare-runs.js';

export default class Compare extends MslkCommand {
  static override description = "Compare two runs: their test metrics side by side and the per-image Dice difference (B - A) paired over the test images they share";
  static override examples = ['<%= config.bin %> compare runs/ms-lkseg-kvasir-seg-s0-3f2a9c1b7d4e runs/unet-kvasir-seg-s0-0a1b2c3d4e5f', '<%= config.bin %> compare 3f2a9c1b7d4e 0a1b2c3d4e5f --json'];
  static override args = {
    runA: Args.string({description: 'Run A: run directory, or its run id (runs/<id>, or <id> with --runs)', required: true}),
    runB: Args.string({description: 'Run B, the same way', required: true}),
  };
  static override flags = {
    runs: Flags.string({description: 'Folder of run directories, where a bare run id is looked up', default: 'runs'}),
  };

  async run(): Promise<RunComparison> {
    const {args, flags} = await this.parse(Compare);
    const comparison = await compareRuns(args.runA, args.runB, flags.runs);
    this.log(formatRunComparison(comparison));
    return comparison;
  }
}
