import {basename} from 'node:path';
import {Args, Flags} from '@oclif/core';
import {MslkCommand} from '../cli/base-command.js';
import {backendFlag, checkpointFlag, outDirFlag} from '../cli/flags.js';
import {backendChoice, selectBackend} from '../engine/backends.js';
import {predictImages, type PredictedImage} from '../inference/predict.js';

export default class Predict extends MslkCommand {
  static override description = "Segment images with a run's model: binary mask PNGs at each image's original size, and overlays with the contours";
  static override examples = ['<%= config.bin %> predict runs/3f2a9c1b7d4e --input scans/ --out preds/', '<%= config.bin %> predict runs/3f2a9c1b7d4e --input a.jpg --ground-truth a_mask.png --out preds/'];
  static override args = {run: Args.string({description: 'Run directory, or its run id (runs/<id>, or <id> with --runs)', required: true})};
  static override flags = {
    input: Flags.string({description: 'An image or a folder of images', required: true}),
    out: outDirFlag({description: 'Output folder', required: true}),
    'ground-truth': Flags.string({description: 'Mask file (one input) or folder of masks with the same stems, drawn in green'}),
    checkpoint: checkpointFlag({description: 'Checkpoint to use'}),
    force: Flags.boolean({description: "Replace another run's predictions in --out (the folder records which run and checkpoint wrote it)", default: false}),
    runs: Flags.string({description: 'Folder of run directories, where a bare run id is looked up', default: 'runs'}),
    backend: backendFlag(),
  };

  async run(): Promise<{images: PredictedImage[]}> {
    const {args, flags} = await this.parse(Predict);
    await selectBackend(backendChoice(flags.backend));
    const images = await predictImages({
      dir: args.run, runs: flags.runs, input: flags.input, out: flags.out, checkpoint: flags.checkpoint, force: flags.force,
      ...(flags['ground-truth'] ? {groundTruth: flags['ground-truth']} : {}),
    });
    for (const p of images) this.log(`${p.image} -> ${p.mask}, ${p.overlay} (${p.width}x${p.height}, ${(100 * p.foreground).toFixed(1)}% foreground)`);
    if (flags['ground-truth'] !== undefined) {
      const missing = images.filter((p) => p.groundTruth === undefined).map((p) => basename(p.image));
      this.log(`ground truth drawn for ${images.length - missing.length} of ${images.length} images${missing.length ? ` (none in ${flags['ground-truth']} for ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''})` : ''}`);
    }
    return {images};
  }
}
