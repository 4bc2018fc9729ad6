// A store that verifies itself (issue 23), through the CLI on a tiny suite of two U-Nets on synthetic data: every
// done run's files are compared with the sha256 recorded in its checksums.json. A row deleted from a per-image CSV or
// a summary cut short is evaluated again from the checkpoint by `ablate` (the same bytes as before); an edited
// config, a damaged manifest or checkpoint make the run failed in `ablate status`, `ablate` and `report`, naming the
// file and the fix, and never give a number; `mslk store verify` checks a whole store.
import test from 'ava';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {SuiteSummary} from '../../src/ablations/local-executor.js';
import type {SuiteManifest} from '../../src/ablations/plan.js';
import {runMslk} from '../helpers/cli.js';

let scratch = '';
let suite = '';
let store = '';
let dataRoot = '';
let runDirs: string[] = [];

function ablate(...extra: string[]): ReturnType<typeof runMslk> {
  return runMslk(['ablate', suite, '--store', store, '--jobs', '2', '--data-root', dataRoot, '--backend', 'wasm', '--no-estimate', ...extra]);
}

function status(): ReturnType<typeof runMslk> {
  return runMslk(['ablate', 'status', suite, '--store', store, '--data-root', dataRoot, '--no-estimate']);
}

/** The summary of `ablate --json`: the result document after the JSON event lines. */
function summaryOf(stdout: string): SuiteSummary {
  const lines = stdout.trimEnd().split('\n');
  return (JSON.parse(lines.slice(lines.lastIndexOf('{')).join('\n')) as {summary: SuiteSummary}).summary;
}

/** Damages `file` of the seed-0 run with `damage`, runs `check`, then puts the original bytes back. */
async function damaged(file: string, damage: (bytes: Buffer) => Buffer, check: (path: string, original: Buffer) => Promise<void>): Promise<void> {
  const path = join(runDirs[0]!, file);
  const original = await readFile(path);
  await writeFile(path, damage(original));
  try {
    await check(path, original);
  } finally {
    await writeFile(path, original);
  }
}

test.before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mslk-store-integrity-'));
  dataRoot = join(scratch, 'data');
  store = join(scratch, 'store');
  suite = join(scratch, 'integrity.yaml');
  await writeFile(suite, JSON.stringify({
    name: 'integrity', extends: 'training/default.yaml', model: 'models/unet.yaml', datasets: ['synthetic'], seeds: [0, 1],
    variants: {tiny: {baseWidth: 4}},
    set: {'data.size': 32, 'train.epochs': 2, 'train.batchSize': 8, 'train.optimizer.lr': 0.005},
  }));
  const first = await ablate();
  if (first.code !== 0) throw new Error(first.stderr);
  const manifest = JSON.parse(await readFile(join(store, 'suites', 'integrity.json'), 'utf8')) as SuiteManifest;
  runDirs = manifest.runs.map((r) => r.dir);
});

test.after.always(async () => {
  await rm(scratch, {recursive: true, force: true});
});

test.serial('a done run records the sha256 of every file its numbers come from, and a clean store verifies', async (t) => {
  const record = JSON.parse(await readFile(join(runDirs[0]!, 'checksums.json'), 'utf8')) as {files: Record<string, string>};
  t.deepEqual(Object.keys(record.files), ['checkpoints/best.ckpt', 'checkpoints/last.ckpt', 'config.json', 'eval/test-last.csv', 'eval/test-last.json',
    'eval/validation-last.csv', 'eval/validation-last.json', 'log.jsonl', 'manifest.json', 'metrics.json', 'split.json']);
  const verified = await runMslk(['store', 'verify', '--store', store]);
  t.is(verified.code, 0, verified.stderr);
  t.regex(verified.stdout, /: 2 runs: 2 verified \(22 files, checkpoints included\); 1 suite manifest; no problems\n$/);
});

