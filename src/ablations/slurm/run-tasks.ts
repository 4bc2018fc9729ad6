// Which SLURM task trains each run of a suite, and where that task stands: the suite's submissions record (task
// index -> run) joined with the scheduler's records of those array jobs. The latest submission of a run wins.
import {INTERRUPTED_EXIT_CODE, RUN_OWNED_EXIT_CODE} from '../../runs/run-one.js';
import type {ScheduledTask} from '../plan-status.js';
import type {Scheduler, SlurmTaskRecord} from './scheduler.js';
import {taskLogPath, type SlurmSubmission} from './submissions.js';

const QUEUED = new Set(['PENDING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESV_DEL_HOLD']);
const RUNNING = new Set(['RUNNING', 'COMPLETING', 'CONFIGURING', 'SUSPENDED', 'STAGE_OUT', 'SIGNALING', 'RESIZING', 'STOPPED']);
/** Ends after which the run is resumable: stopped from outside, its checkpoint kept. */
const STOPPED = new Set(['CANCELLED', 'TIMEOUT', 'PREEMPTED', 'DEADLINE']);

/** The exit status in an ExitCode field (`code:signal`): the code, or null when unreadable. */
function exitStatus(exitCode: string): number | null {
  const code = Number(exitCode.split(':')[0]);
  return Number.isInteger(code) ? code : null;
}

/**
 * The executor-neutral view of one SLURM task record for the run it trains. JobState decides the phase: PENDING and
 * its kin are 'queued', RUNNING and its kin 'running', COMPLETED 'completed', CANCELLED / TIMEOUT / PREEMPTED /
 * DEADLINE 'stopped' (the run keeps its checkpoint and resumes when resubmitted), the rest (FAILED, NODE_FAIL,
 * OUT_OF_MEMORY, BOOT_FAIL, ...) 'failed', except a FAILED task whose mslk exited 130 (stopped by a signal) or 75
 * (another process owned the run), which is 'stopped'.
 */
export function taskOfRecord(record: SlurmTaskRecord | undefined, jobId: string, index: number, log: string): ScheduledTask {
  const id = `${jobId}_${index}`;
  if (record === undefined) return {id, phase: 'unknown', detail: 'no longer known to the scheduler', node: '', log};
  const reason = record.reason !== 'None' && record.reason !== '' ? ` (${record.reason.replace(/_/g, ' ')})` : '';
  const code = exitStatus(record.exitCode);
  const base = {id, node: record.node, log};
  if (QUEUED.has(record.state)) return {...base, phase: 'queued', detail: `${record.state}${reason}`};
  if (RUNNING.has(record.state)) return {...base, phase: 'running', detail: record.state};
  if (record.state === 'COMPLETED') return {...base, phase: 'completed', detail: 'COMPLETED'};
  if (STOPPED.has(record.state)) return {...base, phase: 'stopped', detail: record.state};
  if (record.state === 'FAILED' && code === INTERRUPTED_EXIT_CODE) return {...base, phase: 'stopped', detail: `FAILED (exit ${code}: mslk was stopped by a signal)`};
  if (record.state === 'FAILED' && code === RUN_OWNED_EXIT_CODE) return {...base, phase: 'stopped', detail: `FAILED (exit ${code}: another process owned the run)`};
  return {...base, phase: 'failed', detail: `${record.state} (exit ${record.exitCode})`};
}

/**
 * The latest task of every run of `submissions` (oldest first; run id -> task), asking the scheduler once per array
 * job; no submissions, no question. A job the scheduler no longer knows (ended more than MinJobAge ago) gives phase
 * 'unknown'. Throws SlurmCommandError when scontrol cannot be run.
 */
export async function runTasks(submissions: readonly SlurmSubmission[], scheduler: Scheduler): Promise<Map<string, ScheduledTask>> {
  const tasks = new Map<string, ScheduledTask>();
  for (const submission of submissions) {
    const records = await scheduler.tasks(submission.jobId);
    submission.runs.forEach((run, index) => {
      const record = records.find((r) => r.arrayJobId === submission.jobId && r.taskIds.includes(index));
      tasks.set(run.runId, taskOfRecord(record, submission.jobId, index, taskLogPath(submission, submission.jobId, index)));
    });
  }
  return tasks;
}
