// What a person sees while runs train, through the CLI: piped (runMslk reads stdout through a pipe, as `| tee log`,
// nohup, CI and SLURM logs do) one readable line per event and the report command at the end, JSON only under
// --json; on a terminal (a pseudo-terminal from util-linux `script`) a live block with each run's epoch k/N, loss
// and validation Dice and an ETA that is never INF. Tiny U-Nets (32 px, base width 4) on synthetic data, wasm.
import test from 'ava';
import {execFile} from 'node:child_process';
import {access, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {PROJECT_ROOT, runMslk, type CliResult} from '../helpers/cli.js';

let scratch = '';
let dataRoot = '';

test.before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mslk-progress-output-'));
  dataRoot = join(scratch, 'data');
});

test.after.always(async () => {
  await rm(scratch, {recursive: true, force: true});
});

const TINY = ['--set', 'model.baseWidth=4', '--set', 'data.size=32', '--set', 'train.epochs=2', '--set', 'train.batchSize=8', '--set', 'train.optimizer.lr=0.005'];

/** A suite of one tiny U-Net run (seed 0, 2 epochs). */
async function tinySuite(name: string): Promise<string> {
  const file = join(scratch, `${name}.yaml`);
  await writeFile(file, JSON.stringify({name, extends: 'training/default.yaml', model: 'models/unet.yaml', datasets: ['synthetic'], seeds: [0],
    variants: {tiny: {baseWidth: 4}}, set: {'data.size': 32, 'train.epochs': 2, 'train.batchSize': 8, 'train.optimizer.lr': 0.005}}));
  return file;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * `mslk <args>` on a pseudo-terminal (stdout and stderr both a TTY, 200 columns), run in `cwd`: `script -qec` from
 * util-linux. Resolves with the exit code and the terminal's text, escape sequences and carriage returns removed.
 */
async function onTerminal(args: readonly string[], cwd: string): Promise<CliResult & {raw: string}> {
  const tsx = fileURLToPath(import.meta.resolve('tsx'));
  const command = `stty cols 200 rows 50; exec ${[process.execPath, `--import=${tsx}`, join(PROJECT_ROOT, 'bin/dev.js'), ...args].map(quote).join(' ')}`;
  const env = {...process.env, MSLK_DEBUG: '', TERM: 'xterm'};
  const done = await promisify(execFile)('script', ['-qec', command, '/dev/null'], {cwd, env, maxBuffer: 64 << 20}).then(
    ({stdout, stderr}) => ({code: 0, stdout, stderr}),
    (e: {code: number | string; stdout?: string; stderr?: string}) => ({code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: `${e.stderr ?? ''} (${String(e.code)})`}));
  // eslint-disable-next-line no-control-regex
  const plain = done.stdout.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
  return {...done, raw: done.stdout, stdout: plain};
}

const NUMBER = String.raw`\d+\.\d{3}`;
const DURATION = String.raw`\d+(\.\d)? (s|min)`;

test.serial('piped ablate: one readable line per event in the exact format, the results table, then the report command; --json keeps JSON lines', async (t) => {
  const suite = await tinySuite('piped');
  const store = join(scratch, 'store-piped');
  const args = ['ablate', suite, '--store', store, '--jobs', '1', '--data-root', dataRoot, '--backend', 'wasm', '--no-estimate'];
  const piped = await runMslk(args);
  t.is(piped.code, 0, piped.stderr);
  const lines = piped.stdout.split('\n');
  t.false(lines.some((l) => l.startsWith('{')), 'no JSON without --json');
  const events = lines.filter((l) => l.startsWith('[1/1] '));
  const expected = [
    String.raw`\[1/1\] tiny s0  starts: 2 epochs  \d+ threads?`,
    String.raw`\[1/1\] tiny s0  preparing synthetic at 32 px`,
    String.raw`\[1/1\] tiny s0  training run [0-9a-f]{12} on wasm`,
    String.raw`\[1/1\] tiny s0  epoch 1/2  loss ${NUMBER}  val Dice ${NUMBER}( \(best\))?  ${DURATION}  ETA ${DURATION}`,
    String.raw`\[1/1\] tiny s0  epoch 2/2  loss ${NUMBER}  val Dice ${NUMBER}( \(best\))?  ${DURATION}`,
    String.raw`\[1/1\] tiny s0  evaluating the last checkpoint at each image's original resolution`,
    String.raw`\[1/1\] tiny s0  done  test mDice \d\.\d{4}  ${DURATION}`,
  ];
  t.is(events.length, expected.length, events.join('\n'));
  for (const [i, pattern] of expected.entries()) t.regex(events[i] ?? '', new RegExp(`^${pattern}$`));
  t.regex(piped.stdout, /synthetic\s+tiny\s+0\.\d{4}\s+1\/1/);
  t.is(lines.filter((l) => l !== '').at(-1), `report: npx mslk report ${suite} --store ${store} --data-root ${dataRoot}`);

  const json = await runMslk([...args, '--json']);
  t.is(json.code, 0, json.stderr);
  const jsonLines = json.stdout.trimEnd().split('\n');
  const document = jsonLines.lastIndexOf('{');
  const parsed = jsonLines.slice(0, document).map((l) => JSON.parse(l) as {type: string; runId: string});
  t.deepEqual(parsed.map((e) => [e.type, Object.keys(e)]), [['done', ['type', 'runId', 'reused', 'testDice']]], 'the reused run as its JSON event');
  t.notRegex(json.stdout, /^\[1\/1\]|^report: /m);
});

test.serial('ablate on a terminal: a live block with epoch k/N, loss, val Dice and the suite\'s ETA (never INF), a line per finished run; --report writes the report', async (t) => {
  const suite = await tinySuite('terminal');
  const store = join(scratch, 'store-terminal');
  // In scratch: --report writes reports/<suite> under the working directory. The estimate is on: the ETA starts from the plan.
  const run = await onTerminal(['ablate', suite, '--store', store, '--jobs', '1', '--data-root', dataRoot, '--backend', 'wasm', '--report'], scratch);
  t.is(run.code, 0, run.stdout + run.stderr);
  t.regex(run.stdout, /^suite terminal: 0 of 1 runs done, 0 running  ETA \d/m, 'the plan\'s estimate before any run started');
  t.regex(run.stdout, new RegExp(`^\\[1/1\\] tiny s0  epoch 1/2  loss ${NUMBER}  val Dice ${NUMBER}( \\(best\\))?$`, 'm'));
  t.regex(run.stdout, /^suite terminal: 0 of 1 runs done, 1 running  ETA \d/m);
  t.regex(run.stdout, new RegExp(`^\\[1/1\\] tiny s0  done  test mDice \\d\\.\\d{4}  ${DURATION}$`, 'm'));
  t.notRegex(run.stdout, /INF|ETA \?/);
  t.notRegex(run.stdout, /"type":/, 'no JSON on a terminal');
  t.regex(run.raw, /\u001B\[1A/, 'the block is redrawn in place');
  t.true(run.stdout.includes(`Report: ${join('reports', 'terminal', 'index.html')}`), run.stdout);
  await t.notThrowsAsync(access(join(scratch, 'reports', 'terminal', 'index.html')));
  t.notRegex(run.stdout, /^report: npx mslk report/m, 'written, not named');
});

test.serial('train: piped, a line per epoch with the run\'s ETA; on a terminal a live line with the batch, loss and ETA above which the epochs stay', async (t) => {
  const args = ['train', 'configs/quickstart-unet.yaml', '--data-root', dataRoot, '--backend', 'wasm', ...TINY];
  const piped = await runMslk([...args, '--out', join(scratch, 'train-piped')]);
  t.is(piped.code, 0, piped.stderr);
  const epochs = piped.stdout.split('\n').filter((l) => l.startsWith('epoch'));
  t.is(epochs.length, 2, piped.stdout);
  t.regex(epochs[0]!, new RegExp(`^epoch 1/2  loss ${NUMBER}  val Dice ${NUMBER}( \\(best\\))?  ${DURATION}  ETA ${DURATION}$`));
  t.regex(epochs[1]!, new RegExp(`^epoch 2/2  loss ${NUMBER}  val Dice ${NUMBER}( \\(best\\))?  ${DURATION}$`));
  t.regex(piped.stdout, /^test mDice \d\.\d{4}, mIoU/m);

  const live = await onTerminal([...args, '--out', join(scratch, 'train-terminal')], PROJECT_ROOT);
  t.is(live.code, 0, live.stdout + live.stderr);
  t.regex(live.stdout, new RegExp(`^epoch 1/2  batch \\d+/\\d+  loss ${NUMBER}  ETA ${DURATION}$`, 'm'), 'the ETA from the batches, in the first epoch');
  t.regex(live.stdout, new RegExp(`^epoch 1/2  loss ${NUMBER}  val Dice ${NUMBER}( \\(best\\))?  ${DURATION}  ETA ${DURATION}$`, 'm'));
  t.regex(live.stdout, new RegExp(`^epoch 2/2  batch \\d+/\\d+  loss ${NUMBER}  val Dice ${NUMBER}( \\(best\\))?  ETA ${DURATION}$`, 'm'));
  t.notRegex(live.stdout, /INF/);
  t.regex(live.stdout, /^test mDice \d\.\d{4}, mIoU/m);
});

test('--report with a dry run, or on SLURM without --wait: one line naming the fix, exit 2', async (t) => {
  const suite = await tinySuite('refused');
  const store = join(scratch, 'store-refused');
  const dry = await runMslk(['ablate', suite, '--store', store, '--dry-run', '--report', '--no-estimate']);
  t.is(dry.code, 2);
  t.is(dry.stderr, 'Error: --report writes the report once the runs trained, and --dry-run trains nothing: drop one of them\n');
  const slurm = await runMslk(['ablate', suite, '--store', store, '--executor', 'slurm', '--report']);
  t.is(slurm.code, 2);
  t.is(slurm.stderr, `Error: --report writes the report once the runs ended: with --executor slurm add --wait, or run \`npx mslk report ${suite} --store ${store}\` when the array job is done\n`);
});
