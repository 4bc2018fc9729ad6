import test from 'ava';
import {benchEngine, quantile} from '../../src/engine/bench.js';

test('quantile interpolates between order statistics', (t) => {
  t.is(quantile([1, 2, 3, 4], 0.5), 2.5);
  t.is(quantile([5], 0.25), 5);
  t.is(quantile([1, 3], 0.75), 2.5);
});

test.serial('bench engine reports a median step time per available backend and an unavailable one with its reason', async (t) => {
  const results = await benchEngine({backends: ['wasm', 'tensorflow'], size: 16, batch: 1, steps: 3, warmup: 1, budgetSeconds: 30});
  const [wasm, native] = results;
  t.true(wasm!.available);
  t.is(wasm!.steps, 3);
  t.true(wasm!.msPerStep! > 0);
  t.is(wasm!.leakedTensors, 0);
  t.true(Math.abs(wasm!.imagesPerSecond! - 1000 / wasm!.msPerStep!) < 1e-9);
  t.false(native!.available);
  t.is(native!.msPerStep, undefined);
});
