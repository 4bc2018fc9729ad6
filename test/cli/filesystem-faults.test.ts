// The file system under mslk's commands, through the CLI with the exact line users see: an output folder under /proc
// fails at once (it hung), a full disk names the file and the fix and leaves the previous report whole, the next
// `ablate` names --rerun-failed, `ablate status` and --dry-run create no store, SIGTERM counts runs that never
// started as not started, an empty lock and killed writers' temporary files do not stall or litter a resumed suite,
// and predict refuses another run's folder unless --force.
import test from 'ava';
import {spawn} from 'node:child_process';
import {mkdtemp, readFile, readdir, rm, stat, utimes, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {SuiteSummary} from '../../src/ablations/local-executor.js';
import type {SuiteManifest} from '../../src/ablations/plan.js';
import {PREDICTIONS_MARKER} from '../../src/inference/predict.js';
import {RunDir} from '../../src/runs/run-dir.js';
import {PROJECT_ROOT, runMslk} from '../helpers/cli.js';
import {mountSmallDisk, smallDiskUnavailable} from '../helpers/full-disk.js';
import {logLines, waitFor} from '../helpers/run-progress.js';
import {id, images, makeRunStore} from '../reports/fixtures/run-store.js';

let scratch = '';
let dataRoot = '';

test.before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mslk-fs-faults-'));
  dataRoot = join(scratch, 'data');
});

test.after.always(async () => {
  await rm(scratch, {recursive: true, force: true});
});

const noDisk = smallDiskUnavailable();
const diskTest = noDisk !== null && process.env['CI'] !== 'true' ? test.serial.skip : test.serial;
if (noDisk !== null) console.log(`full-disk tests: ${noDisk}`);

/** A suite of tiny U-Nets (32 px, base width 4) on the synthetic data. */
async function tinySuite(name: string, seeds: number[], epochs: number): Promise<string> {
  const file = join(scratch, `${name}.yaml`);
  await writeFile(file, JSON.stringify({
    name, extends: 'training/default.yaml', model: 'models/unet.yaml', datasets: ['synthetic'], seeds,
    variants: {tiny: {baseWidth: 4}}, set: {'data.size': 32, 'train.epochs': epochs, 'train.batchSize': 8, 'train.optimizer.lr': 0.005},
  }));
  return file;
}

function ablateArgs(suite: string, store: string, ...more: string[]): string[] {
  return ['ablate', suite, '--store', store, '--jobs', '1', '--data-root', dataRoot, '--backend', 'wasm', '--no-estimate', ...more];
}

async function suiteRuns(store: string, suite: string): Promise<SuiteManifest['runs']> {
  return (JSON.parse(await readFile(join(store, 'suites', `${suite}.json`), 'utf8')) as SuiteManifest).runs;
}

function summaryOf(stdout: string): SuiteSummary {
  const lines = stdout.trimEnd().split('\n');
  return (JSON.parse(lines.slice(lines.lastIndexOf('{')).join('\n')) as {summary: SuiteSummary}).summary;
}

/** Every file under `dir`, relative, with its bytes. */
async function filesOf(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const entry of await readdir(dir, {recursive: true, withFileTypes: true})) {
    if (entry.isFile()) out.set(join(entry.parentPath, entry.name).slice(dir.length + 1), await readFile(join(entry.parentPath, entry.name)));
  }
  return out;
}

test('report --out under /proc fails at once with one line (it hung), and so do predict and export', async (t) => {
  const proc = await runMslk(['report', 'any', '--out', '/proc/mslk-report']);
  t.is(proc.code, 2);
  t.is(proc.stderr, "Error: --out /proc/mslk-report: /proc is on the kernel's proc file system, not a disk; pass a folder on a disk\n");
  const self = await runMslk(['report', 'any', '--out', '/proc/self']);
  t.is(self.code, 2);
  t.is(self.stderr, "Error: --out /proc/self: is on the kernel's proc file system, not a disk; pass a folder on a disk\n");
  const predict = await runMslk(['predict', 'abc', '--input', 'x.png', '--out', '/sys/mslk/preds']);
  t.is(predict.stderr, "Error: --out /sys/mslk/preds: /sys is on the kernel's sysfs file system, not a disk; pass a folder on a disk\n");
  const exported = await runMslk(['export', 'unet', '--format', 'safetensors', '--out', '/proc/zz/unet.safetensors']);
  t.is(exported.code, 2);
  t.is(exported.stderr, "Error: --out /proc/zz/unet.safetensors: /proc/zz: /proc is on the kernel's proc file system, not a disk; pass a folder on a disk\n");
});

