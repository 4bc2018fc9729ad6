import {MslkCommand} from '../../cli/base-command.js';
import {outDirFlag} from '../../cli/flags.js';
import {formatStoreVerification, StoreNotFoundError, verifyStore, type StoreVerification} from '../../runs/verify-store.js';

export default class StoreVerify extends MslkCommand {
  static override description = 'Check every run of a store against the content hashes recorded when its files were written (config, split, manifest, log, evaluations, checkpoints) and every suite manifest; lists each problem with its fix and exits 1 when there is any';
  static override examples = ['<%= config.bin %> store verify', '<%= config.bin %> store verify --store /scratch/runs --json'];
  static override flags = {
    store: outDirFlag({description: 'Folder of run directories (the run store)', default: 'runs'}),
  };

  async run(): Promise<StoreVerification> {
    const {flags} = await this.parse(StoreVerify);
    let result: StoreVerification;
    try {
      result = await verifyStore(flags.store);
    } catch (error) {
      if (error instanceof StoreNotFoundError) throw Object.assign(error, {exitCode: 2});
      throw error;
    }
    for (const run of result.runs) for (const problem of run.problems) this.log(`problem: ${problem}`);
    for (const suite of result.suites) for (const problem of suite.problems) this.log(`problem: ${problem}`);
    this.log(formatStoreVerification(result));
    // Exit non-zero, but still print the JSON result (oclif prints the returned value after run).
    if (result.problems > 0) process.exitCode = 1;
    return result;
  }
}
