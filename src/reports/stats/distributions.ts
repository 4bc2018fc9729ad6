// The few probability distributions the report's tests need: the normal CDF and upper tail (Wilcoxon's normal
// approximation), the chi-square upper tail (Friedman) and the F upper tail (Iman-Davenport). Written here rather
// than taken from a package because the worktrees of this project share one node_modules, where an install from
// one branch prunes the packages of another; the functions are small, classical and tested against published
// values (test/reports/stats/distributions.test.ts). Upper tails are computed directly (continued fractions),
// never as 1 - CDF, so small p-values keep their relative precision.

/** Relative precision at which the series and continued fractions stop. */
const EPSILON = 1e-15;
/** Smallest positive normal double over EPSILON, guarding the modified Lentz algorithm against division by zero. */
const TINY = 1e-300;
const MAX_ITERATIONS = 10_000;

// Lanczos approximation, g = 7, 9 terms (Lanczos, SIAM J. Numer. Anal. B 1, 1964; coefficients as tabulated by
// Godfrey, "A note on the computation of the convergent Lanczos complex Gamma approximation", 2001): about 15
// significant digits for positive arguments.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/**
 * ln Gamma(x) for x > 0 (Lanczos approximation, about 15 significant digits; reflection below 0.5).
 * @throws Error when x is not a positive finite number.
 */
export function logGamma(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) throw new Error(`logGamma needs a positive finite argument, got ${x}`);
  // Reflection Gamma(x) Gamma(1 - x) = pi / sin(pi x) keeps the approximation in its accurate range.
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln of x^a e^-x / Gamma(a), the common factor of both incomplete gamma expansions. */
function gammaFactorLog(a: number, x: number): number {
  return a * Math.log(x) - x - logGamma(a);
}

/** P(a, x) by its power series (converges quickly for x < a + 1): Abramowitz & Stegun 6.5.29. */
function lowerGammaSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
  }
  return sum * Math.exp(gammaFactorLog(a, x));
}

/**
 * Q(a, x) by its continued fraction (converges quickly for x >= a + 1): Abramowitz & Stegun 6.5.31, evaluated by
 * the modified Lentz algorithm (Press et al., Numerical Recipes, 3rd ed., section 5.2).
 */
function upperGammaFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return Math.exp(gammaFactorLog(a, x)) * h;
}

/**
 * The regularized upper incomplete gamma function Q(a, x) = Gamma(a, x) / Gamma(a), a > 0, x >= 0.
 * @throws Error when a <= 0 or x < 0.
 */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) throw new Error(`regularizedGammaQ needs a > 0 and x >= 0, got a = ${a}, x = ${x}`);
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - lowerGammaSeries(a, x) : upperGammaFraction(a, x);
}

/**
 * The regularized lower incomplete gamma function P(a, x) = 1 - Q(a, x).
 * @throws Error when a <= 0 or x < 0.
 */
export function regularizedGammaP(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) throw new Error(`regularizedGammaP needs a > 0 and x >= 0, got a = ${a}, x = ${x}`);
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  return x < a + 1 ? lowerGammaSeries(a, x) : 1 - upperGammaFraction(a, x);
}

/** erfc(x) = Q(1/2, x^2) for x >= 0 (Abramowitz & Stegun 6.5.17 with 7.1.2), 2 - erfc(-x) below. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) throw new Error('erfc of NaN');
  return x >= 0 ? regularizedGammaQ(0.5, x * x) : 1 + regularizedGammaP(0.5, x * x);
}

/** Standard normal CDF Phi(z) = erfc(-z / sqrt 2) / 2. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** Standard normal upper tail 1 - Phi(z), computed directly (accurate far into the tail). */
export function normalSurvival(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/**
 * Chi-square upper tail P(X >= x) with df degrees of freedom: Q(df / 2, x / 2) (Abramowitz & Stegun 26.4.19).
 * @throws Error when df <= 0.
 */
export function chiSquareSurvival(x: number, df: number): number {
  if (!(df > 0)) throw new Error(`chi-square needs df > 0, got ${df}`);
  if (Number.isNaN(x)) throw new Error('chiSquareSurvival of NaN');
  return x <= 0 ? 1 : regularizedGammaQ(df / 2, x / 2);
}

/**
 * Continued fraction of the incomplete beta function (Abramowitz & Stegun 26.5.8), modified Lentz algorithm;
 * converges quickly for x < (a + 1) / (a + b + 2).
 */
function betaFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    // Even step.
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    // Odd step.
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return h;
}

/**
 * The regularized incomplete beta function I_x(a, b), a, b > 0, x in [0, 1] (Abramowitz & Stegun 26.5.8, with the
 * symmetry I_x(a, b) = 1 - I_{1-x}(b, a) to stay where the continued fraction converges).
 * @throws Error when a or b is not positive or x is outside [0, 1].
 */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0) || !(x >= 0 && x <= 1)) {
    throw new Error(`regularizedBeta needs a, b > 0 and x in [0, 1], got x = ${x}, a = ${a}, b = ${b}`);
  }
  if (x === 0) return 0;
  if (x === 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(a, b, x)) / a;
  return 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/**
 * F distribution upper tail P(X >= x) with (d1, d2) degrees of freedom: I_{d2 / (d2 + d1 x)}(d2 / 2, d1 / 2)
 * (Abramowitz & Stegun 26.6.2 and 26.5.2).
 * @throws Error when d1 or d2 is not positive.
 */
export function fSurvival(x: number, d1: number, d2: number): number {
  if (!(d1 > 0) || !(d2 > 0)) throw new Error(`the F distribution needs d1, d2 > 0, got ${d1}, ${d2}`);
  if (Number.isNaN(x)) throw new Error('fSurvival of NaN');
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  return regularizedBeta(d2 / (d2 + d1 * x), d2 / 2, d1 / 2);
}