diskTest('report --out on a full disk: one line naming the file and the fix; the previous report stays whole, nothing half-written', async (t) => {
  const {store} = await makeRunStore([
    {runId: id(1), variant: 'full', seed: 0, state: 'done', images: images(0.8, 0.7)},
    {runId: id(3), variant: 'w/o MIE', seed: 0, state: 'done', images: images(0.6, 0.7)},
  ], {name: 'disk', reference: 'full'});
  const disk = await mountSmallDisk(4096);
  try {
    const out = join(disk.path, 'report');
    const first = await runMslk(['report', 'disk', '--store', store, '--out', out, '--no-costs', '--no-gallery']);
    t.is(first.code, 0, first.stderr);
    const before = await filesOf(out);
    t.true(before.has('index.html'));
    await disk.fill(8192);
    const full = await runMslk(['report', 'disk', '--store', store, '--out', out, '--no-costs', '--no-gallery']);
    t.is(full.code, 1);
    const line = full.stderr.split('\n').find((l) => l.startsWith('Error: '));
    t.regex(line ?? '', new RegExp(`^Error: no space left on the disk of ${out}/\\S+: free some space there \\(or choose another folder: --store, --out\\), then run the command again$`));
    t.deepEqual(await filesOf(out), before, 'the previous report, file for file');
    t.deepEqual((await readdir(disk.path)).sort(), ['filler', 'report'], 'no temporary folder left');
  } finally {
    await disk.release();
  }
});

test.serial('ablate status and --dry-run on a store that does not exist write nothing; status says so', async (t) => {
  const suite = await tinySuite('nostore', [0, 1], 1);
  const store = join(scratch, 'no-such-store');
  const status = await runMslk(['ablate', 'status', suite, '--store', store, '--data-root', dataRoot, '--backend', 'wasm', '--no-estimate']);
  t.is(status.code, 0, status.stderr);
  t.regex(status.stdout, /2 pending/);
  t.true(status.stderr.includes(`note: the store ${store} does not exist yet: no run of this suite has started there (another --store?); nothing was written\n`));
  const dry = await runMslk(['ablate', suite, '--store', store, '--data-root', dataRoot, '--backend', 'wasm', '--no-estimate', '--dry-run']);
  t.is(dry.code, 0, dry.stderr);
  await t.throwsAsync(stat(store), {code: 'ENOENT'}, 'no store created');
});

diskTest('a full disk fails the run with the file and the fix; the next ablate names --rerun-failed, which then trains it', async (t) => {
  const suite = await tinySuite('fulldisk', [3], 1);
  // The synthetic dataset is prepared first, off the small disk.
  t.is((await runMslk(['ablate', suite, '--store', join(scratch, 'unused'), '--data-root', dataRoot, '--backend', 'wasm', '--no-estimate', '--dry-run'])).code, 0);
  const disk = await mountSmallDisk(8192);
  try {
    const store = join(disk.path, 'runs');
    // Room for the small files (config, status, log), not for a checkpoint.
    await disk.fill(48 * 1024);
    const first = await runMslk(ablateArgs(suite, store));
    t.is(first.code, 1, first.stderr);
    const [run] = await suiteRuns(store, 'fulldisk');
    const failed = new RegExp(`^ {2}failed ${run!.runId}: (no space left on the disk of ${run!.dir}/checkpoints/(best|last)\\.ckpt: free some space there \\(or choose another folder: --store, --out\\), then run the command again)$`, 'm').exec(first.stderr);
    t.truthy(failed, first.stderr);
    const reason = failed?.[1] ?? '';
    t.deepEqual((await readdir(join(run!.dir, 'checkpoints'))).filter((n) => n.includes('.tmp-')), [], 'no temporary checkpoint left');

    await disk.unfill();
    const second = await runMslk(ablateArgs(suite, store));
    t.is(second.code, 1);
    t.true(second.stderr.includes(`  failed ${run!.runId}: failed in an earlier attempt (${reason}); not rerun without --rerun-failed\n`), second.stderr);
    t.false(second.stderr.includes('rerunFailed'));

    const third = await runMslk(ablateArgs(suite, store, '--rerun-failed'));
    t.is(third.code, 0, third.stderr);
    t.is((await new RunDir(run!.dir).status())?.state, 'done');
  } finally {
    await disk.release();
  }
});

/** `mslk ablate ... --json` as a child process, to be signalled. */
function ablateProcess(args: string[]): {done: Promise<number | null>; stdout: () => string; stderr: () => string; kill: (s: NodeJS.Signals) => void} {
  const child = spawn(process.execPath, ['--import=tsx', 'bin/dev.js', ...args], {cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, MSLK_DEBUG: ''}});
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return {done: new Promise((resolve) => child.on('close', (code) => resolve(code))), stdout: () => stdout, stderr: () => stderr, kill: (s) => child.kill(s)};
}

