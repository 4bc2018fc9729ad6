// Reading SLURM's answers: `scontrol --oneliner show job` records (in the form slurm-wlm 22.05 prints them, values
// with spaces included), array task id lists, sbatch --parsable output, and the view of each run's task.
import test from 'ava';
import fc from 'fast-check';
import {DEFAULT_MAX_ARRAY_SIZE, parseMaxArraySize, parseOneliner, parseShowJob, parseTaskIds, slurmScheduler, SlurmCommandError} from '../../../src/ablations/slurm/scheduler.js';
import {taskOfRecord} from '../../../src/ablations/slurm/run-tasks.js';

const PENDING = 'JobId=7 ArrayJobId=7 ArrayTaskId=2-3%2 ArrayTaskThrottle=2 JobName=mslk-two UserId=root(0) JobState=PENDING Reason=JobArrayTaskLimit Dependency=(null) Requeue=1 Restarts=0 ExitCode=0:0 NodeList= NumCPUs=1 Command=/store/suites/two.slurm/submit-1.sbatch WorkDir=/repo StdOut=/store/suites/two.slurm/logs/7_4294967294.log Power=';
const RUNNING = 'JobId=9 ArrayJobId=7 ArrayTaskId=1 JobState=RUNNING Reason=None Restarts=1 ExitCode=0:0 NodeList=node17 BatchHost=node17 Command=/path with space/submit-1.sbatch StdOut=/x/7_1.log Power=';
const CANCELLED = 'JobId=8 ArrayJobId=7 ArrayTaskId=0 JobState=CANCELLED Reason=None ExitCode=0:15 NodeList=node17';

test('a oneliner record: every field, a value with spaces kept whole, empty values empty', (t) => {
  const f = parseOneliner(RUNNING);
  t.is(f['JobState'], 'RUNNING');
  t.is(f['Command'], '/path with space/submit-1.sbatch');
  t.is(f['Power'], '');
  t.is(parseOneliner(PENDING)['NodeList'], '');
  t.is(parseOneliner(PENDING)['UserId'], 'root(0)');
});

test('show job: one record per started task and one for the pending ones, with their indexes', (t) => {
  const records = parseShowJob([PENDING, RUNNING, CANCELLED, ''].join('\n'));
  t.deepEqual(records.map((r) => [r.taskIds, r.state, r.node, r.restarts]), [[[2, 3], 'PENDING', '', 0], [[1], 'RUNNING', 'node17', 1], [[0], 'CANCELLED', 'node17', 0]]);
  t.is(records[0]!.reason, 'JobArrayTaskLimit');
  t.deepEqual(parseShowJob('JobId=3 JobState=RUNNING Reason=None'), [], 'a job that is not an array is none of ours');
});

test('array task id lists: single ids, ranges, steps, lists, a throttle suffix', (t) => {
  t.deepEqual(parseTaskIds('5'), [5]);
  t.deepEqual(parseTaskIds('0-3%2'), [0, 1, 2, 3]);
  t.deepEqual(parseTaskIds('1,4-6'), [1, 4, 5, 6]);
  t.deepEqual(parseTaskIds('0-6:3'), [0, 3, 6]);
  t.throws(() => parseTaskIds('a-b'), {message: /unreadable ArrayTaskId/});
});

test('property: a list of ranges written as SLURM writes it reads back as its indexes', (t) => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.nat(500), fc.nat(20)), {minLength: 1, maxLength: 6}), fc.option(fc.integer({min: 1, max: 50})), (ranges, throttle) => {
    const text = ranges.map(([a, n]) => (n === 0 ? `${a}` : `${a}-${a + n}`)).join(',') + (throttle === null ? '' : `%${throttle}`);
    const expected = ranges.flatMap(([a, n]) => Array.from({length: n + 1}, (_, i) => a + i));
    t.deepEqual(parseTaskIds(text), expected);
  }));
});

test('sbatch --parsable: the job id, with or without a cluster name; no id is an error naming the script', async (t) => {
  t.is(await slurmScheduler(async () => '1234\n').submit('/s.sbatch'), '1234');
  t.is(await slurmScheduler(async () => '99;cluster-a\n').submit('/s.sbatch'), '99');
  await t.throwsAsync(slurmScheduler(async () => 'Submitted nothing\n').submit('/s.sbatch'), {instanceOf: SlurmCommandError, message: /printed no job id.*\/s\.sbatch/});
});

