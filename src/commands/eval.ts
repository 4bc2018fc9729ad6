import {Args, Flags} from '@oclif/core';
import {MslkCommand} from '../cli/base-command.js';
import {backendFlag, checkpointFlag, dataRootFlag} from '../cli/flags.js';
import {backendChoice, selectBackend} from '../engine/backends.js';
import {reevaluateRun, type ReevaluateResult} from '../runs/reevaluate.js';

export default class Eval extends MslkCommand {
  static override description = "Compute a run's metrics again from a checkpoint, per image and overall, at each image's original resolution";
  static override examples = ['<%= config.bin %> eval runs/3f2a9c1b7d4e', '<%= config.bin %> eval runs/3f2a9c1b7d4e --split validation --checkpoint best --json'];
  static override args = {run: Args.string({description: 'Run directory, or its run id (runs/<id>, or <id> with --runs)', required: true})};
  static override flags = {
    split: Flags.option({options: ['test', 'validation'] as const, default: 'test', description: 'Split to evaluate'})(),
    checkpoint: checkpointFlag({description: 'Checkpoint to evaluate'}),
    runs: Flags.string({description: 'Folder of run directories, where a bare run id is looked up', default: 'runs'}),
    backend: backendFlag(),
    'data-root': dataRootFlag(),
  };

  async run(): Promise<ReevaluateResult> {
    const {args, flags} = await this.parse(Eval);
    await selectBackend(backendChoice(flags.backend));
    const result = await reevaluateRun({
      dir: args.run, runs: flags.runs, split: flags.split, checkpoint: flags.checkpoint,
      ...(flags['data-root'] ? {dataRoot: flags['data-root']} : {}),
    });
    const {summary, files} = result;
    const m = summary.metrics.perImageMean;
    const f = (v: number | null): string => (v === null ? '-' : v.toFixed(4));
    this.log(`${summary.split} split, ${summary.checkpoint} checkpoint (epoch ${summary.epoch}), ${summary.images} images, per-image mean at original resolution:`);
    this.log(`  mDice ${f(m.dice.mean)} +- ${f(m.dice.std)}  mIoU ${f(m.iou.mean)}  precision ${f(m.precision.mean)}  recall ${f(m.recall.mean)}  specificity ${f(m.specificity.mean)}  HD95 ${f(m.hd95.mean)} px`);
    this.log(`  pooled (secondary): Dice ${summary.metrics.pooled.dice.toFixed(4)}  IoU ${summary.metrics.pooled.iou.toFixed(4)}`);
    this.log(`  wrote ${files.summary} and ${files.perImageCsv}`);
    return result;
  }
}
