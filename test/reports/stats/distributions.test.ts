import test from 'ava';
import fc from 'fast-check';
import {
  chiSquareSurvival,
  erfc,
  fSurvival,
  logGamma,
  normalCdf,
  normalSurvival,
  regularizedGammaP,
  regularizedGammaQ,
} from '../../../src/reports/stats/distributions.js';

const close = (actual: number, expected: number, relative: number) =>
  Math.abs(actual - expected) <= relative * Math.abs(expected);

test('logGamma matches factorials and Gamma(1/2) = sqrt(pi)', (t) => {
  t.true(close(logGamma(10), Math.log(362880), 1e-14));
  t.true(Math.abs(logGamma(1)) < 1e-14 && Math.abs(logGamma(2)) < 1e-14);
  t.true(Math.abs(logGamma(0.5) - 0.5 * Math.log(Math.PI)) < 1e-14);
  t.true(close(logGamma(0.1), Math.log(9.513507698668732), 1e-13)); // Gamma(0.1) = 9.51350769866873
  t.throws(() => logGamma(0), {message: /positive/});
});

test('erfc matches Abramowitz & Stegun Table 7.1', (t) => {
  // erf(1) = 0.842700792949715, erf(0.5) = 0.520499877813047 (A&S Table 7.1 to 10 digits).
  t.true(close(erfc(1), 1 - 0.842700792949715, 1e-13));
  t.true(close(erfc(0.5), 1 - 0.520499877813047, 1e-13));
  t.true(close(erfc(-1), 1 + 0.842700792949715, 1e-13));
  t.is(erfc(0), 1);
});

test('the normal CDF gives the textbook quantiles, and its far tail keeps relative precision', (t) => {
  t.true(Math.abs(normalCdf(1.959963984540054) - 0.975) < 1e-15);
  t.true(Math.abs(normalCdf(-1.6448536269514722) - 0.05) < 1e-15);
  // 1 - Phi(10) = 7.6198530241605e-24 (Abramowitz & Stegun 26.2, computed as erfc(10 / sqrt 2) / 2).
  t.true(close(normalSurvival(10), 7.6198530241605e-24, 1e-12));
  fc.assert(fc.property(fc.double({min: -30, max: 30, noNaN: true}), (z) =>
    Math.abs(normalCdf(z) + normalCdf(-z) - 1) < 1e-14 && Math.abs(normalSurvival(z) - normalCdf(-z)) < 1e-300 + 1e-14 * normalCdf(-z)));
});

test('chi-square upper tail at the tabulated critical values', (t) => {
  // A&S Table 26.8: 3.84146 (df 1, 0.05), 7.81473 (df 3, 0.05), 23.2093 (df 10, 0.01); here to double precision.
  t.true(close(chiSquareSurvival(3.841458820694124, 1), 0.05, 1e-12));
  t.true(close(chiSquareSurvival(7.814727903251178, 3), 0.05, 1e-12));
  t.true(close(chiSquareSurvival(23.20925115895436, 10), 0.01, 1e-12));
  t.is(chiSquareSurvival(0, 4), 1);
  t.is(chiSquareSurvival(-1, 4), 1);
  t.throws(() => chiSquareSurvival(1, 0), {message: /df > 0/});
});

test('chi-square with 2 df has the closed form exp(-x / 2), including far tails', (t) => {
  fc.assert(fc.property(fc.double({min: 0, max: 1400, noNaN: true}), (x) => close(chiSquareSurvival(x, 2), Math.exp(-x / 2), 1e-12)));
  t.pass();
});

test('F upper tail at the tabulated critical values, and the critical value Demsar quotes for F(3, 39)', (t) => {
  // F tables (A&S Table 26.9): F_0.05(2, 10) = 4.10, F_0.01(5, 20) = 4.10; here to double precision.
  t.true(close(fSurvival(4.1028210151304, 2, 10), 0.05, 1e-10));
  t.true(close(fSurvival(4.102684630584732, 5, 20), 0.01, 1e-10));
  // Demsar 2006, section 3.2.2: "the critical value of F(3, 39) for alpha = 0.05 is 2.85".
  t.true(Math.abs(fSurvival(2.85, 3, 39) - 0.05) < 5e-4);
  t.is(fSurvival(0, 3, 39), 1);
  t.is(fSurvival(Infinity, 3, 39), 0);
});

test('F with d1 = 2 has the closed form (1 + 2x / d2)^(-d2 / 2)', (t) => {
  fc.assert(fc.property(fc.double({min: 0, max: 1e4, noNaN: true}), fc.integer({min: 1, max: 200}), (x, d2) =>
    close(fSurvival(x, 2, d2), (1 + (2 * x) / d2) ** (-d2 / 2), 1e-10)));
  t.pass();
});

test('P and Q of the incomplete gamma function add up to 1', (t) => {
  fc.assert(fc.property(fc.double({min: 0.05, max: 200, noNaN: true}), fc.double({min: 0, max: 400, noNaN: true}), (a, x) =>
    Math.abs(regularizedGammaP(a, x) + regularizedGammaQ(a, x) - 1) < 1e-12));
  t.pass();
});
