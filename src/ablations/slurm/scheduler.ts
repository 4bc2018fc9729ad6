// The two SLURM commands mslk needs, as typed calls: `sbatch --parsable` submits a batch script, `scontrol
// --oneliner show job` says where each task of an array job stands. scontrol is used rather than squeue because it
// also reports the tasks that ended (state, exit code, reason) for MinJobAge (300 s by default) after the end, and
// sacct only works where the cluster has accounting storage. What the scheduler no longer knows, the run store says.
import {execFile} from 'node:child_process';

/** Runs a command and returns its stdout; rejects with an error carrying its stderr and exit code. */
export type CommandRunner = (command: string, args: readonly string[]) => Promise<string>;

/** An error of a SLURM command: one line with the command, its message and the fix. */
export class SlurmCommandError extends Error {
  constructor(readonly command: string, message: string, readonly code: number | string | null) {
    super(message);
    this.name = 'SlurmCommandError';
  }
}

/** Runs SLURM commands with execFile in `env` (default this process's: SLURM_CONF and the like reach them). */
export const execCommand = (env: NodeJS.ProcessEnv = process.env): CommandRunner => (command, args) => new Promise((resolve, reject) => {
  execFile(command, [...args], {maxBuffer: 64 * 1024 * 1024, env}, (error, stdout, stderr) => {
    if (!error) return resolve(stdout);
    const code = (error as NodeJS.ErrnoException).code ?? null;
    if (code === 'ENOENT') {
      return reject(new SlurmCommandError(command, `${command} not found: run this on a SLURM login node (or where the SLURM client commands are on PATH), or drop --executor slurm to train here`, code));
    }
    const text = String(stderr).trim().split('\n').filter((l) => l.trim() !== '').pop() ?? error.message;
    reject(new SlurmCommandError(command, `${command} ${args.join(' ')} failed: ${text}`, typeof code === 'number' ? code : null));
  });
});

/** One record of `scontrol show job`: a task of an array job, or the collapsed record of its still-pending tasks. */
export interface SlurmTaskRecord {
  /** The array job's id (what sbatch printed). */
  arrayJobId: string;
  /** The task indexes this record stands for: one for a started task, several for pending ones. */
  taskIds: number[];
  /** JobState: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, PREEMPTED, NODE_FAIL, OUT_OF_MEMORY, ... */
  state: string;
  /** Reason (why it waits or ended), 'None' when there is none. */
  reason: string;
  /** ExitCode, `code:signal`. */
  exitCode: string;
  /** NodeList ('' while pending). */
  node: string;
  /** Restarts (requeues) so far. */
  restarts: number;
}

/**
 * The key=value fields of one `scontrol --oneliner` line. A value runs up to the next ` Key=` (values may contain
 * spaces, e.g. a Reason or a Command with arguments).
 */
export function parseOneliner(line: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const pattern = /(?:^|\s)([A-Za-z][\w:/]*)=(.*?)(?=\s+[A-Za-z][\w:/]*=|\s*$)/g;
  for (const match of line.matchAll(pattern)) fields[match[1]!] = match[2]!;
  return fields;
}

/**
 * The indexes of an ArrayTaskId field: `3`, `2-5`, `1,4-6%2` (a `%throttle` suffix is dropped). Throws on text that
 * is none of these.
 */
export function parseTaskIds(text: string): number[] {
  const ids: number[] = [];
  for (const part of text.replace(/%\d+$/, '').split(',')) {
    const range = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(part);
    if (!range) throw new Error(`unreadable ArrayTaskId "${text}"`);
    const first = Number(range[1]);
    const last = range[2] === undefined ? first : Number(range[2]);
    const step = range[3] === undefined ? 1 : Number(range[3]);
    for (let i = first; i <= last; i += step) ids.push(i);
  }
  return ids;
}

/** The task records in `scontrol --oneliner show job <array job id>` output (lines without ArrayJobId skipped). */
export function parseShowJob(output: string): SlurmTaskRecord[] {
  const records: SlurmTaskRecord[] = [];
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    const f = parseOneliner(line);
    if (f['ArrayJobId'] === undefined || f['ArrayTaskId'] === undefined || f['ArrayTaskId'] === '(null)') continue;
    records.push({
      arrayJobId: f['ArrayJobId'], taskIds: parseTaskIds(f['ArrayTaskId']), state: f['JobState'] ?? 'UNKNOWN',
      reason: f['Reason'] ?? 'None', exitCode: f['ExitCode'] ?? '', node: f['NodeList'] === '(null)' ? '' : f['NodeList'] ?? '',
      restarts: Number(f['Restarts'] ?? 0),
    });
  }
  return records;
}

/** SLURM's MaxArraySize when slurm.conf does not set it: array indexes 0..1000. */
export const DEFAULT_MAX_ARRAY_SIZE = 1001;

/**
 * MaxArraySize in `scontrol show config` output (`MaxArraySize            = 1001`): an array job's indexes must be
 * below it. DEFAULT_MAX_ARRAY_SIZE when the line is missing; 0 means the cluster allows no array jobs.
 */
export function parseMaxArraySize(config: string): number {
  const match = /^\s*MaxArraySize\s*=\s*(\d+)\s*$/m.exec(config);
  return match ? Number(match[1]) : DEFAULT_MAX_ARRAY_SIZE;
}

/** Options of Scheduler.submit. */
export interface SubmitOptions {
  /** Job ids the new job waits for (sbatch --dependency=afterany:<id>:...): it starts once they ended, however. */
  after?: readonly string[];
}

/** The scheduler as mslk uses it. */
export interface Scheduler {
  /**
   * Submits a batch script; resolves to the job id. A dependency is given on sbatch's command line, not in the
   * script, so the script stays resubmittable as is. Throws SlurmCommandError (sbatch missing or refusing).
   */
  submit(script: string, options?: SubmitOptions): Promise<string>;
  /** The cluster's MaxArraySize (parseMaxArraySize). Throws SlurmCommandError when scontrol cannot be run. */
  maxArraySize(): Promise<number>;
  /** Every task record of the array job `jobId`; [] when the scheduler no longer knows the job. */
  tasks(jobId: string): Promise<SlurmTaskRecord[]>;
}

/** The scheduler through its command-line tools (`run` is replaceable for tests of the parsing). */
export function slurmScheduler(run: CommandRunner = execCommand()): Scheduler {
  return {
    async submit(script, options = {}) {
      const after = options.after ?? [];
      const out = (await run('sbatch', ['--parsable', ...(after.length > 0 ? [`--dependency=afterany:${after.join(':')}`] : []), script])).trim();
      // --parsable prints "jobid" or "jobid;cluster".
      const jobId = out.split('\n').pop()!.split(';')[0]!.trim();
      if (!/^\d+$/.test(jobId)) throw new SlurmCommandError('sbatch', `sbatch printed no job id (${JSON.stringify(out)}): check the script ${script}`, null);
      return jobId;
    },
    async maxArraySize() {
      return parseMaxArraySize(await run('scontrol', ['show', 'config']));
    },
    async tasks(jobId) {
      try {
        return parseShowJob(await run('scontrol', ['--oneliner', 'show', 'job', jobId]));
      } catch (error) {
        if (error instanceof SlurmCommandError && /Invalid job id/i.test(error.message)) return [];
        throw error;
      }
    },
  };
}
