// `mslk ablate --executor slurm` on a real one-node SLURM cluster (Debian's slurm-wlm and munge, started by the
// test): a two-variant suite of tiny U-Nets gives every run done with metrics byte-identical to the local
// executor's; a task cancelled mid-run (scancel) leaves its run partial, `ablate status` says so with the task's
// state and log, and `--rerun-failed` completes it with the metrics of an uninterrupted run. Without root the test
// skips, saying why; in CI (CI=true) missing SLURM programs fail it (.ci/run installs them). The cluster's
// MaxArraySize is 2, so that a suite of three runs needs two array jobs (as 1101 runs do where it is 1001).
import test from 'ava';
import {execFile} from 'node:child_process';
import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {promisify} from 'node:util';
import {formatState, planReport, type PlanReport, type PlannedRunState} from '../../src/ablations/plan-status.js';
import {planSuite, type SuiteManifest} from '../../src/ablations/plan.js';
import {execCommand, slurmScheduler} from '../../src/ablations/slurm/scheduler.js';
import {suiteTasks} from '../../src/ablations/slurm/submit-suite.js';
import {readSubmissions, taskLogPath} from '../../src/ablations/slurm/submissions.js';
import {parseOneliner} from '../../src/ablations/slurm/scheduler.js';
import {backendChoice, selectBackend} from '../../src/engine/backends.js';
import {RunDir} from '../../src/runs/run-dir.js';
import {runMslk} from '../helpers/cli.js';
import {logLines, waitFor} from '../helpers/run-progress.js';
import {missingSlurmPrograms, slurmUnavailable, startSlurmCluster, type SlurmCluster} from '../helpers/slurm-cluster.js';

const EVALUATION_FILES = ['metrics.json', 'eval/test-last.csv', 'eval/test-last.json', 'eval/validation-last.csv', 'eval/validation-last.json'];

const missing = missingSlurmPrograms();
const why = slurmUnavailable() ?? (missing.length > 0 && process.env['CI'] !== 'true'
  ? `SLURM is not installed (${missing.join(', ')} missing): apt-get install slurm-wlm munge` : null);
if (why !== null) console.log(`skipping the SLURM cluster tests: ${why}`);
const clusterTest = why === null ? test.serial : (test.skip as unknown as typeof test.serial);

/** The test cluster's MaxArraySize: array indexes 0 and 1 only. */
const MAX_ARRAY_SIZE = 2;

let scratch = '';
let dataRoot = '';
let cluster: SlurmCluster | undefined;

test.before(async () => {
  if (why !== null) return;
  if (missing.length > 0) throw new Error(`SLURM programs missing in CI: ${missing.join(', ')} (.ci/run installs slurm-wlm and munge)`);
  scratch = await mkdtemp(join(tmpdir(), 'mslk-slurm-suite-'));
  dataRoot = join(scratch, 'data');
  cluster = await startSlurmCluster({config: [`MaxArraySize=${MAX_ARRAY_SIZE}`]});
  await selectBackend(backendChoice('wasm'));
});

test.after.always(async () => {
  await cluster?.stop();
  if (scratch !== '') await rm(scratch, {recursive: true, force: true});
});

/** A suite of tiny U-Nets (32 px) on the synthetic data. */
async function suiteFile(name: string, o: {variants: Record<string, Record<string, unknown>>; seeds: number[]; epochs: number}): Promise<string> {
  const file = join(scratch, `${name}.yaml`);
  await writeFile(file, JSON.stringify({
    name, extends: 'training/default.yaml', model: 'models/unet.yaml', datasets: ['synthetic'], seeds: o.seeds, variants: o.variants,
    set: {'data.size': 32, 'train.epochs': o.epochs, 'train.batchSize': 8, 'train.optimizer.lr': 0.005},
  }));
  return file;
}

const common = () => ['--data-root', dataRoot, '--backend', 'wasm', '--no-estimate'];
const onCluster = (args: string[]) => runMslk(args, {SLURM_CONF: cluster!.env['SLURM_CONF']});

async function suiteRuns(store: string, suite: string): Promise<SuiteManifest['runs']> {
  return (JSON.parse(await readFile(join(store, 'suites', `${suite}.json`), 'utf8')) as SuiteManifest).runs;
}

