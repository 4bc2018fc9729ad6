import {Args, Flags} from '@oclif/core';
import {MslkCommand} from '../../cli/base-command.js';
import {dataRootFlag, inFileFlag, outFileFlag} from '../../cli/flags.js';
import {createProgress} from '../../cli/progress.js';
import {resolveDataRoot} from '../../datasets/data-root.js';
import {prepareSplit, type PreparedWithSplit} from '../../datasets/prepare-with-split.js';

export default class DatasetsPrepare extends MslkCommand {
  static override description = 'Decode and resize every pair once into the on-disk cache (keyed by the data\'s fingerprint, the size and the preprocessing version) and write the split file';
  static override examples = [
    '<%= config.bin %> datasets prepare kvasir-seg --size 256',
    '<%= config.bin %> datasets prepare busi --size 256 --split kfold --folds 5 --fold 0 --seed 1',
    '<%= config.bin %> datasets prepare ./my-data --size 128 --split-file splits/my-data.json',
    '<%= config.bin %> datasets prepare chase-db1 --size 512 --split first-20',
  ];
  static override args = {dataset: Args.string({description: 'Dataset name, imported name, or folder', required: true})};
  static override flags = {
    'data-root': dataRootFlag(),
    size: Flags.integer({description: 'Side of the square images and masks in pixels (a multiple of 16)', default: 256, min: 16, max: 4096}),
    split: Flags.string({description: 'How to split: official where the dataset has one, else ratios (auto); or force one (auto, official, ratios, kfold), or a customary split by name (chase-db1: first-20; see datasets info)', default: 'auto'}),
    ratios: Flags.string({description: 'train,validation,test fractions (summing to 1) for --split ratios/auto', default: '0.8,0.1,0.1'}),
    folds: Flags.integer({description: 'Number of folds for --split kfold', default: 5, min: 2}),
    fold: Flags.integer({description: 'Which fold is the test set for --split kfold', default: 0, min: 0}),
    seed: Flags.integer({description: 'Seed of the split', default: 0}),
    'split-file': inFileFlag({description: 'Reuse this split file instead of making one'}),
    'split-out': outFileFlag({description: 'Where to write the split file (default: next to the cache)'}),
    force: Flags.boolean({description: 'Rebuild the cache even when a valid one exists', default: false}),
    as: Flags.string({description: 'Read the folder as this registry dataset instead of detecting it'}),
    'mask-suffix': Flags.string({description: 'Masks are <stem><suffix> (for folders)'}),
  };

  async run(): Promise<PreparedWithSplit> {
    const {args, flags} = await this.parse(DatasetsPrepare);
    const bar = createProgress({format: 'decoding [{bar}] {value}/{total} pairs', json: this.jsonEnabled()});
    try {
      const result = await prepareSplit(args.dataset, {
        dataRoot: resolveDataRoot(flags['data-root']),
        size: flags.size,
        force: flags.force,
        ...(flags.as ? {as: flags.as} : {}),
        ...(flags['mask-suffix'] ? {maskSuffix: flags['mask-suffix']} : {}),
        split: {
          ...(['auto', 'official', 'ratios', 'kfold'].includes(flags.split)
            ? {method: flags.split as 'auto' | 'official' | 'ratios' | 'kfold'}
            : {method: 'named' as const, name: flags.split}),
          seed: flags.seed,
          ratios: flags.ratios.split(',').map(Number) as [number, number, number],
          folds: flags.folds,
          fold: flags.fold,
        },
        ...(flags['split-file'] ? {splitFile: flags['split-file']} : {}),
        ...(flags['split-out'] ? {splitOut: flags['split-out']} : {}),
        onProgress: (done, total) => bar.update(done, total),
      });
      bar.stop();
      const p = result.prepared;
      this.log(`${p.dataset}: ${p.detectedBy}`);
      this.log(`  ${p.count} pairs at ${p.size}x${p.size} ${p.reused ? 'already in the cache' : `prepared in ${p.seconds.toFixed(1)} s`}: ${p.file}`);
      this.log(`  original-size masks ${p.originalMasksStored ? 'stored in the cache' : 'are re-read from the sources when needed'}`);
      this.log(`  fingerprint ${p.fingerprint}`);
      this.log(`  split: ${result.split.description}: ${result.splitFile}`);
      for (const warning of result.warnings) this.logToStderr(warning.message);
      return result;
    } finally {
      bar.stop();
    }
  }
}
