// Property tests of AvgPoolGrad and MaxPoolGrad on the native addon (src/engine/wasm/pool-gradients.ts) against the
// cpu backend, bit for bit: random shapes, windows, strides and paddings, with ties in the max pooling's windows.
import test from 'ava';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import {activateBackend} from '../../../src/engine/backends.js';
import {nativeCalls} from '../../../src/engine/native/dnnl.js';
import {data, nativeTestOrSkip, run} from './kernel-cases.js';

const nativeTest = nativeTestOrSkip('native pooling-gradient tests');

test.before(async () => {
  tf.env().set('PROD', true);
  await activateBackend('cpu');
  await activateBackend('wasm');
});

interface PoolCase {n: number; h: number; w: number; c: number; fh: number; fw: number; sh: number; sw: number; pad: 'same' | 'valid'; seed: number}

const poolCases: fc.Arbitrary<PoolCase> = fc.record({
  n: fc.integer({min: 1, max: 3}), h: fc.integer({min: 1, max: 20}), w: fc.integer({min: 1, max: 20}), c: fc.integer({min: 1, max: 6}),
  fh: fc.integer({min: 1, max: 7}), fw: fc.integer({min: 1, max: 7}), sh: fc.integer({min: 1, max: 7}), sw: fc.integer({min: 1, max: 7}),
  pad: fc.constantFrom('same', 'valid') as fc.Arbitrary<'same' | 'valid'>, seed: fc.nat(),
}).filter((c) => {
  const info = tf.backend_util.computePool2DInfo([c.n, c.h, c.w, c.c], [c.fh, c.fw], [c.sh, c.sw], 1, c.pad);
  return info.outHeight > 0 && info.outWidth > 0;
});

for (const kind of ['AvgPoolGrad', 'MaxPoolGrad'] as const) {
  nativeTest(`${kind} on the native addon equals the cpu backend bit for bit`, async (t) => {
    const ran = nativeCalls.ran;
    await fc.assert(fc.asyncProperty(poolCases, async (c) => {
      const info = tf.backend_util.computePool2DInfo([c.n, c.h, c.w, c.c], [c.fh, c.fw], [c.sh, c.sw], 1, c.pad);
      // Integer-valued inputs make ties in the max pooling's windows: the first largest must take the gradient.
      const xValues = Float32Array.from(data(c.n * c.h * c.w * c.c, c.seed), (v) => Math.round(v * 6));
      const input = {shape: [c.n, c.h, c.w, c.c], values: xValues};
      const dy = {shape: info.outShape, values: data(info.outShape.reduce((a, b) => a * b), c.seed + 1)};
      const attrs = {filterSize: [c.fh, c.fw], strides: [c.sh, c.sw], pad: c.pad};
      const inputs = kind === 'AvgPoolGrad' ? {dy, input} : {dy, input, output: dy};
      const leaks: string[] = [];
      const got = await run('wasm', kind, inputs, attrs, leaks);
      const want = await run('cpu', kind, inputs, attrs, []);
      const same = leaks.length === 0 && got.shape.join() === want.shape.join() && got.values.every((v, i) => Object.is(v, want.values[i]));
      if (!same) t.log(kind, JSON.stringify(c), leaks);
      return same;
    }), {numRuns: 150, seed: 20261210});
    t.is(nativeCalls.refused, 0, nativeCalls.lastRefusal);
    t.true(nativeCalls.ran >= ran + 150, `only ${nativeCalls.ran - ran} calls ran on the addon`);
  });
}
