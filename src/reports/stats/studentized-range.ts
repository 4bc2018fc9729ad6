// The studentized range with infinite degrees of freedom: the range of k independent standard normal variables.
// Its upper quantile over sqrt(2) is the Nemenyi test's q_alpha (Demsar, JMLR 7, 2006, section 3.2.2, Table 5a).
import {normalCdf} from './distributions.js';

/** Integration range and step: the normal density is below 1e-14 outside [-8, 8]; Simpson's error is O(h^4). */
const Z_LIMIT = 8;
const INTERVALS = 800;

/**
 * P(range of k iid N(0, 1) variables <= q), the studentized range CDF at infinite df:
 * k * integral phi(z) [Phi(z) - Phi(z - q)]^(k - 1) dz (Hartley, Biometrika 32, 1942; the df -> infinity limit of
 * Tukey's studentized range), by composite Simpson's rule on [-8, 8] (absolute error below 1e-9 for k <= 100).
 * @throws Error when k < 2 or k is not an integer.
 */
export function studentizedRangeCdf(q: number, k: number): number {
  if (!Number.isInteger(k) || k < 2) throw new Error(`the studentized range needs k >= 2 integer groups, got ${k}`);
  if (!(q > 0)) return 0;
  if (q === Infinity) return 1;
  const h = (2 * Z_LIMIT) / INTERVALS;
  let sum = 0;
  for (let i = 0; i <= INTERVALS; i++) {
    const z = -Z_LIMIT + i * h;
    const weight = i === 0 || i === INTERVALS ? 1 : i % 2 === 1 ? 4 : 2;
    const density = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    sum += weight * density * Math.pow(normalCdf(z) - normalCdf(z - q), k - 1);
  }
  return Math.min(1, Math.max(0, ((k * h) / 3) * sum));
}

/**
 * The studentized range quantile q with P(range <= q) = probability, k groups, infinite df (bisection on
 * studentizedRangeCdf to 1e-9). E.g. k = 4, probability 0.95: 3.633 (Harter, Ann. Math. Stat. 31, 1960).
 * @throws Error when probability is outside (0, 1) or k < 2.
 */
export function studentizedRangeQuantile(probability: number, k: number): number {
  if (!(probability > 0 && probability < 1)) {
    throw new Error(`a studentized range quantile needs a probability in (0, 1), got ${probability}`);
  }
  let low = 0;
  let high = 1;
  while (studentizedRangeCdf(high, k) < probability) high *= 2;
  while (high - low > 1e-9) {
    const middle = (low + high) / 2;
    if (studentizedRangeCdf(middle, k) < probability) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}
