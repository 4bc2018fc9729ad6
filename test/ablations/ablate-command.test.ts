// `mslk ablate --dry-run` and `mslk ablate status` through the CLI, on a one-model suite of synthetic data at 32 px:
// the plan as JSON, the calibration cached in the store, no suite manifest written by a dry run.
import test from 'ava';
import {runMslk, type CliResult} from '../helpers/cli.js';
import {mkdir, mkdtemp, readFile, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {PlanReport} from '../../src/ablations/plan-status.js';


function mslk(args: string[], env: Record<string, string>): Promise<CliResult> {
  return runMslk(args, env);
}

test('ablate --dry-run --json: the plan with costs and an estimate; the calibration is cached; no manifest', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-ablate-'));
  const file = join(dir, 'suite.yaml');
  await writeFile(file, JSON.stringify({name: 'one', extends: 'training/default.yaml', model: 'models/unet.yaml', datasets: ['synthetic'], seeds: [0, 1],
    variants: {small: {baseWidth: 4}}, set: {'data.size': 32, 'train.epochs': 2, 'train.batchSize': 4}}));
  const store = join(dir, 'store');
  // An existing store: a dry run creates none (test/cli/filesystem-faults.test.ts), but caches its calibration in one.
  await mkdir(store);
  const env = {MSLK_DATA_ROOT: join(dir, 'data')};
  const first = await mslk(['ablate', file, '--dry-run', '--json', '--jobs', '2', '--store', store, '--backend', 'wasm'], env);
  t.is(first.code, 0, first.stderr);
  const report = JSON.parse(first.stdout) as PlanReport;
  t.is(report.rows.length, 2);
  t.like(report.rows[0], {variant: 'small', kind: 'variant', dataset: 'synthetic', fold: null, seed: 0, status: {state: 'pending'}, epochs: {done: 0, total: 2}});
  t.true(report.rows.every((r) => r.params > 0 && r.gflops > 0 && r.estimatedSeconds !== null && r.estimatedSeconds > 0));
  t.is(report.jobs, 2);
  t.true(Math.abs(report.estimatedSeconds! - (report.rows[0]!.estimatedSeconds! + report.rows[1]!.estimatedSeconds!) / 2) < 1e-9);
  const cache = JSON.parse(await readFile(join(store, '.calibration.json'), 'utf8')) as {entries: Record<string, {stepMs?: number; latencyMs?: number}>};
  // The model at its training batch (4) with its step time, and at batch 1 with its inference latency for reports.
  const entries = Object.values(cache.entries);
  t.is(entries.length, 2);
  t.is(entries.filter((e) => e.stepMs !== undefined && e.stepMs > 0).length, 1);
  t.is(entries.filter((e) => e.latencyMs !== undefined && e.latencyMs > 0).length, 1);
  t.is(await stat(join(store, 'suites')).catch(() => undefined), undefined, 'a dry run wrote the suite manifest');

  const status = await mslk(['ablate', 'status', file, '--store', store, '--backend', 'wasm'], env);
  t.is(status.code, 0, status.stderr);
  t.notRegex(status.stderr, /calibrating/, 'the calibration was not reused');
  t.notRegex(status.stderr, /inference latency/, 'the latency was not reused');
  t.regex(status.stdout, /small\s+synthetic\s+-\s+0\s+[0-9a-f]{12}\s+pending\s+0\/2/);
  t.regex(status.stdout, /suite one: 2 runs \(2 pending\); about \d+ s on 2 jobs \(wasm\)/);
});

test('ablate trains every run of a suite once, prints the results table, and a second call trains nothing', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-ablate-run-'));
  const file = join(dir, 'suite.yaml');
  await writeFile(file, JSON.stringify({name: 'two', extends: 'training/default.yaml', model: 'models/unet.yaml', datasets: ['synthetic'], seeds: [0, 1],
    variants: {small: {baseWidth: 4}}, set: {'data.size': 32, 'train.epochs': 1, 'train.batchSize': 8}}));
  const store = join(dir, 'store');
  const env = {MSLK_DATA_ROOT: join(dir, 'data')};
  const first = await mslk(['ablate', file, '--jobs', '2', '--store', store, '--backend', 'wasm', '--no-estimate'], env);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stderr, /suite two: 2 trained, 0 already done, 0 failed, 0 partial, 0 owned by other processes \(store .*\); \d+ (s|min) of training and evaluation\n/);
  t.regex(first.stdout, /synthetic\s+small\s+0\.\d{4} \+- 0\.\d{4}\s+2\/2/);
  const manifest = JSON.parse(await readFile(join(store, 'suites', 'two.json'), 'utf8')) as {runs: {runId: string}[]};
  t.is(manifest.runs.length, 2);
  const again = await mslk(['ablate', file, '--jobs', '2', '--store', store, '--backend', 'wasm', '--no-estimate', '--json'], env);
  t.is(again.code, 0, again.stderr);
  // Under --json the run events come first, one JSON line each, then the result as one indented JSON document.
  const lines = again.stdout.trimEnd().split('\n');
  const result = JSON.parse(lines.slice(lines.lastIndexOf('{')).join('\n')) as {summary: {done: string[]; reused: string[]}; results: {testDice: {n: number}}[]};
  t.deepEqual(result.summary.done, []);
  t.is(result.summary.reused.length, 2);
  t.is(result.results[0]!.testDice.n, 2);
});
