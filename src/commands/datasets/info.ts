import {Args} from '@oclif/core';
import {MslkCommand} from '../../cli/base-command.js';
import {dataRootFlag} from '../../cli/flags.js';
import {datasetInfo, describePresence, type DatasetInfo} from '../../datasets/catalog.js';
import {resolveDataRoot} from '../../datasets/data-root.js';

export default class DatasetsInfo extends MslkCommand {
  static override description = 'Show a dataset\'s layouts, pairing and mask rules, official split, download, terms and citation';
  static override examples = ['<%= config.bin %> datasets info kvasir-seg', '<%= config.bin %> datasets info busi --json'];
  static override args = {name: Args.string({description: 'Dataset name (see datasets list)', required: true})};
  static override flags = {
    'data-root': dataRootFlag(),
  };

  async run(): Promise<DatasetInfo> {
    const {args, flags} = await this.parse(DatasetsInfo);
    const info = await datasetInfo(args.name, resolveDataRoot(flags['data-root']));
    this.log(`${info.name}: ${info.title}`);
    this.log(`  task: ${info.task}`);
    this.log(`  modality: ${info.modality}`);
    if (info.expectedPairs !== undefined) this.log(`  pairs in the full release: ${info.expectedPairs}`);
    if (info.classes) this.log(`  classes: ${info.classes.join(', ')}`);
    this.log(`  location: ${info.path} (${describePresence(info)})`);
    for (const layout of info.layouts) {
      this.log(`  layout ${layout.id}: ${layout.description}`);
      this.log(`    pairing: ${layout.pairing}`);
      this.log(`    masks: ${layout.masks}`);
      if (layout.split) this.log(`    split: ${layout.split}`);
    }
    this.log(`  official split: ${info.officialSplit}`);
    // Two forms: the flag is `datasets prepare`'s only; train and suites take the run-config keys.
    for (const named of info.namedSplits ?? []) {
      this.log(`  split by name: ${named.name}: ${named.description} (datasets prepare --split ${named.name}; train: --set data.split.method=named --set data.split.name=${named.name})`);
    }
    if (info.knownChecksums) this.log(`  known checksums: ${info.knownChecksums} files`);
    const d = info.download;
    if (d.kind === 'direct') this.log(`  download: ${d.urls!.join(' ')} (mslk datasets fetch ${info.name}); page ${d.page}`);
    else if (d.kind === 'manual') this.log(`  download: by hand${d.page ? ` from ${d.page}` : ''}: ${d.instructions}`);
    else this.log(`  source: ${d.kind}${d.instructions ? ` (${d.instructions})` : ''}`);
    this.log(`  terms: ${info.terms}`);
    if (info.citation) this.log(`  cite: ${info.citation}`);
    for (const note of info.notes) this.log(`  note: ${note}`);
    return info;
  }
}
