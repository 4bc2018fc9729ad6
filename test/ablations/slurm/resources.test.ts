// SLURM resources from a suite file and from flags: SLURM's own formats, a flag over the file, extra lines added up.
import test from 'ava';
import {mergeSlurmResources, slurmResourcesSchema} from '../../../src/ablations/slurm/resources.js';

test('SLURM time, memory and gres formats: the right values pass, each wrong one names the format', (t) => {
  for (const time of ['30', '30:00', '12:00:00', '2-00', '2-12:00', '2-12:00:00', 'UNLIMITED']) t.true(slurmResourcesSchema.safeParse({time}).success, time);
  for (const time of ['1h', '12:00:00:00', '-1', '']) t.false(slurmResourcesSchema.safeParse({time}).success, time);
  for (const mem of ['16G', '8000', '8000M', '1T']) t.true(slurmResourcesSchema.safeParse({mem}).success, mem);
  for (const mem of ['16GB', '1.5G', 'lots']) t.false(slurmResourcesSchema.safeParse({mem}).success, mem);
  for (const gres of ['gpu:1', 'gpu:a100:2', 'gpu:1,shard:2']) t.true(slurmResourcesSchema.safeParse({gres}).success, gres);
  for (const gres of ['gpu 1', '1:gpu', '']) t.false(slurmResourcesSchema.safeParse({gres}).success, gres);
  t.false(slurmResourcesSchema.safeParse({partition: 'gpu; rm -rf ~'}).success, 'no shell in a name');
  t.false(slurmResourcesSchema.safeParse({sbatch: ['constraint=a100']}).success, 'an option starts with --');
  t.true(slurmResourcesSchema.safeParse({sbatch: ['--constraint=a100', '--mail-type=END', '--exclusive']}).success);
  for (const option of ['-J myjob', '--comment=my study', '--constraint=a100 --mail-type=END']) {
    const parsed = slurmResourcesSchema.safeParse({sbatch: [option]});
    t.regex(parsed.success ? '' : parsed.error.issues[0]!.message, /one option per entry, in its long form with '=' and no spaces/, option);
  }
  for (const option of ['--array=0-3', '--output=/x/%j.log', '--chdir=/x', '--job-name=x', '--partition=cpu', '--time=1:00:00']) {
    const parsed = slurmResourcesSchema.safeParse({sbatch: [option]});
    t.regex(parsed.success ? '' : parsed.error.issues[0]!.message, /is an option mslk sets itself: use its own key/, option);
  }
  t.false(slurmResourcesSchema.safeParse({setup: ['a\nb']}).success);
  t.false(slurmResourcesSchema.safeParse({gpus: 1}).success, 'unknown keys are errors');
});

test('a flag replaces the suite\'s value; sbatch and setup lines of both are kept, the suite\'s first', (t) => {
  const merged = mergeSlurmResources({partition: 'cpu', time: '1:00:00', setup: ['module load a'], sbatch: ['--qos=low']},
    {partition: 'gpu', setup: ['module load b']});
  t.deepEqual(merged, {partition: 'gpu', time: '1:00:00', setup: ['module load a', 'module load b'], sbatch: ['--qos=low']});
  t.deepEqual(mergeSlurmResources(undefined, {}), {});
});

test('a flag with a wrong format is one line naming the flag', (t) => {
  t.throws(() => mergeSlurmResources(undefined, {time: '1h'}), {message: /^--time "1h" is not a SLURM time: use e\.g\./});
  t.throws(() => mergeSlurmResources(undefined, {cpusPerTask: 0}), {message: /^--cpus-per-task 0 /});
  t.throws(() => mergeSlurmResources(undefined, {mem: '2 GB'}), {message: /^--mem "2 GB" is not a memory size/});
});
