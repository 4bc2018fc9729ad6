import {MslkCommand} from '../cli/base-command.js';
import {backendFlag, dataRootFlag} from '../cli/flags.js';
import {resolveDataRoot} from '../datasets/data-root.js';
import {runDoctor, type DoctorReport} from '../engine/doctor.js';
import {formatBytes} from '../cli/format.js';
import type {BackendStatus} from '../engine/backends.js';
import {describeAdapter} from '../engine/webgpu.js';

/** Where a backend's detail starts in the listing: below it go the lines that qualify it. */
const INDENT = ' '.repeat(2 + 1 + 1 + 15 + 1);

/**
 * A backend as `mslk doctor` lists it: its mark (* chosen, + trains, - does not) and state with the detail, then for
 * webgpu the adapter (unless the detail names it) or why there is none, and why `auto` skips a backend that trains.
 */
function backendLines(b: BackendStatus, chosen: string | null): string[] {
  const mark = b.name === chosen ? '*' : b.available ? '+' : '-';
  const state = !b.available ? 'unavailable' : b.notForAuto !== undefined && b.name !== chosen ? 'available, auto skips it' : 'available';
  const detail = b.name === 'webgpu' && b.adapter === undefined && !b.available ? `no WebGPU adapter: ${b.detail}` : b.detail;
  const lines = [`  ${mark} ${b.name.padEnd(15)} ${state}: ${detail}`];
  if (b.adapter !== undefined && !detail.includes(describeAdapter(b.adapter))) lines.push(`${INDENT}adapter: ${describeAdapter(b.adapter)}`);
  if (b.notForAuto !== undefined) lines.push(`${INDENT}${b.notForAuto}`);
  return lines;
}

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
    for (const b of report.backends) for (const line of backendLines(b, report.chosen)) this.log(line);
    this.log(`CPU path on wasm: ${report.nativeCpu.detail}`);
    const onAdapter = report.chosen === 'webgpu' && report.webgpu?.adapter ? ` on ${describeAdapter(report.webgpu.adapter)}` : '';
    this.log(`Chosen backend: ${report.chosen ?? 'none'}${onAdapter}${report.ok ? '' : ': no probed backend trains here (see the reasons above)'}`);
    this.log(`Data root: ${report.dataRoot.path} (${report.dataRoot.freeBytes === null ? 'free space unknown' : `${formatBytes(report.dataRoot.freeBytes)} free`})`);
    this.log('Packages: ' + Object.entries(report.packages).map(([k, v]) => `${k} ${v ?? '(not installed)'}`).join(', '));
    // Exit non-zero but still return the report: under --json oclif prints it (this.exit would print an error instead).
    if (!report.ok) process.exitCode = 1;
    return report;
  }
}
