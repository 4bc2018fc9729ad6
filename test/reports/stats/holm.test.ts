import test from 'ava';
import fc from 'fast-check';
import {holmAdjust} from '../../../src/reports/stats/holm.js';

test('worked example: four p-values, Holm (1979) step-down', (t) => {
  // Sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1: 0.02, 0.03, 0.06, 0.04 -> running max 0.02, 0.03, 0.06, 0.06.
  // At alpha 0.05 Holm rejects 0.005 (< 0.05/4) and 0.01 (< 0.05/3), then stops at 0.03 (> 0.05/2).
  const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
  const expected = [0.03, 0.06, 0.06, 0.02];
  adjusted.forEach((value, i) => t.true(Math.abs(value - expected[i]!) < 1e-15, `${i}: ${value}`));
});

test('capped at 1, empty and single families, invalid p', (t) => {
  t.deepEqual(holmAdjust([0.5, 0.6, 0.9]), [1, 1, 1]);
  t.deepEqual(holmAdjust([]), []);
  t.deepEqual(holmAdjust([0.03]), [0.03]);
  t.throws(() => holmAdjust([0.1, Number.NaN]), {message: /\[0, 1\]/});
  t.throws(() => holmAdjust([1.2]), {message: /\[0, 1\]/});
});

const pValues = fc.array(fc.double({min: 0, max: 1, noNaN: true}), {maxLength: 30});

test('properties: adjusted >= raw, <= 1, order-preserving, and the same as the step-down procedure at 0.05', (t) => {
  fc.assert(fc.property(pValues, (p) => {
    const adjusted = holmAdjust(p);
    if (adjusted.length !== p.length) return false;
    if (!adjusted.every((a, i) => a >= p[i]! && a <= 1)) return false;
    for (let i = 0; i < p.length; i++) {
      for (let j = 0; j < p.length; j++) if (p[i]! <= p[j]! && adjusted[i]! > adjusted[j]!) return false;
    }
    // Holm's procedure: walk up the sorted p-values rejecting while p_(i) <= alpha / (m - i), stop at the first failure.
    const m = p.length;
    const sorted = p.map((value, index) => ({value, index})).sort((a, b) => a.value - b.value || a.index - b.index);
    const rejected = new Set<number>();
    for (let i = 0; i < m && sorted[i]!.value * (m - i) < 0.05; i++) rejected.add(sorted[i]!.index);
    return p.every((_, i) => (adjusted[i]! < 0.05) === rejected.has(i));
  }));
  t.pass();
});

test('property: permuting the family permutes the adjusted values the same way', (t) => {
  fc.assert(fc.property(pValues, fc.integer(), (p, seed) => {
    const order = p.map((_, i) => i).sort((a, b) => Math.sin(a * 12.9898 + seed) - Math.sin(b * 12.9898 + seed));
    const adjusted = holmAdjust(p);
    const permuted = holmAdjust(order.map((i) => p[i]!));
    return order.every((i, k) => permuted[k] === adjusted[i]);
  }));
  t.pass();
});
