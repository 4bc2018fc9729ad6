import {Args, Flags} from '@oclif/core';
import {MslkCommand} from '../../cli/base-command.js';
import {dataRootFlag} from '../../cli/flags.js';
import {resolveDataRoot} from '../../datasets/data-root.js';
import {importDataset, type ImportResult} from '../../datasets/import.js';

export default class DatasetsImport extends MslkCommand {
  static override description = 'Register a folder of image/mask pairs under a name; detects images/ + masks/ with equal stems, <stem> + <stem>_mask, or <stem> + <stem>_<anything> in a sibling folder, and says which it used';
  static override examples = [
    '<%= config.bin %> datasets import ./my-data --name polyps',
    '<%= config.bin %> datasets import ./scans --name scans --mask-suffix _seg',
    '<%= config.bin %> datasets import ./data --name x --images "img/**/*.png" --masks "gt/**/*.png"',
  ];
  static override args = {dir: Args.string({description: 'Folder with the images and masks', required: true})};
  static override flags = {
    'data-root': dataRootFlag(),
    name: Flags.string({description: 'Name to use in other commands and configs', required: true}),
    images: Flags.string({description: 'Glob of the image files, relative to the folder (with --masks)', dependsOn: ['masks']}),
    masks: Flags.string({description: 'Glob of the mask files, relative to the folder (with --images)', dependsOn: ['images']}),
    'mask-suffix': Flags.string({description: 'Masks are <stem><suffix> (e.g. _mask, _seg)'}),
    force: Flags.boolean({description: 'Point a name that is already imported at this folder', default: false}),
  };

  async run(): Promise<ImportResult> {
    const {args, flags} = await this.parse(DatasetsImport);
    const result = await importDataset(args.dir, {
      dataRoot: resolveDataRoot(flags['data-root']),
      name: flags.name,
      ...(flags.images ? {imagesGlob: flags.images} : {}),
      ...(flags.masks ? {masksGlob: flags.masks} : {}),
      ...(flags['mask-suffix'] ? {maskSuffix: flags['mask-suffix']} : {}),
      force: flags.force,
    });
    this.log(`Imported ${result.name}: ${result.pairs} pairs from ${result.root}`);
    this.log(`  ${result.detectedBy}`);
    if (result.replaced) this.log(`  (${result.name} pointed to ${result.replaced} before)`);
    if (result.classes) this.log(`  classes: ${Object.entries(result.classes).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    if (result.splits) this.log(`  official split: ${Object.entries(result.splits).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    this.log(`  next: mslk datasets verify ${result.name}; mslk datasets prepare ${result.name} --size 256`);
    return result;
  }
}