test('sbatch gets a dependency on its command line (afterany: the job starts once the others ended, however), not in the script', async (t) => {
  const calls: string[][] = [];
  const scheduler = slurmScheduler(async (command, args) => {
    calls.push([command, ...args]);
    return '12\n';
  });
  await scheduler.submit('/s.sbatch');
  await scheduler.submit('/t.sbatch', {after: ['10', '11']});
  t.deepEqual(calls, [['sbatch', '--parsable', '/s.sbatch'], ['sbatch', '--parsable', '--dependency=afterany:10:11', '/t.sbatch']]);
});

test('MaxArraySize from `scontrol show config` (as slurm-wlm 22.05 prints it); SLURM\'s default where the line is missing', async (t) => {
  const config = 'Configuration data as of 2024-05-01T10:00:00\nMailProg                = /bin/mail\nMaxArraySize            = 5\nMaxJobCount             = 10000\n';
  t.is(parseMaxArraySize(config), 5);
  t.is(parseMaxArraySize('MaxJobCount             = 10000\n'), DEFAULT_MAX_ARRAY_SIZE);
  t.is(DEFAULT_MAX_ARRAY_SIZE, 1001);
  const calls: string[][] = [];
  t.is(await slurmScheduler(async (command, args) => {
    calls.push([command, ...args]);
    return config;
  }).maxArraySize(), 5);
  t.deepEqual(calls, [['scontrol', 'show', 'config']]);
});

test('a job the scheduler has forgotten has no records; another scontrol error is thrown', async (t) => {
  const forgotten = slurmScheduler(async () => {
    throw new SlurmCommandError('scontrol', 'scontrol --oneliner show job 5 failed: slurm_load_jobs error: Invalid job id specified', 1);
  });
  t.deepEqual(await forgotten.tasks('5'), []);
  const down = slurmScheduler(async () => {
    throw new SlurmCommandError('scontrol', 'scontrol --oneliner show job 5 failed: Unable to contact slurm controller (connect failure)', 1);
  });
  await t.throwsAsync(down.tasks('5'), {message: /Unable to contact slurm controller/});
});

test('a task record as the run\'s task: JobState and the exit code of mslk decide the phase', (t) => {
  const record = (state: string, exitCode = '0:0', reason = 'None') => ({arrayJobId: '7', taskIds: [0], state, reason, exitCode, node: 'n1', restarts: 0});
  const phase = (state: string, exitCode?: string) => taskOfRecord(record(state, exitCode), '7', 0, '/l/7_0.log').phase;
  t.is(phase('PENDING'), 'queued');
  t.is(phase('REQUEUED'), 'queued');
  t.is(phase('RUNNING'), 'running');
  t.is(phase('COMPLETING'), 'running');
  t.is(phase('COMPLETED'), 'completed');
  for (const s of ['CANCELLED', 'TIMEOUT', 'PREEMPTED', 'DEADLINE']) t.is(phase(s), 'stopped', s);
  t.is(phase('FAILED', '130:0'), 'stopped', 'mslk stopped by a signal: its checkpoint is written');
  t.is(phase('FAILED', '75:0'), 'stopped', 'another process owned the run');
  t.is(phase('FAILED', '1:0'), 'failed');
  t.is(phase('OUT_OF_MEMORY', '0:125'), 'failed');
  t.is(phase('NODE_FAIL'), 'failed');
  t.like(taskOfRecord(record('PENDING', '0:0', 'ReqNodeNotAvail,_UnavailableNodes:n2'), '7', 3, '/l'), {id: '7_3', detail: 'PENDING (ReqNodeNotAvail, UnavailableNodes:n2)'});
  t.like(taskOfRecord(undefined, '7', 2, '/l/7_2.log'), {id: '7_2', phase: 'unknown', log: '/l/7_2.log'});
  t.like(taskOfRecord(record('OUT_OF_MEMORY', '0:125'), '7', 0, '/l'), {detail: 'OUT_OF_MEMORY (exit 0:125)'});
});
