import {Args, Flags} from '@oclif/core';
import {MslkCommand} from '../../cli/base-command.js';
import {dataRootFlag} from '../../cli/flags.js';
import {resolveDataRoot} from '../../datasets/data-root.js';
import {checksumWords, imageDepthWords, verifyDataset, type VerifyReport} from '../../datasets/verify.js';

export default class DatasetsVerify extends MslkCommand {
  static override description = 'Check every pair (paired, decodable, same size, binary mask, checksum where known) and report all problems with their files; exits non-zero when there is any';
  static override examples = [
    '<%= config.bin %> datasets verify kvasir-seg',
    '<%= config.bin %> datasets verify ./my-data --json',
  ];
  static override args = {dataset: Args.string({description: 'Dataset name, imported name, or folder', required: true})};
  static override flags = {
    'data-root': dataRootFlag(),
    as: Flags.string({description: 'Read the folder as this registry dataset instead of detecting it'}),
    'mask-suffix': Flags.string({description: 'Masks are <stem><suffix> (for folders)'}),
    images: Flags.string({description: 'Glob of the image files, relative to the folder (with --masks), as datasets import takes it', dependsOn: ['masks']}),
    masks: Flags.string({description: 'Glob of the mask files, relative to the folder (with --images)', dependsOn: ['images']}),
    size: Flags.integer({description: 'Training size in pixels, to warn about images far smaller (default: warn under 16 px)'}),
  };

  async run(): Promise<VerifyReport> {
    const {args, flags} = await this.parse(DatasetsVerify);
    const report = await verifyDataset(args.dataset, {
      dataRoot: resolveDataRoot(flags['data-root']),
      ...(flags.as ? {as: flags.as} : {}),
      ...(flags['mask-suffix'] ? {maskSuffix: flags['mask-suffix']} : {}),
      ...(flags.images ? {imagesGlob: flags.images} : {}),
      ...(flags.masks ? {masksGlob: flags.masks} : {}),
      ...(flags.size ? {size: flags.size} : {}),
    });
    this.log(`${report.dataset}: ${report.root}`);
    this.log(`  ${report.detectedBy}`);
    this.log(`  ${report.pairs} pairs${report.expectedPairs !== undefined ? ` (full release: ${report.expectedPairs})` : ''}; ${checksumWords(report.checksums)}`);
    this.log(`  ${imageDepthWords(report.imageDepth)}`);
    const encodings = Object.entries(report.maskEncodings).map(([how, n]) => `${how}: ${n}`);
    if (encodings.length) this.log(`  masks read as: ${encodings.join(', ')}`);
    const {images, masks} = report.reoriented;
    if (images || masks) this.log(`  EXIF orientation applied (as image viewers show them): ${images} image${images === 1 ? '' : 's'}, ${masks} mask${masks === 1 ? '' : 's'}`);
    for (const warning of report.warnings) this.log(`  note: ${warning}`);
    for (const p of report.problems) this.log(`  problem: ${p.file}: ${p.problem}`);
    this.log(report.problems.length ? `${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} found` : 'OK: no problems');
    // Exit non-zero, but still print the JSON report (oclif prints the returned value after run).
    if (report.problems.length) process.exitCode = 1;
    return report;
  }
}
