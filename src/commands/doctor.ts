import {MslkCommand} from '../cli/base-command.js';
import {backendFlag, dataRootFlag} from '../cli/flags.js';
import {resolveDataRoot} from '../datasets/data-root.js';
import {runDoctor, type DoctorReport} from '../engine/doctor.js';
import {formatBytes} from '../cli/format.js';

export default class Doctor extends MslkCommand {
  static override description = 'Show Node and package versions, each TF.js backend (and why it is unavailable), the hardware and the data root';
  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --json', '<%= config.bin %> doctor --backend tensorflow'];
  static override flags = {
    'data-root': dataRootFlag(),
    backend: backendFlag({description: 'Probe only this backend (default: auto, every backend in order of preference)'}),
  };

  async run(): Promise<DoctorReport> {
    const {flags} = await this.parse(Doctor);
    const report = await runDoctor({
      dataRoot: resolveDataRoot(flags['data-root']),
      ...(flags.backend === undefined || flags.backend === 'auto' ? {} : {backends: [flags.backend]}),
    });
    const s = report.system;
    this.log(`mslk ${report.mslk} on Node ${s.node} (${s.platform})`);
    this.log(`CPU: ${s.cpuModel}, ${s.cores} cores, ${s.memoryGiB} GiB`);
    this.log(`GPU: ${s.gpus.length ? s.gpus.map((g) => `${g.name} (${g.memoryMiB} MiB, driver ${g.driver})`).join('; ') : s.gpuNote ?? 'none'}`);
    this.log('Backends (in order of preference):');
    for (const b of report.backends) {
      const mark = b.name === report.chosen ? '*' : b.available ? '+' : '-';
      this.log(`  ${mark} ${b.name.padEnd(15)} ${b.available ? 'available' : 'unavailable'}: ${b.detail}`);
    }
    this.log(`CPU path on wasm: ${report.nativeCpu.detail}`);
    this.log(`Chosen backend: ${report.chosen ?? 'none'}${report.ok ? '' : ': no probed backend trains here (see the reasons above)'}`);
    this.log(`Data root: ${report.dataRoot.path} (${report.dataRoot.freeBytes === null ? 'free space unknown' : `${formatBytes(report.dataRoot.freeBytes)} free`})`);
    this.log('Packages: ' + Object.entries(report.packages).map(([k, v]) => `${k} ${v ?? '(not installed)'}`).join(', '));
    // Exit non-zero but still return the report: under --json oclif prints it (this.exit would print an error instead).
    if (!report.ok) process.exitCode = 1;
    return report;
  }
}
