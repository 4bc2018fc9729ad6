import test from 'ava';
import {benchEngine, DEFAULT_BENCH_BACKENDS, type BenchWorkload} from '../../src/engine/bench.js';
import type {BackendName} from '../../src/engine/backends.js';
import {activeBackendName} from '../../src/engine/backends.js';
import type {ProgressEvent} from '../../src/io/progress.js';
import {benchTrainingStep} from '../../src/training/engine-bench.js';

/** A workload whose step busy-waits `ms` (TF.js steps are synchronous too), recording the backend it ran on. */
function sleepingWorkload(ms: number, seen: string[]): (size: number, batch: number) => BenchWorkload {
  return () => {
    seen.push(activeBackendName());
    return {
      description: 'busy wait',
      step: async () => {
        const end = performance.now() + ms;
        while (performance.now() < end) { /* busy */ }
        return 0;
      },
      dispose: () => undefined,
    };
  };
}

test.serial('bench engine reports a median step time per available backend and an unavailable one with its reason', async (t) => {
  const results = await benchTrainingStep({backends: ['wasm', 'tensorflow'], size: 16, batch: 1, steps: 3, warmup: 1, budgetSeconds: 30});
  const [wasm, native] = results;
  t.true(wasm!.available);
  t.is(wasm!.steps, 3);
  t.true(wasm!.msPerStep! > 0);
  t.is(wasm!.leakedTensors, 0);
  t.false(wasm!.budgetExhausted);
  t.true(Math.abs(wasm!.imagesPerSecond! - 1000 / wasm!.msPerStep!) < 1e-9);
  t.false(native!.available);
  t.is(native!.msPerStep, undefined);
});

test.serial('with no backend named, every backend but cpu is benchmarked: cpu runs only when asked for', async (t) => {
  t.false(DEFAULT_BENCH_BACKENDS.includes('cpu'));
  const seen: string[] = [];
  const results = await benchEngine({size: 8, batch: 1, steps: 2, warmup: 0, budgetSeconds: 10}, sleepingWorkload(1, seen));
  t.deepEqual(results.map((r) => r.backend), [...DEFAULT_BENCH_BACKENDS]);
  t.false(seen.includes('cpu'));
  t.true(seen.includes('wasm'));
  const asked = await benchEngine({backends: ['cpu'] as BackendName[], size: 8, batch: 1, steps: 2, warmup: 0, budgetSeconds: 10}, sleepingWorkload(1, seen));
  t.is(asked[0]!.backend, 'cpu');
  t.is(seen.at(-1), 'cpu');
});

test.serial('the budget bounds warm-up and timed steps together: at most the budget plus one step', async (t) => {
  const stepMs = 60;
  const budgetSeconds = 0.3;
  const events: ProgressEvent[] = [];
  const started = performance.now();
  const [r] = await benchEngine({backends: ['wasm'], size: 8, batch: 1, steps: 100, warmup: 2, budgetSeconds, onProgress: (e) => events.push(e)}, sleepingWorkload(stepMs, []));
  const elapsed = performance.now() - started;
  t.true(r!.budgetExhausted);
  t.true(r!.steps! >= 1 && r!.steps! < 100);
  // The probe (gradient self-check) is outside the budget: time it apart from the steps by the events' run times.
  // On a loaded machine a step can take longer than the ones before it; the bound is then the budget plus that step.
  const runs = events.filter((e) => e.lastMs !== undefined).map((e) => e.lastMs!);
  const stepTime = runs.reduce((sum, ms) => sum + ms, 0);
  t.true(stepTime <= budgetSeconds * 1000 + Math.max(...runs) + 5, `steps took ${stepTime.toFixed(0)} ms of a ${budgetSeconds * 1000} ms budget`);
  t.true(stepTime >= budgetSeconds * 1000 - 2 * Math.max(...runs), 'the budget was used, not abandoned early');
  t.true(elapsed >= stepTime);
  t.true(events.some((e) => /warm-up/.test(e.task)));
  t.true(events.some((e) => /^budget spent after \d+ of 100, stopping$/.test(e.note ?? '')));
  t.deepEqual(unclosedTasks(events), [], 'a task cut by the budget closes with a note');
});

test.serial('progress events name the backend and what is timed, and count steps done of the total', async (t) => {
  const events: ProgressEvent[] = [];
  await benchEngine({backends: ['wasm'], size: 8, batch: 1, steps: 3, warmup: 1, budgetSeconds: 10, onProgress: (e) => events.push(e)}, sleepingWorkload(1, []));
  const timed = events.filter((e) => e.task.startsWith('wasm: busy wait') && e.task.endsWith('timed'));
  t.deepEqual(timed.map((e) => `${e.done}/${e.total}`), ['0/3', '1/3', '2/3', '3/3']);
  t.true(events.some((e) => e.task === 'wasm: busy wait, 8x8, batch 1, warm-up' && e.done === 1 && e.total === 1));
});

/** Tasks that started (done 0) and never got an event with done = total or a note: lines left open. */
function unclosedTasks(events: readonly ProgressEvent[]): string[] {
  const open = new Set<string>();
  for (const e of events) {
    if (e.note !== undefined || e.done >= e.total) open.delete(e.task);
    else if (e.done === 0) open.add(e.task);
  }
  return [...open];
}

test.serial('every progress task closes: a backend that is not installed says "not available: <why>"', async (t) => {
  const events: ProgressEvent[] = [];
  const results = await benchEngine({backends: ['wasm', 'tensorflow'], size: 8, batch: 1, steps: 2, warmup: 1, budgetSeconds: 10, onProgress: (e) => events.push(e)}, sleepingWorkload(1, []));
  t.false(results[1]!.available);
  t.deepEqual(unclosedTasks(events), []);
  const closing = events.find((e) => e.task.startsWith('tensorflow: checking') && e.note !== undefined);
  t.is(closing?.note, `not available: ${results[1]!.detail}`);
});
