// Holm's step-down adjustment of p-values for a family of tests (Holm, "A simple sequentially rejective multiple
// test procedure", Scandinavian Journal of Statistics 6, 1979): controls the family-wise error rate under any
// dependence between the tests, and is uniformly more powerful than Bonferroni.

/**
 * Holm-adjusted p-values, in the order of p. With the m p-values sorted ascending, p_(1) <= ... <= p_(m), the
 * adjusted value of p_(i) is max over j <= i of min(1, (m - j + 1) p_(j)): step-down, monotone in the raw p, capped
 * at 1 (the same as R's p.adjust(p, 'holm')). Rejecting where adjusted < alpha is Holm's procedure at level alpha.
 * Equal p-values keep their input order in the sort, which does not change the result.
 * @throws Error when a p-value is not in [0, 1].
 */
export function holmAdjust(p: readonly number[]): number[] {
  for (const value of p) {
    if (!(value >= 0 && value <= 1)) throw new Error(`Holm's adjustment needs p-values in [0, 1], got ${value}`);
  }
  const m = p.length;
  const order = p.map((_, i) => i).sort((a, b) => p[a]! - p[b]! || a - b);
  const adjusted = new Array<number>(m).fill(0);
  let running = 0;
  order.forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p[index]!));
    adjusted[index] = running;
  });
  return adjusted;
}
