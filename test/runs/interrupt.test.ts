// Stopping a training process cleanly (SIGINT from a terminal, SIGTERM from SLURM or `kill`), and `mslk run-one`'s
// exit codes: 0 done, 75 owned by another live process.
import test from 'ava';
import {spawn} from 'node:child_process';
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {basename, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {activateBackend} from '../../src/engine/backends.js';
import {resolveRunConfig} from '../../src/runs/config.js';
import {acquireRunLock} from '../../src/runs/lock.js';
import {RunDir} from '../../src/runs/run-dir.js';
import {locateRunForConfig} from '../../src/runs/run-for-config.js';
import {trainRun} from '../../src/runs/train-run.js';
import {readCheckpoint} from '../../src/training/checkpoint.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let scratch = '';
let dataRoot = '';
const SMALL = ['model.baseWidth=4', 'data.size=32', 'train.batchSize=8', 'train.optimizer.lr=0.005', 'train.epochs=4', 'seed=21'];
const EVALUATION_FILES = ['metrics.json', 'eval/test-last.csv', 'eval/test-last.json', 'eval/validation-last.csv', 'eval/validation-last.json'];

test.before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mslk-interrupt-'));
  dataRoot = join(scratch, 'data');
  await activateBackend('wasm');
});

test.after.always(async () => {
  await rm(scratch, {recursive: true, force: true});
});

function cli(args: string[]): {done: Promise<number | null>; stderr: () => string; stdout: () => string; signal: (s: NodeJS.Signals) => void} {
  const child = spawn(process.execPath, ['--import=tsx', 'bin/dev.js', ...args], {cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, MSLK_BACKEND: 'wasm'}});
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return {done: new Promise((resolve) => child.on('close', resolve)), stderr: () => stderr, stdout: () => stdout, signal: (s) => child.kill(s)};
}

async function logLines(dir: string): Promise<number> {
  return (await new RunDir(dir).logLines()).length;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test.serial(`${signal} during epoch 2 of 4: exit 130 within seconds, status partial, lock released; --resume gives the uninterrupted evaluation files`, async (t) => {
    const set = [...SMALL, ...(signal === 'SIGTERM' ? ['seed=22'] : [])];
    const config = await resolveRunConfig(join(root, 'configs/quickstart-unet.yaml'), {set});
    const reference = await trainRun({config, out: join(scratch, `reference-${signal}`), dataRoot});
    const out = join(scratch, `stopped-${signal}`);
    const args = ['train', 'configs/quickstart-unet.yaml', '--out', out, '--data-root', dataRoot, ...set.flatMap((s) => ['--set', s])];
    const dir = join(out, basename(reference.dir));
    const first = cli(args);
    const deadline = Date.now() + 120_000;
    while ((await logLines(dir)) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 30));
    const sent = Date.now();
    first.signal(signal);
    t.is(await first.done, 130, first.stderr());
    t.true(Date.now() - sent < 5_000, `stopped ${Date.now() - sent} ms after the signal`);
    t.regex(first.stderr(), new RegExp(`${signal} received: stopping after the current step and writing a checkpoint there`));
    t.regex(first.stderr(), new RegExp(`${signal}: the run stopped and is marked partial .*--resume`));
    t.is((await readFile(join(dir, 'status'), 'utf8')).trim(), 'partial');
    const epochs = await logLines(dir);
    t.true(epochs >= 1 && epochs < 4, `stopped mid-run after ${epochs} epochs`);
    // Where it stopped (inside an epoch, most often; at an epoch boundary when the signal came during validation)
    // is what the message says and what `last` holds; log.jsonl holds the finished epochs.
    const {header} = await readCheckpoint(join(dir, 'checkpoints', 'last.ckpt'));
    const inside = /its checkpoint is at epoch (\d+), step (\d+) of (\d+), and a resume goes on from there/.exec(first.stderr());
    const boundary = /its checkpoint is at the end of epoch (\d+)/.exec(first.stderr());
    t.true(inside !== null || boundary !== null, first.stderr());
    if (inside !== null) {
      t.log(`stopped at epoch ${inside[1]}, step ${inside[2]} of ${inside[3]}`);
      t.deepEqual([header.epoch + 1, header.unfinishedEpoch?.steps, header.unfinishedEpoch?.stepsPerEpoch], inside.slice(1, 4).map(Number));
    } else {
      t.is(header.unfinishedEpoch, undefined);
      t.is(header.epoch, Number(boundary![1]));
    }
    t.is(epochs, header.epoch);
    await t.throwsAsync(readFile(join(dir, 'lock')), {code: 'ENOENT'}, 'the lock was released');
    const refused = cli(args);
    t.is(await refused.done, 1);
    t.regex(refused.stderr(), /already exists \(interrupted\).*pass --resume/);
    const resumed = cli([...args, '--resume']);
    t.is(await resumed.done, 0, resumed.stderr());
    for (const file of EVALUATION_FILES) t.is(await readFile(join(dir, file), 'utf8'), await readFile(join(reference.dir, file), 'utf8'), file);
    t.is(await logLines(dir), 4);
  });
}

test.serial('run-one: 75 while another live process owns the run, then 0 (trained), then 0 at once (already done)', async (t) => {
  const config = await resolveRunConfig(join(root, 'configs/quickstart-unet.yaml'), {set: [...SMALL, 'train.epochs=1', 'seed=23']});
  const {dir} = await locateRunForConfig(config, {out: join(scratch, 'store'), dataRoot});
  await mkdir(dir, {recursive: true});
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  const lock = await acquireRunLock(dir, {command: 'a test'});
  const owned = cli(['run-one', dir, '--data-root', dataRoot]);
  t.is(await owned.done, 75, owned.stderr());
  t.regex(owned.stderr(), new RegExp(`in use by pid ${process.pid} on `));
  await lock.release();
  const trained = cli(['run-one', dir, '--data-root', dataRoot, '--json']);
  t.is(await trained.done, 0, trained.stderr());
  const events = trained.stdout().trim().split('\n').map((l) => JSON.parse(l) as {type?: string; reused?: boolean});
  t.deepEqual(events.filter((e) => e.type === 'epoch').length, 1);
  t.false(events.find((e) => e.type === 'done')!.reused);
  const again = cli(['run-one', dir, '--data-root', dataRoot, '--json']);
  t.is(await again.done, 0, again.stderr());
  t.true(JSON.parse(again.stdout().trim().split('\n').at(-1)!).reused);
});

test.serial('run-one refuses a folder without config.json in one line', async (t) => {
  const empty = join(scratch, 'store', 'unet-synthetic-s0-0123456789ab');
  await mkdir(empty, {recursive: true});
  const run = cli(['run-one', empty]);
  t.is(await run.done, 1);
  t.regex(run.stderr(), /^Error: .*no config\.json: pass a run directory that a suite plan prepared/);
  t.is(run.stderr().trim().split('\n').length, 1);
});
