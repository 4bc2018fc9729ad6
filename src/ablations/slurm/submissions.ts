// What a suite submitted to SLURM, kept in the store next to the suite manifest so that `ablate status` (from any
// login node, any later day) can tell which array task trains which run and where its log is:
//   <store>/suites/<suite>.slurm/submissions.json   every submission (one per array job): job id, script, task -> run
//   <store>/suites/<suite>.slurm/submit-<k>.sbatch   the batch script of submission k (resubmittable as is)
//   <store>/suites/<suite>.slurm/runs-<k>.txt        its run directories, line i + 1 = array task i
//   <store>/suites/<suite>.slurm/logs/<job>_<task>.log  each task's stdout and stderr
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {writeFileAtomic} from '../../io/atomic-write.js';
import {ensureOutputDir} from '../../io/output-dir.js';

/** One `sbatch` of a suite. */
export interface SlurmSubmission {
  /** The array job id sbatch printed. */
  jobId: string;
  /** 1-based number of the submission in the suite's folder. */
  number: number;
  /** ISO 8601. */
  submittedAt: string;
  /** Absolute path of the batch script. */
  script: string;
  /** Absolute path pattern of the tasks' logs (%A job id, %a task index). */
  logPattern: string;
  /** Array task i trains runs[i]. */
  runs: Array<{runId: string; dir: string}>;
}

/** The suite's SLURM folder in a store. */
export function slurmFolder(store: string, suite: string): string {
  return join(store, 'suites', `${suite}.slurm`);
}

/** The files of submission `number`. */
export function submissionFiles(store: string, suite: string, number: number): {script: string; runList: string; logPattern: string} {
  const folder = slurmFolder(store, suite);
  return {script: join(folder, `submit-${number}.sbatch`), runList: join(folder, `runs-${number}.txt`), logPattern: join(folder, 'logs', '%A_%a.log')};
}

/** The log of array task `task` of job `jobId` under a submission's pattern (%A and %a only in the file name). */
export function taskLogPath(submission: Pick<SlurmSubmission, 'logPattern'>, jobId: string, task: number): string {
  const slash = submission.logPattern.lastIndexOf('/');
  return submission.logPattern.slice(0, slash + 1) + submission.logPattern.slice(slash + 1).replace(/%A/g, jobId).replace(/%a/g, String(task));
}

/** Every submission of the suite in the store, oldest first ([] when none; a damaged record is an error). */
export async function readSubmissions(store: string, suite: string): Promise<SlurmSubmission[]> {
  const path = join(slurmFolder(store, suite), 'submissions.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as {submissions?: SlurmSubmission[]};
    if (!Array.isArray(parsed.submissions)) throw new Error('no submissions list');
    return parsed.submissions;
  } catch {
    throw new Error(`${path} is not a submissions record mslk wrote: move it aside (the runs themselves are safe in their directories) and submit again`);
  }
}

/** Appends `submission` to the suite's record (atomic write of the whole record). */
export async function recordSubmission(store: string, suite: string, submission: SlurmSubmission): Promise<void> {
  const folder = slurmFolder(store, suite);
  await ensureOutputDir(folder);
  const submissions = [...await readSubmissions(store, suite), submission];
  await writeFileAtomic(join(folder, 'submissions.json'), JSON.stringify({formatVersion: 1, submissions}, null, 2) + '\n');
}