test.serial('SIGTERM mid-suite: runs that never started are counted as not started; an empty lock and leftover temporary files do not stall or litter the resumed suite; predict guards its folder', async (t) => {
  const suite = await tinySuite('term', [0, 1, 2], 2);
  const store = join(scratch, 'store-term');
  const first = ablateProcess(ablateArgs(suite, store));
  await waitFor(async () => {
    const runs = await suiteRuns(store, 'term').catch(() => []);
    for (const run of runs) if ((await logLines(run.dir)) >= 1 && (await new RunDir(run.dir).status())?.state === 'running') return true;
    return false;
  }, 180_000, 'the first run to finish an epoch');
  first.kill('SIGTERM');
  t.is(await first.done, 130, first.stderr());
  t.regex(first.stderr(), /suite term: 0 trained, 0 already done, 0 failed, 1 partial, 2 not started, 0 owned by other processes \(store /);

  // What a crash leaves: a lock file created but never written, and a killed writer's temporary checkpoint.
  const runs = await suiteRuns(store, 'term');
  const started = [];
  for (const run of runs) if ((await logLines(run.dir)) >= 1) started.push(run);
  t.is(started.length, 1);
  const partial = started[0]!;
  const lock = join(partial.dir, 'lock');
  await writeFile(lock, '');
  const old = new Date(Date.now() - 10_000);
  await utimes(lock, old, old);
  const leftover = join(partial.dir, 'checkpoints', '.best.ckpt.tmp-4242-0a1b2c3d');
  await writeFile(leftover, Buffer.alloc(1 << 20));
  const second = await runMslk(ablateArgs(suite, store, '--json'));
  t.is(second.code, 0, second.stderr);
  t.notRegex(second.stdout + second.stderr, /"type":\s*"skipped"/, 'the empty lock is not taken for a live owner');
  t.is(summaryOf(second.stdout).done.length, 3);
  for (const run of runs) {
    const names = await readdir(run.dir, {recursive: true});
    t.deepEqual(names.filter((n) => n.includes('.tmp-')), [], `no temporary file left in ${run.dir}`);
    t.false(names.includes('lock'));
  }

  // predict: one run's folder is refused to another run, unless --force; the folder names its run.
  const input = join(scratch, 'predict-input.png');
  const sharp = (await import('sharp')).default;
  await sharp(Buffer.alloc(40 * 30 * 3, 90), {raw: {width: 40, height: 30, channels: 3}}).png().toFile(input);
  const out = join(scratch, 'preds');
  const [a, b] = runs;
  const predict = (run: string, ...more: string[]) => runMslk(['predict', run, '--input', input, '--out', out, '--backend', 'wasm', ...more]);
  t.is((await predict(a!.dir)).code, 0);
  t.like(JSON.parse(await readFile(join(out, PREDICTIONS_MARKER), 'utf8')), {runId: a!.runId, run: a!.dir, checkpoint: 'last'});
  t.is((await predict(a!.dir)).code, 0, 'the same run and checkpoint replaces its own predictions');
  const refused = await predict(b!.dir);
  t.is(refused.code, 2);
  t.is(refused.stderr, `Error: --out ${out}: holds the predictions of run ${a!.runId} (${a!.dir}, checkpoint last); run ${b!.runId} (checkpoint last) would overwrite them: pass another --out, or --force to replace them\n`);
  const forced = await predict(b!.dir, '--force');
  t.is(forced.code, 0, forced.stderr);
  t.like(JSON.parse(await readFile(join(out, PREDICTIONS_MARKER), 'utf8')), {runId: b!.runId, run: b!.dir});
  // A folder of files named like predict's, without a marker (someone's masks): refused as well.
  const masks = join(scratch, 'masks');
  await rm(masks, {recursive: true, force: true});
  await import('node:fs/promises').then((fs) => fs.mkdir(masks));
  await writeFile(join(masks, 'predict-input_mask.png'), 'not a prediction');
  const foreign = await runMslk(['predict', a!.dir, '--input', input, '--out', masks, '--backend', 'wasm']);
  t.is(foreign.code, 2);
  t.is(foreign.stderr, `Error: --out ${masks}: already holds predict-input_mask.png, a file predict writes, not written by mslk predict: pass another --out, or --force to replace them\n`);
  t.is(await readFile(join(masks, 'predict-input_mask.png'), 'utf8'), 'not a prediction');
});
