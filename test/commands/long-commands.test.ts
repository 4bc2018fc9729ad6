// Long commands say what they do: `bench engine` and `models profile` print progress lines on stderr as they go,
// and `bench engine` leaves the debugging-only cpu backend alone unless it is asked for.
import test from 'ava';
import {runMslk, type CliResult} from '../helpers/cli.js';


function mslk(...args: string[]): Promise<CliResult> {
  return runMslk(args, {MSLK_BACKEND: undefined});
}

test('bench engine with no --backend prints progress lines on stderr and does not run cpu', async (t) => {
  const {code, stdout, stderr} = await mslk('bench', 'engine', '--size', '16', '--batch', '1', '--steps', '2', '--warmup', '1', '--json');
  t.is(code, 0, stderr);
  const {results} = JSON.parse(stdout) as {results: {backend: string; steps?: number}[]};
  t.false(results.some((r) => r.backend === 'cpu'));
  t.is(results.find((r) => r.backend === 'wasm')?.steps, 2);
  const lines = stderr.trim().split('\n');
  t.true(lines.some((l) => l.startsWith('wasm: reference-net training step, 16x16, batch 1, warm-up: 1/1 (last ')), stderr);
  t.true(lines.some((l) => l.startsWith('wasm: reference-net training step, 16x16, batch 1, timed: 2/2')), stderr);
  t.false(/^cpu:/m.test(stderr), 'cpu was not asked for');
});

test('models profile prints what it is timing on stderr while it works', async (t) => {
  const {code, stdout, stderr} = await mslk('models', 'profile', 'unet', '--size', '16', '--set', 'baseWidth=4', '--batch', '1',
    '--latency-runs', '2', '--train-steps', '2');
  t.is(code, 0, stderr);
  t.regex(stdout, /train step batch 1: /);
  t.regex(stderr, /^unfused: batch-1 inference at 16x16, timed: 2\/2/m);
  t.regex(stderr, /^unfused: training step at 16x16, batch 1, timed: 2\/2/m);
});
