// Re-parameterisation of ReDWConv and LD: fused == unfused in inference mode on random weights and random BN
// statistics; parameter formulas of both forms.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import {LD} from '../../../src/models/layers/ld.js';
import {ReDWConv} from '../../../src/models/layers/redw-conv.js';
import {applyLayer, maxAbsDiff, paramCount, randomiseNormalisation, randomTensor, useWasm} from '../helpers.js';

test.before(useWasm);

function fusedCopy<L extends ReDWConv | LD>(channels: number, make: (fused: boolean) => L): L {
  const fused = make(true);
  fused.build([null, null, null, channels]);
  return fused;
}

for (const [kl, ks] of [[21, 3], [13, 5], [7, null], [31, 3], [5, 5]] as const) {
  test.serial(`ReDWConv ${kl}/${ks ?? 'none'}: fused == unfused (inference mode, random BN statistics)`, async (t) => {
    const c = 6;
    const make = (fused: boolean) => new ReDWConv({largeKernel: kl, smallKernel: ks, fused, seed: 7});
    const layer = make(false);
    const x = randomTensor([2, 24, 20, c], kl);
    applyLayer(layer, x).dispose();
    randomiseNormalisation([layer], kl + 1);
    const fused = fusedCopy(c, make);
    const values = layer.fusedWeightValues();
    fused.setWeights(fused.weights.map((w) => values[w.originalName.split('/').at(-1)!]!));
    const a = applyLayer(layer, x);
    const b = applyLayer(fused, x);
    t.true((await maxAbsDiff(a, b)) < 1e-4);
    t.is(paramCount(layer, false), c * kl * kl + (ks ? c * ks * ks : 0) + (ks ? 8 : 4) * c);
    t.is(paramCount(fused), c * kl * kl + c);
    tf.dispose([x, a, b, ...Object.values(values)]);
  });
}

test.serial('LD: fused == unfused in inference mode; trainable parameters 2C^2 + C (kL^2 + kS^2) + 10C', async (t) => {
  const c = 8;
  const make = (fused: boolean) => new LD({largeKernel: 13, smallKernel: 3, fused, seed: 3});
  const layer = make(false);
  const x = randomTensor([2, 16, 16, c], 5);
  applyLayer(layer, x).dispose();
  randomiseNormalisation([layer], 11);
  const fused = fusedCopy(c, make);
  const replaced = layer.fusedWeightValues();
  const old = new Map(layer.weights.map((w) => [w.originalName.split('/').at(-1)!, w.read()]));
  fused.setWeights(fused.weights.map((w) => {
    const n = w.originalName.split('/').at(-1)!;
    return replaced[n] ?? old.get(n)!;
  }));
  const a = applyLayer(layer, x);
  const b = applyLayer(fused, x);
  t.true((await maxAbsDiff(a, b)) < 1e-4);
  // Trainable: pw1, pw2 (C^2 each), dw kernels, and gamma/beta of pre_bn, pw1_bn, lk_bn, sk_bn, pw2_bn.
  t.is(paramCount(layer), 2 * c * c + c * 169 + c * 9 + 10 * c);
  t.is(paramCount(fused), 2 * c * c + c * 169 + c + 6 * c);
  tf.dispose([x, a, b, ...Object.values(replaced)]);
});

test('ReDW validation: odd kernels, small <= large', (t) => {
  t.throws(() => new ReDWConv({largeKernel: 20, smallKernel: 3}), {message: /large kernel 20 must be an odd integer/});
  t.throws(() => new ReDWConv({largeKernel: 21, smallKernel: 4}), {message: /small kernel 4 must be an odd integer/});
  t.throws(() => new ReDWConv({largeKernel: 5, smallKernel: 7}), {message: /smallKernel <= largeKernel/});
});