test.serial('one row deleted from eval/test-last.csv: status and report name it, no number is shown, and ablate evaluates it again to the same bytes', async (t) => {
  await damaged('eval/test-last.csv', (b) => Buffer.from(b.toString().split('\n').filter((_, i) => i !== 2).join('\n')), async (path, original) => {
    const other = await readFile(join(runDirs[1]!, 'eval/test-last.csv'));
    const before = await status();
    t.regex(before.stdout, /trained; eval\/test-last\.csv changed since it was written \(sha256 differs from checksums\.json\): to evaluate again from its checkpoint/);
    const report = await runMslk(['report', suite, '--store', store, '--out', join(scratch, 'report-row')]);
    t.is(report.code, 0, report.stderr);
    t.true(report.stdout.includes(`seed 0: eval/test-last.csv changed since it was written (sha256 differs from checksums.json) in ${runDirs[0]}: run \`mslk ablate\` on the suite to evaluate its checkpoint again`), report.stdout);
    const results = await readFile(join(scratch, 'report-row', 'results.csv'), 'utf8');
    t.is(results.split('\n').filter((l) => l.includes(',done,')).length, 1, 'only the intact run is done in results.csv');
    const verify = await runMslk(['store', 'verify', '--store', store]);
    t.is(verify.code, 1);
    t.true(verify.stdout.includes(`problem: ${path}: changed since it was written (sha256 differs from checksums.json): \`mslk ablate\` on its suite evaluates the checkpoint again to rewrite it`), verify.stdout);
    const repaired = await ablate('--json');
    t.is(repaired.code, 0, repaired.stderr);
    t.deepEqual(summaryOf(repaired.stdout).failed, []);
    t.true(repaired.stdout.includes(`eval/test-last.csv changed since it was written (sha256 differs from checksums.json) in ${runDirs[0]}: evaluating the last checkpoint again to rewrite it`));
    t.deepEqual(await readFile(path), original, 'evaluated again to the bytes first written');
    t.deepEqual(await readFile(join(runDirs[1]!, 'eval/test-last.csv')), other, 'the other run is untouched');
    t.regex((await status()).stdout, /2 runs \(2 done\)/);
  });
});

test.serial('a summary cut short and a per-image CSV deleted: ablate evaluates them again and exits 0', async (t) => {
  const csv = join(runDirs[0]!, 'eval/validation-last.csv');
  const csvBytes = await readFile(csv);
  await damaged('eval/test-last.json', (b) => b.subarray(0, 100), async (path, original) => {
    await rm(csv);
    t.regex((await status()).stdout, /trained; eval\/test-last\.json changed since it was written \(sha256 differs from checksums\.json\); eval\/validation-last\.csv is missing: to evaluate again/);
    const repaired = await ablate('--json');
    t.is(repaired.code, 0, repaired.stderr);
    t.deepEqual(await readFile(path), original);
    t.deepEqual(await readFile(csv), csvBytes);
  });
});

