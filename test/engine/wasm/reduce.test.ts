// Property tests of Sum and Mean over contiguous axes on the native addon (src/engine/wasm/reduce.ts) against the
// cpu backend, for every rank up to 5, every contiguous run of axes before the last and keepDims, with no buffer
// leaked.
import test from 'ava';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import {activateBackend} from '../../../src/engine/backends.js';
import {nativeCalls} from '../../../src/engine/native/dnnl.js';
import {data, nativeTestOrSkip, relativeError, run} from './kernel-cases.js';

const nativeTest = nativeTestOrSkip('native reduction tests');

test.before(async () => {
  tf.env().set('PROD', true);
  await activateBackend('cpu');
  await activateBackend('wasm');
});

const reduceCases = fc.array(fc.integer({min: 1, max: 9}), {minLength: 1, maxLength: 5}).chain((shape) =>
  fc.record({
    shape: fc.constant(shape),
    first: fc.integer({min: 0, max: shape.length - 1}),
    length: fc.integer({min: 1, max: shape.length}),
    keepDims: fc.boolean(),
    seed: fc.nat(),
  }).map((c) => ({...c, axes: Array.from({length: Math.min(c.length, shape.length - c.first)}, (_, i) => c.first + i)})))
  // Runs that end at the last axis stay on the built-in kernel, which reduces innermost axes well.
  .filter((c) => c.axes[c.axes.length - 1] !== c.shape.length - 1);

for (const kind of ['Sum', 'Mean'] as const) {
  nativeTest(`${kind} over any contiguous run of axes equals the cpu backend within float rounding`, async (t) => {
    const ran = nativeCalls.ran;
    await fc.assert(fc.asyncProperty(reduceCases, async (c) => {
      const x = {shape: c.shape, values: data(c.shape.reduce((a, b) => a * b, 1), c.seed)};
      const attrs = {axis: c.axes, keepDims: c.keepDims};
      const leaks: string[] = [];
      const got = await run('wasm', kind, {x}, attrs, leaks);
      const want = await run('cpu', kind, {x}, attrs, []);
      const err = relativeError(got.values, want.values);
      const ok = leaks.length === 0 && got.shape.join() === want.shape.join() && err < 1e-6;
      if (!ok) t.log(kind, JSON.stringify(c), {err, got: got.shape, want: want.shape, leaks});
      return ok;
    }), {numRuns: 200, seed: 20261211});
    t.is(nativeCalls.refused, 0, nativeCalls.lastRefusal);
    t.true(nativeCalls.ran >= ran + 200, `only ${nativeCalls.ran - ran} calls ran on the addon`);
  });
}
