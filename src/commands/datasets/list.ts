import {MslkCommand} from '../../cli/base-command.js';
import {dataRootFlag} from '../../cli/flags.js';
import {describePresence, listDatasets, type CatalogRow} from '../../datasets/catalog.js';
import {resolveDataRoot} from '../../datasets/data-root.js';

export default class DatasetsList extends MslkCommand {
  static override description = 'List the known public datasets and imported folders: what each is, whether it is present under the data root, how to get it, its terms';
  static override examples = ['<%= config.bin %> datasets list', '<%= config.bin %> datasets list --json'];
  static override flags = {
    'data-root': dataRootFlag(),
  };

  async run(): Promise<{dataRoot: string; datasets: CatalogRow[]}> {
    const {flags} = await this.parse(DatasetsList);
    const dataRoot = resolveDataRoot(flags['data-root']);
    const datasets = await listDatasets(dataRoot);
    this.log(`Data root: ${dataRoot}`);
    const how = {direct: 'fetch', manual: 'manual download', generated: 'generated', imported: 'imported'} as const;
    for (const row of datasets) {
      const mark = row.state === 'present' ? '+' : row.state === 'unreadable' ? '!' : '-';
      this.log(`${mark} ${row.name.padEnd(18)} ${how[row.download].padEnd(16)} ${row.title}`);
      this.log(`    ${describePresence(row)}${row.state === 'absent' && row.expectedPairs !== undefined ? ` (${row.expectedPairs} pairs in the release)` : ''}`);
      this.log(`    terms: ${row.terms}`);
    }
    this.log('Get one: mslk datasets fetch <name>; details: mslk datasets info <name>; your own folder: mslk datasets import <dir> --name <name>');
    return {dataRoot, datasets};
  }
}