for (const c of [
  {file: 'config.json', what: 'edited by hand (epochs 2 -> 3)', damage: (b: Buffer) => Buffer.from(b.toString().replace('"epochs": 2', '"epochs": 3'))},
  {file: 'manifest.json', what: 'with garbage appended', damage: (b: Buffer) => Buffer.concat([b, Buffer.from('garbage\n')])},
  {file: 'split.json', what: 'emptied', damage: () => Buffer.alloc(0)},
]) {
  test.serial(`${c.file} ${c.what}: the run is failed in status, ablate (exit 1) and report, naming the file and the fix, never a number`, async (t) => {
    await damaged(c.file, c.damage, async (path) => {
      const reason = `${c.file} changed since it was written (sha256 differs from checksums.json) in ${runDirs[0]}: put the original file back, or delete ${runDirs[0]} and run \`mslk ablate\` again to train the run anew`;
      t.true((await status()).stdout.includes(`failed: ${reason}`));
      const run = await ablate('--json');
      t.is(run.code, 1);
      const summary = summaryOf(run.stdout);
      t.deepEqual(summary.failed.map((f) => f.reason), [reason]);
      t.is(summary.reused.length, 1);
      // The report and store verify once (for the config); the other files go the same way through them.
      if (c.file !== 'config.json') return;
      const out = join(scratch, `report-${c.file}`);
      const report = await runMslk(['report', suite, '--store', store, '--out', out]);
      t.is(report.code, 0, report.stderr);
      t.true(report.stdout.includes(`seed 0: failed: ${reason}`), report.stdout);
      const results = await readFile(join(out, 'results.csv'), 'utf8');
      t.is(results.split('\n').filter((l) => l.includes(',done,')).length, 1, 'the damaged run gives no number');
      const verify = await runMslk(['store', 'verify', '--store', store]);
      t.is(verify.code, 1);
      t.true(verify.stdout.includes(`problem: ${path}: changed since it was written (sha256 differs from checksums.json): put the original back, or delete ${runDirs[0]} and run \`mslk ablate\` again to train the run anew`), verify.stdout);
    });
    // The original put back: done again, nothing retrained.
    const again = await ablate('--json');
    t.is(again.code, 0, again.stderr);
    t.is(summaryOf(again.stdout).reused.length, 2);
  });
}

test.serial('a damaged checkpoint: store verify names it; an evaluation to redo from it fails the run instead of measuring it', async (t) => {
  await damaged('checkpoints/last.ckpt', (b) => {
    const copy = Buffer.from(b);
    copy[copy.length - 1] = copy[copy.length - 1]! ^ 0xff;
    return copy;
  }, async (path) => {
    t.regex((await status()).stdout, /2 runs \(2 done\)/, 'status and report read the numbers, not the checkpoints');
    const verify = await runMslk(['store', 'verify', '--store', store]);
    t.is(verify.code, 1);
    t.true(verify.stdout.includes(`problem: ${path}: changed since it was written`));
    await damaged('eval/test-last.csv', (b) => b.subarray(0, 50), async () => {
      const run = await ablate('--json');
      t.is(run.code, 1);
      t.deepEqual(summaryOf(run.stdout).failed.map((f) => f.reason),
        [`checkpoints/last.ckpt changed since it was written (sha256 differs from checksums.json) in ${runDirs[0]}: put the original file back, or delete ${runDirs[0]} and run \`mslk ablate\` again to train the run anew`]);
    });
  });
});

test.serial('store verify: a damaged checksums.json, a suite manifest that is not JSON, and a store that is not there', async (t) => {
  await damaged('checksums.json', (b) => b.subarray(0, 20), async (path) => {
    const verify = await runMslk(['store', 'verify', '--store', store]);
    t.is(verify.code, 1);
    t.true(verify.stdout.includes(`problem: ${path}: not valid JSON (cut short or edited): the run's files cannot be verified; delete ${runDirs[0]} and train the run again, or delete ${path} to take its files as they are`), verify.stdout);
    t.regex(verify.stdout, /2 runs: 1 verified \(11 files, checkpoints included\), 1 damaged; 1 suite manifest; 1 problem\n$/);
  });
  const manifest = join(store, 'suites', 'integrity.json');
  const bytes = await readFile(manifest);
  await writeFile(manifest, bytes.subarray(0, 30));
  try {
    const verify = await runMslk(['store', 'verify', '--store', store]);
    t.is(verify.code, 1);
    t.regex(verify.stdout, new RegExp(`problem: ${manifest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a readable suite manifest \\(.+\\): run \`mslk ablate\` on the suite again to rewrite it`));
  } finally {
    await writeFile(manifest, bytes);
  }
  const missing = await runMslk(['store', 'verify', '--store', join(scratch, 'nowhere')]);
  t.is(missing.code, 2);
  t.is(missing.stderr.trim(), `Error: no run store at ${join(scratch, 'nowhere')}: give the folder \`mslk ablate --store\` wrote (default ./runs)`);
});