async function sameEvaluations(t: {is: (a: string, b: string, m: string) => void}, dir: string, referenceDir: string, label: string): Promise<void> {
  for (const file of EVALUATION_FILES) t.is(await readFile(join(dir, file), 'utf8'), await readFile(join(referenceDir, file), 'utf8'), `${label}: ${file}`);
}

/** What `mslk ablate status` shows for the suite's first run, computed here (no process to start: the run is live). */
async function firstRunState(suite: string, store: string): Promise<PlannedRunState> {
  const plan = await planSuite(suite, {store, dataRoot});
  const tasks = await suiteTasks(plan, slurmScheduler(execCommand(cluster!.env)));
  const report: PlanReport = await planReport(plan, {jobs: 1, estimate: false, latency: false, writeCache: false, tasks});
  return report.rows[0]!.status;
}

clusterTest('a two-variant suite as one SLURM array job: every run done, with the local executor\'s metrics byte for byte', async (t) => {
  const suite = await suiteFile('two', {variants: {narrow: {baseWidth: 4}, wide: {baseWidth: 6}}, seeds: [0], epochs: 2});
  const reference = join(scratch, 'reference-two');
  const local = await runMslk(['ablate', suite, '--store', reference, '--jobs', '2', ...common()]);
  t.is(local.code, 0, local.stderr);

  const store = join(scratch, 'store-two');
  const submitted = await onCluster(['ablate', suite, '--executor', 'slurm', '--store', store, '--cpus-per-task', '1', '--mem', '1G',
    '--wait', '--poll-interval', '1', ...common()]);
  t.is(submitted.code, 0, `${submitted.stderr}\n${await cluster!.logs()}`);
  t.regex(submitted.stderr, /submitted 2 runs as array job \d+/);
  t.regex(submitted.stderr, /warning: the store \S+ is under \/tmp, which is usually local to each node/);
  t.regex(submitted.stdout, /narrow\s.*\n?.*wide/s);

  const [submission] = await readSubmissions(store, 'two');
  const script = await readFile(submission!.script, 'utf8');
  t.regex(script, /^#SBATCH --array=0-1$/m);
  t.regex(script, /^#SBATCH --cpus-per-task=1$/m);
  t.regex(script, /^#SBATCH --mem=1G$/m);
  const runs = await suiteRuns(store, 'two');
  const referenceRuns = await suiteRuns(reference, 'two');
  t.deepEqual(runs.map((r) => r.runId), referenceRuns.map((r) => r.runId), 'the same runs as the local executor plans');
  for (const [i, run] of runs.entries()) {
    t.is((await new RunDir(run.dir).status())?.state, 'done');
    await sameEvaluations(t, run.dir, referenceRuns[i]!.dir, run.variant);
    const log = await readFile(submission!.logPattern.replace('%A', submission!.jobId).replace('%a', String(i)), 'utf8');
    t.true(log.includes(`array task ${submission!.jobId}_${i}`), `task ${i} logged its run (${log.slice(0, 200)})`);
  }

  const status = await onCluster(['ablate', 'status', suite, '--store', store, ...common()]);
  t.is(status.code, 0, status.stderr);
  t.regex(status.stdout, /suite two: 2 runs \(2 done\)/);
  const again = await onCluster(['ablate', suite, '--executor', 'slurm', '--store', store, ...common()]);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stderr, /nothing to submit/);
  t.is((await readSubmissions(store, 'two')).length, 1, 'no second array job');
});

clusterTest('more runs than MaxArraySize, in a store whose path has a space and quotes: several array jobs, one throttle, every run done', async (t) => {
  const suite = await suiteFile('split', {variants: {a: {baseWidth: 4}, b: {baseWidth: 5}, c: {baseWidth: 6}}, seeds: [0], epochs: 1});
  // sbatch refused both before: "Invalid job array specification" for --array=0-2, "Invalid directive" for the path.
  const store = join(scratch, `store with space's "quotes"`);
  const submitted = await onCluster(['ablate', suite, '--executor', 'slurm', '--store', store, '--throttle', '2', '--wait', '--poll-interval', '1', ...common()]);
  t.is(submitted.code, 0, `${submitted.stderr}\n${await cluster!.logs()}`);
  const message = /submitted 3 runs as 2 array jobs \(the cluster's MaxArraySize is 2\): (\d+) \(2 array tasks; script .+\), (\d+) \(1 array task; script .+\); task logs /.exec(submitted.stderr);
  t.truthy(message, submitted.stderr);

  const submissions = await readSubmissions(store, 'split');
  t.deepEqual(submissions.map((s) => [s.jobId, s.runs.length]), [[message![1], 2], [message![2], 1]], 'one submission record per array job');
  const runs = await suiteRuns(store, 'split');
  t.deepEqual(submissions.flatMap((s) => s.runs.map((r) => r.runId)), runs.map((r) => r.runId), 'every run in one array task, in plan order');
  const scripts = await Promise.all(submissions.map((s) => readFile(s.script, 'utf8')));
  t.regex(scripts[0]!, /^#SBATCH --array=0-1%2$/m);
  t.regex(scripts[1]!, /^#SBATCH --array=0-0%2$/m);
  t.true(scripts[0]!.includes(`\n#SBATCH --output='${store.replace(/'/g, `'\\''`)}/suites/split.slurm/logs/%A_%a.log'\n`), scripts[0]);
  for (const run of runs) t.is((await new RunDir(run.dir).status())?.state, 'done', run.variant);
  for (const s of submissions) {
    for (const i of s.runs.keys()) {
      const log = await readFile(taskLogPath(s, s.jobId, i), 'utf8');
      t.true(log.includes(`array task ${s.jobId}_${i}`), `task ${s.jobId}_${i} logged its run (${log.slice(0, 200)})`);
    }
  }
  // One throttle for the suite: the second array job started only once the first had ended (afterany).
  const times = async (jobId: string) => (await promisify(execFile)('scontrol', ['--oneliner', 'show', 'job', jobId], {env: cluster!.env})).stdout
    .split('\n').filter((l) => l.trim() !== '').map((l) => parseOneliner(l)).map((f) => ({start: Date.parse(f['StartTime']!), end: Date.parse(f['EndTime']!)}));
  const firstEnd = Math.max(...(await times(submissions[0]!.jobId)).map((x) => x.end));
  const secondStart = Math.min(...(await times(submissions[1]!.jobId)).map((x) => x.start));
  t.true(secondStart >= firstEnd, `array job 2 started at ${secondStart}, array job 1 ended at ${firstEnd}`);

  const status = await onCluster(['ablate', 'status', suite, '--store', store, ...common()]);
  t.is(status.code, 0, status.stderr);
  t.regex(status.stdout, /suite split: 3 runs \(3 done\)/);
});

/** The local executor's run of the ten-epoch suite (one per test file), the reference of the interrupted ones. */
let tenEpochReference: Promise<string> | undefined;
function tenEpochRun(variant = 'tiny'): Promise<string> {
  tenEpochReference ??= (async () => {
    const suite = await suiteFile('reference-ten', {variants: {[variant]: {baseWidth: 4}}, seeds: [3], epochs: 10});
    const store = join(scratch, 'reference-ten');
    // One thread, as each SLURM task below gets (SLURM_CPUS_PER_TASK unset): oneDNN's kernel gradients differ in
    // the last bits between thread counts, and this reference is compared byte for byte.
    const local = await runMslk(['ablate', suite, '--store', store, '--jobs', '1', ...common()], {MSLK_THREADS: '1'});
    if (local.code !== 0) throw new Error(`the local reference run failed: ${local.stderr}`);
    return (await suiteRuns(store, 'reference-ten'))[0]!.dir;
  })();
  return tenEpochReference;
}

clusterTest('scancel of a task mid-run: its run shows partial with the task\'s state and log; --rerun-failed completes it with an uninterrupted run\'s metrics', async (t) => {
  const suite = await suiteFile('cancelled', {variants: {tiny: {baseWidth: 4}}, seeds: [3], epochs: 10});
  const referenceDir = await tenEpochRun();

  const store = join(scratch, 'store-cancelled');
  const submitted = await onCluster(['ablate', suite, '--executor', 'slurm', '--store', store, ...common()]);
  t.is(submitted.code, 0, submitted.stderr);
  const [submission] = await readSubmissions(store, 'cancelled');
  const [run] = await suiteRuns(store, 'cancelled');
  await waitFor(async () => (await logLines(run!.dir)) >= 1 && (await new RunDir(run!.dir).status())?.state === 'running', 240_000, 'the task to finish its first epoch');

  const running = await firstRunState(suite, store);
  t.is(running.state, 'running', JSON.stringify(running));
  t.regex(JSON.stringify(running), new RegExp(`task ${submission!.jobId}_0 on `));

  await promisify(execFile)('scancel', [submission!.jobId], {env: cluster!.env});
  await waitFor(async () => {
    const out = (await promisify(execFile)('scontrol', ['--oneliner', 'show', 'job', submission!.jobId], {env: cluster!.env})).stdout;
    return /JobState=CANCELLED/.test(out);
  }, 90_000, 'the task to end as CANCELLED');
  await waitFor(async () => (await new RunDir(run!.dir).status())?.state !== 'running', 60_000, 'the run to be marked stopped');
  const status = await onCluster(['ablate', 'status', suite, '--store', store, ...common()]);
  t.is(status.code, 0, status.stderr);
  t.regex(status.stdout, /partial at epoch \d+ \(task \d+_0 CANCELLED; log \S+\.log\)/, 'the status table names the cancelled task and its log');
  const state = await firstRunState(suite, store);
  t.true(state.state === 'partial' || state.state === 'failed', JSON.stringify(state));
  t.regex(JSON.stringify(state), /CANCELLED/);
  t.regex(JSON.stringify(state), new RegExp(`log ${submission!.logPattern.replace('%A', submission!.jobId).replace('%a', '0').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
  t.true((await stat(join(run!.dir, 'checkpoints/last.ckpt'))).isFile(), 'the checkpoint is kept');

  const rerun = await onCluster(['ablate', suite, '--executor', 'slurm', '--store', store, '--rerun-failed', '--wait', '--poll-interval', '1', ...common()]);
  t.is(rerun.code, 0, rerun.stderr);
  t.regex(rerun.stderr, /submitted 1 run as array job \d+/);
  t.is((await new RunDir(run!.dir).status())?.state, 'done');
  t.true((await new RunDir(run!.dir).readJson<{resumed: boolean}>('manifest')).resumed, 'resumed from its checkpoint');
  await sameEvaluations(t, run!.dir, referenceDir, 'the cancelled run');
  t.is(await logLines(run!.dir), 10);
});

clusterTest('--requeue: a task requeued mid-run (as preemption does) is queued again, then resumes its run from the checkpoint with an uninterrupted run\'s metrics', async (t) => {
  const suite = await suiteFile('requeued', {variants: {tiny: {baseWidth: 4}}, seeds: [3], epochs: 10});
  const referenceDir = await tenEpochRun();
  const store = join(scratch, 'store-requeued');
  const submitted = await onCluster(['ablate', suite, '--executor', 'slurm', '--requeue', '--store', store, ...common()]);
  t.is(submitted.code, 0, submitted.stderr);
  const [submission] = await readSubmissions(store, 'requeued');
  t.regex(await readFile(submission!.script, 'utf8'), /^#SBATCH --requeue$/m);
  const [run] = await suiteRuns(store, 'requeued');
  await waitFor(async () => (await logLines(run!.dir)) >= 1 && (await new RunDir(run!.dir).status())?.state === 'running', 240_000, 'the task to finish its first epoch');

  const env = {env: cluster!.env};
  await promisify(execFile)('scontrol', ['requeue', `${submission!.jobId}_0`], env);
  await waitFor(async () => (await firstRunState(suite, store)).state === 'queued', 90_000, 'the requeued task to wait in the queue');
  t.regex(formatState(await firstRunState(suite, store)), new RegExp(`^queued \\(task ${submission!.jobId}_0: PENDING \\(BeginTime\\)\\)$`));
  t.true((await stat(join(run!.dir, 'checkpoints/last.ckpt'))).isFile(), 'the SIGTERM of the requeue wrote the checkpoint');
  // SLURM holds a requeued job for a while before it may start again; let it start now.
  await promisify(execFile)('scontrol', ['update', `JobId=${submission!.jobId}_0`, 'StartTime=now'], env);
  await waitFor(async () => (await new RunDir(run!.dir).status())?.state === 'done', 240_000, 'the requeued task to finish the run');
  t.true((await new RunDir(run!.dir).readJson<{resumed: boolean}>('manifest')).resumed, 'resumed from its checkpoint');
  await sameEvaluations(t, run!.dir, referenceDir, 'the requeued run');
  const log = await readFile(submission!.logPattern.replace('%A', submission!.jobId).replace('%a', '0'), 'utf8');
  t.regex(log, /SIGTERM received/, 'the first start was stopped by SIGTERM');
});
