import test from 'ava';
import fc from 'fast-check';
import {SeededRandom} from '../../src/io/random.js';

test('the same seed gives the same stream; a saved state resumes it exactly', (t) => {
  fc.assert(fc.property(fc.integer(), fc.nat(50), (seed, skip) => {
    const a = SeededRandom.fromSeed(seed);
    const b = SeededRandom.fromSeed(seed);
    for (let i = 0; i < skip; i++) a.float(), b.float();
    const resumed = SeededRandom.fromState(a.state());
    const fromA = Array.from({length: 20}, () => a.float());
    return fromA.every((v, i) => v === b.float()) && fromA.every((v) => v === resumed.float()) && fromA.every((v) => v >= 0 && v < 1);
  }));
  t.pass();
});

test('named streams differ from each other and are stable', (t) => {
  const a = SeededRandom.stream('shuffle', 0).float();
  t.is(SeededRandom.stream('shuffle', 0).float(), a);
  t.not(SeededRandom.stream('augment', 0).float(), a);
  t.not(SeededRandom.stream('shuffle', 1).float(), a);
});

test('permutation is a permutation of 0..n-1', (t) => {
  fc.assert(fc.property(fc.integer(), fc.nat(200), (seed, n) => {
    const p = SeededRandom.fromSeed(seed).permutation(n);
    return p.length === n && [...p].sort((x, y) => x - y).every((v, i) => v === i);
  }));
  t.pass();
});

test('normal draws have about the requested mean and spread', (t) => {
  const r = SeededRandom.fromSeed(3);
  const xs = Array.from({length: 20000}, () => r.normal(2, 0.5));
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
  t.true(Math.abs(mean - 2) < 0.02, String(mean));
  t.true(Math.abs(sd - 0.5) < 0.02, String(sd));
});
