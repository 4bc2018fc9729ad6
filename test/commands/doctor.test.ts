// End to end through the CLI (TypeScript sources via bin/dev.js), as a user runs it.
import test from 'ava';
import {runMslk, type CliResult} from '../helpers/cli.js';
import {installedVersion} from '../../src/version.js';

const installed = (name: string): boolean => installedVersion(name) !== undefined;


function mslk(...args: string[]): Promise<CliResult> {
  return runMslk(args, {MSLK_BACKEND: ''});
}

test('mslk doctor --json: wasm chosen here, native backends unavailable with the reason, exit 0', async (t) => {
  const {code, stdout} = await mslk('doctor', '--json');
  t.is(code, 0);
  const report = JSON.parse(stdout) as {chosen: string; ok: boolean; backends: {name: string; available: boolean; detail: string}[]};
  t.true(report.ok);
  const byName = Object.fromEntries(report.backends.map((b) => [b.name, b]));
  t.true(byName['wasm']!.available);
  t.true(byName['cpu']!.available);
  // On a machine with libtensorflow installed, the native backends would be chosen instead.
  if (!byName['tensorflow']!.available && !byName['tensorflow-cpu']!.available) {
    t.is(report.chosen, 'wasm');
    t.regex(byName['tensorflow']!.detail, /tfjs-node-gpu/);
    t.regex(byName['tensorflow-cpu']!.detail, /tfjs-node/);
  }
});

test('mslk doctor says which CPU path the wasm backend runs, and MSLK_NATIVE=off switches the native one off', async (t) => {
  const on = await mslk('doctor');
  t.is(on.code, 0);
  t.regex(on.stdout, /^CPU path on wasm: (oneDNN \d+\.\d+\.\d+ \(.+\), \d+ threads?: convolutions and their gradients|.*(libdnnl-dev|build:native))/m);
  const off = await runMslk(['doctor', '--json'], {MSLK_BACKEND: '', MSLK_NATIVE: 'off'});
  t.is(off.code, 0);
  const report = JSON.parse(off.stdout) as {nativeCpu: {active: boolean; detail: string}};
  t.false(report.nativeCpu.active);
  t.regex(report.nativeCpu.detail, /MSLK_NATIVE=off/);
});

test('mslk bench engine --json times a step on the requested backend', async (t) => {
  const {code, stdout} = await mslk('bench', 'engine', '--backend', 'wasm', '--size', '16', '--batch', '1', '--steps', '2', '--json');
  t.is(code, 0);
  const {results} = JSON.parse(stdout) as {results: {backend: string; msPerStep: number; steps: number}[]};
  t.is(results.length, 1);
  t.is(results[0]!.backend, 'wasm');
  t.is(results[0]!.steps, 2);
  t.true(results[0]!.msPerStep > 0);
});

test('a bad flag value is one line naming the problem, no stack trace', async (t) => {
  const {code, stderr} = await mslk('bench', 'engine', '--backend', 'wsam');
  t.not(code, 0);
  t.regex(stderr, /Expected --backend=wsam to be one of/);
  t.regex(stderr, /see mslk bench engine --help/);
  t.notRegex(stderr, /See more help with --help|USAGE/);
  t.notRegex(stderr, /\n\s+at /);
});

test('mslk doctor --json when no probed backend trains: the report on stdout (no error object), exit 1', async (t) => {
  // Probing only the CUDA backend: it trains only where @tensorflow/tfjs-node-gpu, CUDA and cuDNN are installed.
  const {code, stdout} = await mslk('doctor', '--backend', 'tensorflow', '--json');
  const report = JSON.parse(stdout) as {ok: boolean; chosen: string | null; backends: {name: string; available: boolean}[]; error?: unknown};
  t.is(report.error, undefined);
  t.deepEqual(report.backends.map((b) => b.name), ['tensorflow']);
  t.is(code, report.ok ? 0 : 1);
  if (!installed('@tensorflow/tfjs-node-gpu')) {
    t.false(report.ok);
    t.is(report.chosen, null);
    t.is(code, 1);
  }
});
