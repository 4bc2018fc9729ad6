// The README's commands run as written (issue 24). Every `mslk` command line of its shell blocks is read; syntax
// summaries are expanded (an optional `[...]` group is left out, `a | b` alternatives share the command's words), and
// each concrete command is either run here (those that finish in well under a minute: exit 0 expected) or named in
// SLOW_OR_EXTERNAL with the reason it is not. A command the README gains later fails this test until it is sorted
// into one of the two, so the README cannot show a command nobody ran.
import test from 'ava';
import {execFile} from 'node:child_process';
import {mkdtemp, readFile, rm, symlink} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {promisify} from 'node:util';
import {mslkCommandLine} from '../src/runs/self-command.js';
import {PROJECT_ROOT} from './helpers/cli.js';

/** Commands not run here, by their first words: why (each is exercised by its own test where it can be). */
const SLOW_OR_EXTERNAL: Record<string, string> = {
  'npm install && npx mslk quickstart': 'installs and trains the quickstart suite (test/commands/quickstart.test.ts)',
  'npx mslk quickstart': 'trains 10 runs (test/commands/quickstart.test.ts)',
  'npx mslk train': 'trains (test/runs/run.test.ts, test/commands/progress-output.test.ts)',
  'MSLK_BACKEND=webgpu npx mslk train': 'trains on webgpu (test/runs/webgpu-runs.test.ts)',
  'MSLK_NATIVE=off npx mslk train': 'trains (placeholder arguments)',
  'npx mslk bench engine': 'a benchmark: times training steps (test/engine/bench*.test.ts)',
  'npx mslk datasets fetch': 'downloads a public dataset (test/datasets/fetch*.test.ts with a local server)',
  'npx mslk datasets import ./my-data': 'needs the user\'s folder (test/datasets/import*.test.ts)',
  'npx mslk ablate configs/suites/quickstart.yaml --jobs 2': 'trains the quickstart suite',
  'npx mslk ablate configs/suites/quickstart.yaml --dry-run': 'times a training step per model for its estimate',
  'npx mslk ablate status configs/suites/quickstart.yaml': 'times a training step per model for its estimate',
  'npx mslk ablate configs/suites/paper.yaml': 'a SLURM cluster (test/ablations/slurm-cluster.test.ts)',
  'npx mslk ablate status configs/suites/paper.yaml': 'times a training step of each of the paper suite\'s models at 256 px',
  'npx mslk report': 'needs trained runs (test/commands/report.test.ts)',
  'npx mslk models profile': 'profiles a 256 px model, with latency (test/models/profile*.test.ts)',
};

/** Commands that run here as written, with the output that shows they did what they say. */
const RUN_HERE: Record<string, RegExp> = {
  'npx mslk doctor': /backend/i,
  'npx mslk doctor --backend webgpu': /webgpu/,
  'npx mslk datasets list': /kvasir-seg/,
  'npx mslk models list': /ms-lkseg/,
  'npx mslk config show configs/quickstart.yaml': /epochs: 10/,
  'npx mslk config keys': /train\.epochs/,
  'npx mslk export configs/models/ms-lkseg.yaml --format safetensors --out exported/ms-lkseg.safetensors': /safetensors/,
  'npx mslk store verify': /no run store at/,
};

/** Commands whose README form exits non-zero by design, with the code. */
const EXIT_CODE: Record<string, number> = {'npx mslk store verify': 2};

/** The concrete commands of one README line: optional groups left out, `|` alternatives expanded, comment dropped. */
function concreteCommands(line: string): string[] {
  const command = line.replace(/\s+#.*$/, '').trim();
  const minimal = command.replace(/\s*\[[^\]]*\]/g, '').trim();
  const [first, ...alternatives] = minimal.split(/\s+\|\s+/);
  // `npx mslk datasets list | info <name>`: an alternative takes the words up to the first one's topic
  // (`npx mslk datasets`), unless it names the topic itself (`models list | models profile ...`).
  const words = first!.split(/\s+/);
  const topic = words.indexOf('mslk') + 1;
  return [first!, ...alternatives.map((a) => (a.startsWith(`${words[topic]} `) ? [...words.slice(0, topic), a] : [...words.slice(0, topic + 1), a]).join(' '))];
}

async function readmeCommands(): Promise<string[]> {
  const readme = await readFile(join(PROJECT_ROOT, 'README.md'), 'utf8');
  const commands: string[] = [];
  for (const block of readme.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)) {
    for (const line of block[1]!.split('\n')) if (/\bmslk /.test(line)) commands.push(...concreteCommands(line.trim()));
  }
  return [...new Set(commands)];
}

function sortedInto(command: string): 'run' | 'skip' | undefined {
  if (command in RUN_HERE) return 'run';
  if (Object.keys(SLOW_OR_EXTERNAL).some((p) => command === p || command.startsWith(`${p} `))) return 'skip';
  // A placeholder (`<run-id>`, `...`) is not a command as written: its command line is covered by its topic's tests.
  if (/<[^>]+>|\.\.\./.test(command)) return 'skip';
  return undefined;
}

test('every mslk command of the README is run here or named with the reason it is not', async (t) => {
  const commands = await readmeCommands();
  t.true(commands.length >= 20, `commands read: ${commands.length}`);
  const unsorted = commands.filter((c) => sortedInto(c) === undefined);
  t.deepEqual(unsorted, [], 'README commands neither run by this test nor named in SLOW_OR_EXTERNAL');
  for (const command of Object.keys(RUN_HERE)) t.true(commands.includes(command), `RUN_HERE names a command the README no longer shows: ${command}`);
});

test('the README commands that finish in seconds run as written (in a scratch folder beside configs/)', async (t) => {
  t.timeout(600_000);
  const dir = await mkdtemp(join(tmpdir(), 'mslk-readme-'));
  t.teardown(() => rm(dir, {recursive: true, force: true}));
  await symlink(join(PROJECT_ROOT, 'configs'), join(dir, 'configs'));
  const env = {...process.env, MSLK_DEBUG: '', MSLK_DATA_ROOT: join(dir, 'data'), VK_ICD_FILENAMES: process.env['VK_ICD_FILENAMES'] ?? '/usr/lib/chromium/vk_swiftshader_icd.json'};
  for (const [command, expected] of Object.entries(RUN_HERE)) {
    const args = command.replace(/^npx mslk /, '').split(/\s+/);
    const [executable, ...prefix] = mslkCommandLine();
    const result = await promisify(execFile)(executable!, [...prefix, ...args], {cwd: dir, env})
      .then(({stdout, stderr}) => ({code: 0, stdout, stderr}), (e: {code: number; stdout: string; stderr: string}) => e);
    t.is(result.code, EXIT_CODE[command] ?? 0, `${command}: ${result.stderr}`);
    t.regex(result.stdout + result.stderr, expected, command);
  }
});
