import {Args, Flags} from '@oclif/core';
import {MslkCommand} from '../../cli/base-command.js';
import {dataRootFlag} from '../../cli/flags.js';
import {formatBytes} from '../../cli/format.js';
import {createProgress} from '../../cli/progress.js';
import {resolveDataRoot} from '../../datasets/data-root.js';
import {fetchDataset, type FetchResult} from '../../datasets/fetch.js';

export default class DatasetsFetch extends MslkCommand {
  static override description = 'Download a dataset with public direct links, verify its sha256 and every pair, and unpack it safely into the data root; for datasets behind a form or login, say where and how to get them';
  static override examples = ['<%= config.bin %> datasets fetch kvasir-seg', '<%= config.bin %> datasets fetch drive', '<%= config.bin %> datasets fetch chase-db1 --from ~/Downloads/CHASEDB1.zip'];
  static override args = {name: Args.string({description: 'Dataset name (see datasets list)', required: true})};
  static override flags = {
    'data-root': dataRootFlag(),
    force: Flags.boolean({description: 'Replace a copy that is already present', default: false}),
    from: Flags.string({description: 'Install from a copy you downloaded (the .zip or the unpacked folder): its layout, pairs and checksums are verified first'}),
  };

  async run(): Promise<FetchResult> {
    const {args, flags} = await this.parse(DatasetsFetch);
    const bar = createProgress({format: '{archive} [{bar}] {percentage}% {received}', json: this.jsonEnabled()});
    let current = '';
    try {
      const result = await fetchDataset(args.name, {
        dataRoot: resolveDataRoot(flags['data-root']),
        force: flags.force,
        ...(flags.from ? {from: flags.from} : {}),
        onProgress: (archive, progress) => {
          if (archive !== current) {
            bar.stop();
            current = archive;
          }
          bar.update(progress.total ? progress.received : 0, progress.total ?? 1, {archive, received: formatBytes(progress.received)});
        },
      });
      bar.stop();
      switch (result.status) {
        case 'installed':
          this.log(`Installed ${result.name} in ${result.path}${result.from ? ` from ${result.from}` : ''}: ${result.pairs} pairs verified, ${result.checksumsMatched} files match the official checksums`);
          for (const warning of result.warnings ?? []) this.log(`  note: ${warning}`);
          for (const a of result.archives) this.log(`  ${a.url}: ${formatBytes(a.bytes)}, sha256 ${a.sha256}${a.verified ? ' (verified)' : ' (no published checksum to compare)'}`);
          break;
        case 'already-present':
          this.log(`${result.name} is already in ${result.path} (check it with: mslk datasets verify ${result.name}; replace it with --force)`);
          break;
        case 'generated':
          this.log(`Generated ${result.name} in ${result.path}`);
          break;
        case 'manual':
          this.log(`${result.name} cannot be downloaded automatically: its owners require a manual download.`);
          if (result.page) this.log(`  Where: ${result.page}`);
          this.log(`  How: ${result.instructions}`);
          this.log(`  Then: ${result.importCommand}  (checks the layout and every pair, then installs it in ${result.path})`);
          break;
      }
      return result;
    } finally {
      bar.stop();
    }
  }
}
