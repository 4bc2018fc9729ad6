// The array job's batch script: one #SBATCH line per resource, the task's run from the run list, mslk exec'd (so
// SLURM's SIGTERM reaches it), and every path quoted for the shell: bash itself reads the words back.
import test from 'ava';
import fc from 'fast-check';
import {execFileSync} from 'node:child_process';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {outputPattern, renderBatchScript, sbatchWord, shellQuote} from '../../../src/ablations/slurm/batch-script.js';
import {splitIntoArrays} from '../../../src/ablations/slurm/submit-suite.js';

const input = {
  suite: 'paper', tasks: 27, runList: '/proj/runs/suites/paper.slurm/runs-1.txt', logPattern: '/proj/runs/suites/paper.slurm/logs/%A_%a.log',
  workDir: '/home/me/mslk', mslk: ['/usr/bin/node', '/home/me/mslk/bin/run.js'], runOneArgs: ['--data-root', '/proj/data'], comment: 'test',
  resources: {partition: 'gpu', account: 'lab', time: '24:00:00', gres: 'gpu:1', cpusPerTask: 8, mem: '32G', throttle: 10, requeue: true,
    sbatch: ['--constraint=a100'], setup: ['module load nodejs/20']},
};

test('every resource is one #SBATCH line; the array runs task 0..n-1 at most `throttle` at once', (t) => {
  const script = renderBatchScript(input);
  const lines = script.split('\n').filter((l) => l.startsWith('#SBATCH ')).map((l) => l.slice(8));
  t.deepEqual(lines, ['--job-name=mslk-paper', '--array=0-26%10', '--output=/proj/runs/suites/paper.slurm/logs/%A_%a.log', '--open-mode=append', '--chdir=/home/me/mslk',
    '--partition=gpu', '--account=lab', '--time=24:00:00', '--gres=gpu:1', '--cpus-per-task=8', '--mem=32G', '--requeue', '--constraint=a100']);
  t.true(script.startsWith('#!/bin/bash\n'));
  t.regex(script, /^module load nodejs\/20\nset -euo pipefail$/m, 'the setup lines run first, outside set -u (environment modules read unset variables)');
  t.regex(script, /^exec \/usr\/bin\/node \/home\/me\/mslk\/bin\/run\.js run-one "\$run_dir" --data-root \/proj\/data$/m);
  t.regex(script, /MSLK_THREADS="\$\{SLURM_CPUS_PER_TASK:-1\}"/);
  t.regex(renderBatchScript({...input, resources: {}}), /^#SBATCH --array=0-26$/m, 'no throttle without one');
  t.throws(() => renderBatchScript({...input, tasks: 0}), {message: /at least one run/});
});

test('a task runs the run on its line of the run list (bash runs the script with mslk replaced by echo)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-batch-'));
  try {
    const runList = join(dir, "runs with 'quotes'.txt");
    await writeFile(runList, '/s/run-a\n/s/run b\n/s/run-c\n');
    const script = renderBatchScript({...input, tasks: 3, runList, mslk: ['echo', 'mslk'], resources: {setup: ['echo set up >&2']}});
    const path = join(dir, 'job.sbatch');
    await writeFile(path, script);
    const out = (task: number) => execFileSync('bash', [path], {env: {...process.env, SLURM_ARRAY_TASK_ID: String(task), SLURM_ARRAY_JOB_ID: '5', SLURM_CPUS_PER_TASK: '4'}, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']});
    t.is(out(0), 'mslk run-one /s/run-a --data-root /proj/data\n');
    t.is(out(1), 'mslk run-one /s/run b --data-root /proj/data\n');
    t.throws(() => out(3), undefined, 'a task past the list fails');
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
});

test('property: bash reads every quoted word back as it was', (t) => {
  const words = fc.sample(fc.string({unit: fc.constantFrom('a', ' ', "'", '"', '$', '\\', '`', '*', '!', ';', '&', '(', '\t', 'é', '-', '%', '=', '~', '#')}), {numRuns: 200, seed: 42});
  const printed = execFileSync('bash', ['-c', `printf '%s\\0' ${words.map(shellQuote).join(' ')}`], {encoding: 'utf8'});
  t.deepEqual(printed.split('\0').slice(0, -1), words);
});

test('paths in #SBATCH lines are quoted (sbatch splits them as a shell does); a % of the store is doubled in --output, where %A and %a stay', (t) => {
  const script = renderBatchScript({...input, logPattern: "/proj/my runs/it's 100%/suites/paper.slurm/logs/%A_%a.log", workDir: '/home/me/mslk clone'});
  const lines = script.split('\n').filter((l) => l.startsWith('#SBATCH ')).map((l) => l.slice(8));
  t.true(lines.includes(`--output='/proj/my runs/it'\\''s 100%%/suites/paper.slurm/logs/%A_%a.log'`), lines.join('\n'));
  t.true(lines.includes(`--chdir='/home/me/mslk clone'`), lines.join('\n'));
  t.is(outputPattern('/a%b/c%d/%A_%a.log'), '/a%%b/c%%d/%A_%a.log');
  t.is(sbatchWord('/plain/path', 'the store'), '/plain/path');
  t.throws(() => sbatchWord('/a\\b', 'the store'), {message: 'the store /a\\b holds a backslash, which sbatch cannot read in an #SBATCH line: use a path without one'});
  t.throws(() => sbatchWord('/a\nb', 'the store'), {message: 'the store "/a\\nb" holds a line break, which sbatch cannot read in an #SBATCH line: use a path without one'});
});

test('a suite larger than MaxArraySize is split into arrays of at most MaxArraySize tasks, in order; MaxArraySize 0 is refused', (t) => {
  const runs = Array.from({length: 1101}, (_, i) => i);
  const arrays = splitIntoArrays(runs, 1001);
  t.deepEqual(arrays.map((a) => a.length), [1001, 100]);
  t.deepEqual(arrays.flat(), runs);
  t.deepEqual(splitIntoArrays([1, 2, 3], 5), [[1, 2, 3]]);
  t.deepEqual(splitIntoArrays([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  t.throws(() => splitIntoArrays([1], 0), {message: /^this cluster allows no job arrays \(MaxArraySize = 0 in `scontrol show config`\)/});
  fc.assert(fc.property(fc.nat(3000), fc.integer({min: 1, max: 1200}), (n, max) => {
    const parts = splitIntoArrays(Array.from({length: n}, (_, i) => i), max);
    return parts.every((p) => p.length >= 1 && p.length <= max) && parts.flat().length === n && parts.length === Math.ceil(n / max);
  }));
});
