// Bad command lines through the real CLI (TypeScript sources via bin/dev.js): each is one line naming the flag and
// the fix, never the usage or a raw EISDIR/ENOTDIR, with exit code 2 (a command line that cannot run as typed).
import test from 'ava';
import {runMslk, type CliResult} from '../helpers/cli.js';
import {mkdir, mkdtemp, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';


// At most two CLI processes at a time: each loads TF.js, and the machine is shared.
let running = 0;
const waiting: (() => void)[] = [];

async function mslk(...args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
  if (running >= 2) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await runCli(args);
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function runCli(args: string[]): Promise<CliResult> {
  return runMslk(args, {MSLK_BACKEND: ''});
}

/** oclif prints an error as ` ›   Error: <message>` wrapped to the terminal width: the message, unwrapped. */
function errorLine(stderr: string): string {
  return stderr.split('\n').map((l) => l.replace(/^ ›\s{3}/, '')).join('').replace(/^Error: /, '').trim();
}

function assertOneLineError(t: import('ava').ExecutionContext, result: {code: number; stdout: string; stderr: string}, expected: string, exit = 2): void {
  t.is(result.code, exit, result.stderr);
  t.is(errorLine(result.stderr), expected);
  t.notRegex(result.stderr, /USAGE|FLAGS|\n\s+at /);
  t.is(result.stdout, '');
}

const unknownFlags: [args: string[], expected: string][] = [
  [['train', 'configs/quickstart.yaml', '--epochs', '3'], 'unknown flag --epochs: did you mean --set train.epochs=3?'],
  [['train', 'configs/quickstart.yaml', '--batch-size=4'], 'unknown flag --batch-size: did you mean --set train.batchSize=4?'],
  [['models', 'profile', 'unet', '--base-width', '8'], 'unknown flag --base-width: did you mean --set baseWidth=8?'],
  [['eval', 'runs/x', '--chekpoint', 'best'], 'unknown flag --chekpoint: did you mean --checkpoint best?'],
  [['eval', 'runs/x', '--frobnicate'], 'unknown flag --frobnicate: see mslk eval --help'],
];

for (const [args, expected] of unknownFlags) {
  test(`mslk ${args.join(' ')}: ${expected}`, async (t) => {
    assertOneLineError(t, await mslk(...args), expected);
  });
}

test('under --json an unknown flag is a small error object, exit 2', async (t) => {
  const {code, stdout} = await mslk('train', 'configs/quickstart.yaml', '--epochs', '3', '--json');
  t.is(code, 2);
  t.deepEqual(JSON.parse(stdout), {error: {name: 'Error', message: 'unknown flag --epochs: did you mean --set train.epochs=3?', exit: 2}});
});

test('a file where a folder is expected and a folder where a file is expected name the flag', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-cli-'));
  const file = join(dir, 'file.txt');
  const folder = join(dir, 'folder');
  await writeFile(file, 'x');
  await mkdir(folder);
  const cases: [args: string[], expected: string][] = [
    [['export', 'unet', '--out', folder], `--out ${folder}: is a directory; pass a file path`],
    [['export', 'unet', '--format', 'tfjs', '--out', file], `--out ${file}: is a file; pass a folder`],
    [['train', 'configs/quickstart.yaml', '--out', file], `--out ${file}: is a file; pass a folder`],
    [['datasets', 'list', '--data-root', file], `--data-root ${file}: is a file; pass a folder`],
    [['datasets', 'list', '--data-root', join(file, 'sub')], `--data-root ${join(file, 'sub')}: ${file} is a file, not a folder; pass a path inside a folder`],
    [['predict', 'runs/x', '--input', 'x.png', '--out', file], `--out ${file}: is a file; pass a folder`],
    [['datasets', 'prepare', 'synthetic', '--split-file', folder], `--split-file ${folder}: is a directory; pass a file path`],
  ];
  const results = await Promise.all(cases.map(([args]) => mslk(...args)));
  cases.forEach(([, expected], i) => assertOneLineError(t, results[i]!, expected));
  // A config argument that is a folder: one line from the config reader.
  assertOneLineError(t, await mslk('train', folder), `cannot read config '${folder}': it is a folder: name a YAML file in it`, 2);
});

test('other parse errors are one line too, pointing to --help', async (t) => {
  const [missingArg, badInteger] = await Promise.all([mslk('eval'), mslk('models', 'profile', 'unet', '--size', 'abc')]);
  assertOneLineError(t, missingArg, 'Missing 1 required arg: run; see mslk eval --help');
  assertOneLineError(t, badInteger, '--size: Expected an integer but received: abc; see mslk models profile --help');
});
