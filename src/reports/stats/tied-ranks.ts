// Ranks with ties averaged ("mid-ranks"), the ranking both Wilcoxon's signed-rank test and Friedman's test use.

/** Ranks of values and the sizes of their groups of ties. */
export interface TiedRanks {
  /** ranks[i] = rank of values[i], 1 = smallest; tied values share the mean of the ranks they span. */
  ranks: number[];
  /** Size of every group of two or more equal values (for the tie corrections of variances). */
  tieGroups: number[];
}

/**
 * Ascending mid-ranks of values: the smallest value gets rank 1, and each group of equal values gets the mean of
 * the ranks it occupies (e.g. [10, 20, 20, 30] -> [1, 2.5, 2.5, 4]). Values are compared exactly (===).
 * @throws Error when a value is NaN.
 */
export function tiedRanks(values: readonly number[]): TiedRanks {
  if (values.some((v) => Number.isNaN(v))) throw new Error('cannot rank NaN values');
  const order = values.map((_, i) => i).sort((a, b) => compare(values[a]!, values[b]!) || a - b);
  const ranks = new Array<number>(values.length).fill(0);
  const tieGroups: number[] = [];
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && values[order[end]!] === values[order[start]!]) end++;
    // Positions start..end-1 hold ranks start+1..end, whose mean is (start + 1 + end) / 2.
    const rank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) ranks[order[i]!] = rank;
    if (end - start > 1) tieGroups.push(end - start);
    start = end;
  }
  return {ranks, tieGroups};
}

/** Total order on non-NaN numbers that, unlike subtraction, also holds for infinities. */
function compare(x: number, y: number): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
