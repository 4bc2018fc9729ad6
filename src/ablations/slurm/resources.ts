// What a suite asks of a SLURM cluster for each of its runs: the `executor: {slurm: ...}` block of a suite file,
// and the same settings as `mslk ablate --executor slurm` flags (a flag wins over the file). Each value becomes one
// `#SBATCH` line of the array job's batch script (batch-script.ts), so the formats are SLURM's own (sbatch(1)).
import {z} from 'zod';

/** SLURM's time formats (sbatch --time): M, M:S, H:M:S, D-H, D-H:M, D-H:M:S, or UNLIMITED / INFINITE. */
const TIME = /^(?:\d+(?::\d{1,2}){0,2}|\d+-\d{1,2}(?::\d{1,2}){0,2}|UNLIMITED|INFINITE)$/;
/** A memory size as sbatch --mem takes it: an integer, optionally with K, M, G or T (megabytes without). */
const MEMORY = /^\d+[KMGT]?$/;
/** A generic resource list (sbatch --gres): name[:type][:count], comma-separated, e.g. gpu:1, gpu:a100:2. */
const GRES = /^[A-Za-z_][\w.-]*(?::[\w.-]+)*(?:,[A-Za-z_][\w.-]*(?::[\w.-]+)*)*$/;
/** A partition, account, QOS or similar name: no white space or shell specials. */
const NAME = /^[\w.,@+-]+$/;

/** sbatch options a suite sets through its own keys or that mslk sets (the task -> run mapping and the logs depend on them). */
const RESERVED_OPTIONS = new Set(['array', 'output', 'error', 'chdir', 'job-name', 'partition', 'account', 'qos', 'time', 'gres', 'cpus-per-task', 'mem', 'requeue', 'no-requeue']);

const name = (what: string) => z.string().regex(NAME, {message: `is not a ${what} name (letters, digits, '.', '_', '-'; several: comma-separated without spaces, e.g. gpu,a100)`});

/** The `executor.slurm` block of a suite file (every key optional; unknown keys are errors). */
export const slurmResourcesSchema = z.object({
  partition: name('partition').optional().describe('sbatch --partition: the partition (queue) the runs go to'),
  account: name('account').optional().describe('sbatch --account: the account charged'),
  qos: name('QOS').optional().describe('sbatch --qos'),
  time: z.string().regex(TIME, {message: "is not a SLURM time: use e.g. '30' (minutes), '12:00:00' or '2-00:00:00'"}).optional()
    .describe("sbatch --time: wall-time limit of each run's task, e.g. '12:00:00' (a run stopped by it resumes when resubmitted)"),
  gres: z.string().regex(GRES, {message: "is not a generic resource list: use e.g. 'gpu:1' or 'gpu:a100:1'"}).optional()
    .describe("sbatch --gres: generic resources per task, e.g. 'gpu:1'"),
  cpusPerTask: z.number().int().min(1).optional().describe('sbatch --cpus-per-task: cores per run (also its MSLK_THREADS)'),
  mem: z.string().regex(MEMORY, {message: "is not a memory size: use e.g. '16G' or '8000M'"}).optional()
    .describe("sbatch --mem: memory per run, e.g. '16G'"),
  throttle: z.number().int().min(1).optional().describe('at most this many runs of the suite at once (sbatch --array=...%throttle)'),
  requeue: z.boolean().optional().describe('sbatch --requeue: a preempted task is requeued and resumes its run from its checkpoint'),
  sbatch: z.array(z.string()
    .regex(/^--[A-Za-z][\w-]*(?:=\S+)?$/, {message: "is not an sbatch option mslk can pass: one option per entry, in its long form with '=' and no spaces, e.g. '--constraint=a100' or '--mail-type=END'"})
    .refine((o) => !RESERVED_OPTIONS.has(o.slice(2).split('=')[0]!), {message: 'is an option mslk sets itself: use its own key (partition, account, qos, time, gres, cpusPerTask, mem, throttle, requeue); mslk sets --array, --output, --error, --chdir and --job-name'}))
    .optional().describe("extra sbatch options, one per entry, in their long form (each becomes an #SBATCH line), e.g. --constraint=a100"),
  setup: z.array(z.string().regex(/^[^\n]*$/, {message: 'is one line of shell: split it into several entries'}))
    .optional().describe("shell lines run before mslk in each task, e.g. 'module load nodejs/20'"),
}).strict();

/** SLURM resources per run of a suite (sbatch's formats, checked by slurmResourcesSchema). */
export type SlurmResources = z.output<typeof slurmResourcesSchema>;

/** The `executor:` block of a suite file: settings per executor (only SLURM has any). */
export const executorSchema = z.object({
  slurm: slurmResourcesSchema.optional().describe('resources of each run when the suite runs with `--executor slurm`'),
}).strict();

/** A suite file's `executor:` block, parsed. */
export type ExecutorSettings = z.output<typeof executorSchema>;

/**
 * The suite's resources with the flags' on top: a value given by a flag replaces the file's; `sbatch` and `setup`
 * lines of both are kept (the file's first). Throws a one-line Error naming the flag when a flag's value has the
 * wrong format.
 */
export function mergeSlurmResources(fromSuite: SlurmResources | undefined, fromFlags: SlurmResources): SlurmResources {
  const parsed = slurmResourcesSchema.safeParse(fromFlags);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? '');
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new Error(`${flag} ${JSON.stringify(valueAt(fromFlags, issue.path))} ${issue.message}`);
  }
  const merged: SlurmResources = {...fromSuite};
  for (const [key, value] of Object.entries(parsed.data) as [keyof SlurmResources, unknown][]) {
    if (value === undefined) continue;
    if (key === 'sbatch' || key === 'setup') merged[key] = [...(fromSuite?.[key] ?? []), ...(value as string[])];
    else Object.assign(merged, {[key]: value});
  }
  return merged;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const key of path) v = (v as Record<PropertyKey, unknown> | undefined)?.[key];
  return v;
}
