// `mslk ablate --executor slurm` without a cluster: --dry-run prints the plan and the batch script (resources from
// the suite's `executor.slurm` with the flags on top) and submits nothing; SLURM flags without the SLURM executor,
// --jobs with it, and a scheduler that cannot be reached are one-line errors that lose nothing.
import test from 'ava';
import {mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {runMslk} from '../helpers/cli.js';

let scratch = '';
test.before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mslk-slurm-command-'));
});
test.after.always(async () => {
  await rm(scratch, {recursive: true, force: true});
});

async function suite(name: string, executor?: Record<string, unknown>): Promise<string> {
  const file = join(scratch, `${name}.yaml`);
  await writeFile(file, JSON.stringify({
    name, extends: 'training/default.yaml', model: 'models/unet.yaml', datasets: ['synthetic'], seeds: [0, 1],
    variants: {narrow: {baseWidth: 4}, wide: {baseWidth: 6}}, set: {'data.size': 32, 'train.epochs': 1},
    ...(executor ? {executor} : {}),
  }));
  return file;
}

const common = () => ['--data-root', join(scratch, 'data'), '--backend', 'wasm', '--no-estimate'];

test.serial('--dry-run prints the plan and the batch script: the suite\'s resources, a flag over one, nothing submitted or prepared', async (t) => {
  const file = await suite('dry', {slurm: {partition: 'cpu', time: '2:00:00', setup: ['module load nodejs/20']}});
  const store = join(scratch, 'store-dry');
  const {code, stdout, stderr} = await runMslk(['ablate', file, '--executor', 'slurm', '--dry-run', '--store', store, '--partition', 'gpu', '--gres', 'gpu:1', '--throttle', '3', ...common()]);
  t.is(code, 0, stderr);
  t.regex(stdout, /suite dry: 4 runs \(4 pending\)/);
  t.regex(stdout, /# the batch script of 4 array tasks \(dry run: nothing submitted\)/);
  t.regex(stderr, /warning: could not read the cluster's MaxArraySize \(.+\): the scripts assume SLURM's default, 1001/, 'no cluster here: the dry run says what it assumed');
  t.regex(stderr, /warning: the runs ask for a GPU \(gres gpu:1\) but train on wasm, a CPU backend; pass --backend webgpu \(a Vulkan driver on the nodes\) or --backend tensorflow \(CUDA 11\.2 \+ cuDNN 8\.1\) to require the GPU/);
  t.regex(stdout, /^#SBATCH --chdir=\S+$/m);
  for (const line of ['#SBATCH --array=0-3%3', '#SBATCH --partition=gpu', '#SBATCH --time=2:00:00', '#SBATCH --gres=gpu:1', '#SBATCH --cpus-per-task=1', 'module load nodejs/20']) {
    t.true(stdout.includes(`\n${line}\n`), line);
  }
  t.regex(stdout, /run-one "\$run_dir" --data-root \S+ --backend wasm/);
  t.regex(stderr, /warning: the store \S+ is under \/tmp/);
  t.deepEqual((await readdir(store).catch(() => [])).filter((f) => f !== '.calibration.json'), [], 'no run directory, no submission');
});

test.serial('SLURM flags need the SLURM executor, and --jobs is the local one\'s: one line each', async (t) => {
  const file = await suite('flags');
  const local = await runMslk(['ablate', file, '--partition', 'gpu', '--dry-run', '--store', join(scratch, 'store-flags'), ...common()]);
  t.not(local.code, 0);
  t.is(local.stderr.trim(), 'Error: --partition is a SLURM setting: add --executor slurm (or drop --partition to train here)');
  const jobs = await runMslk(['ablate', file, '--executor', 'slurm', '--jobs', '2', '--dry-run', '--store', join(scratch, 'store-flags'), ...common()]);
  t.not(jobs.code, 0);
  t.is(jobs.stderr.trim(), 'Error: --jobs is for the local executor: with --executor slurm, --throttle caps the runs at once');
  const time = await runMslk(['ablate', file, '--executor', 'slurm', '--time', '1 day', '--dry-run', '--store', join(scratch, 'store-flags'), ...common()]);
  t.not(time.code, 0);
  t.regex(time.stderr.trim(), /^Error: --time "1 day" is not a SLURM time: use e\.g\. '30' \(minutes\), '12:00:00' or '2-00:00:00'$/);
});

test.serial('sbatch refusing the job (here: an unknown partition): one line with its reason; the runs stay prepared, nothing is recorded as submitted', async (t) => {
  const file = await suite('refused');
  const store = join(scratch, 'store-refused');
  // An sbatch (and an scontrol for the config) earlier on PATH that answers as SLURM does for a partition the cluster does not have.
  const bin = join(scratch, 'bin');
  await mkdir(bin, {recursive: true});
  await writeFile(join(bin, 'sbatch'), '#!/bin/sh\necho "sbatch: error: Batch job submission failed: Invalid partition name specified" >&2\nexit 1\n', {mode: 0o755});
  await writeFile(join(bin, 'scontrol'), '#!/bin/sh\necho "MaxArraySize            = 1001"\n', {mode: 0o755});
  const {code, stderr} = await runMslk(['ablate', file, '--executor', 'slurm', '--partition', 'gpu-typo', '--store', store, ...common()],
    {PATH: `${bin}:${process.env['PATH']}`});
  t.is(code, 1, stderr);
  const lines = stderr.trim().split('\n').filter((l) => l.startsWith('Error:'));
  t.is(lines.length, 1, stderr);
  t.regex(lines[0]!, /^Error: sbatch --parsable \S+submit-1\.sbatch failed: sbatch: error: Batch job submission failed: Invalid partition name specified; nothing was submitted: check the cluster from here \(`sinfo`\) and the options, then run again \(the batch script is kept at \S+submit-1\.sbatch\)$/);
  const manifest = JSON.parse(await readFile(join(store, 'suites', 'refused.json'), 'utf8')) as {runs: {dir: string}[]};
  for (const run of manifest.runs) t.true((await stat(join(run.dir, 'config.json'))).isFile(), 'prepared');
  t.is(await stat(join(store, 'suites', 'refused.slurm', 'submissions.json')).catch(() => undefined), undefined);
  t.regex(await readFile(join(store, 'suites', 'refused.slurm', 'submit-1.sbatch'), 'utf8'), /^#SBATCH --partition=gpu-typo$/m, 'the script is kept to look at');
});

test.serial('a suite with an executor.slurm block is not trained here by accident: refused without --executor (nothing prepared); a dry run warns', async (t) => {
  const file = await suite('cluster-only', {slurm: {partition: 'gpu'}});
  const store = join(scratch, 'store-cluster-only');
  const refused = await runMslk(['ablate', file, '--store', store, '--jobs', '1', ...common()]);
  t.not(refused.code, 0);
  t.is(refused.stderr.trim().split('\n').pop(), `Error: ${file} has an executor.slurm block (it is meant for a cluster): add --executor slurm to submit it to SLURM, or --executor local to train it here`);
  t.is(await stat(join(store, 'suites', 'cluster-only.json')).catch(() => undefined), undefined, 'nothing prepared');
  const dry = await runMslk(['ablate', file, '--store', store, '--dry-run', ...common()]);
  t.is(dry.code, 0, dry.stderr);
  t.regex(dry.stderr, /warning: \S+ has an executor\.slurm block/);
});

test.serial('a store path sbatch cannot read in an #SBATCH line (a backslash) is one line naming --store, exit 2, before anything is prepared', async (t) => {
  const file = await suite('backslash');
  const store = join(scratch, 'back\\slash');
  const {code, stderr} = await runMslk(['ablate', file, '--executor', 'slurm', '--store', store, ...common()]);
  t.is(code, 2, stderr);
  t.is(stderr.trim(), `Error: the store (--store) ${store} holds a backslash, which sbatch cannot read in an #SBATCH line: use a path without one`);
  t.is(await stat(store).catch(() => undefined), undefined, 'nothing prepared');
});
