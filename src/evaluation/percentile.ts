// Percentile with linear interpolation between order statistics: numpy's default (`method='linear'`), which is what
// MONAI (`np.percentile` / `torch.quantile`) and medpy (`np.percentile`) use for HD95.
// Computed by selection (Hoare's quickselect, expected O(n)) rather than a full sort: HD95 of a noisy mask can have
// hundreds of thousands of boundary distances, and sorting them would dominate the cost.

/**
 * The `percent`-th percentile (0..100) of `values` (any order; not modified): with the values sorted ascending as a
 * and h = (n - 1) * percent / 100, a[floor(h)] + (h - floor(h)) * (a[floor(h) + 1] - a[floor(h)]).
 * Throws on an empty array or a NaN value.
 */
export function percentile(values: ArrayLike<number>, percent: number): number {
  const n = values.length;
  if (n === 0) throw new RangeError('the percentile of no values is undefined');
  if (!(percent >= 0 && percent <= 100)) throw new RangeError(`a percentile lies in 0..100, got ${percent}`);
  const work = Float64Array.from(values);
  for (let i = 0; i < n; i++) if (work[i] !== work[i]) throw new RangeError(`value ${i} is NaN`);
  const position = ((n - 1) * percent) / 100;
  const below = Math.floor(position);
  const low = selectInPlace(work, below);
  if (below >= n - 1) return low;
  // After selection everything right of `below` is >= low: the next order statistic is their minimum.
  let high = work[below + 1]!;
  for (let i = below + 2; i < n; i++) if (work[i]! < high) high = work[i]!;
  return low + (position - below) * (high - low);
}

/** The median and the quartiles of a sample: the 50th, 25th and 75th percentiles as `percentile` computes them. */
export interface MedianIqr {
  readonly median: number;
  /** [25th, 75th] percentile. */
  readonly iqr: [number, number];
}

/**
 * Median and interquartile range of `values` (any order; not modified), numpy's linear interpolation: the summary of
 * repeated timings (conventions.md, "latency: median and IQR"). Throws on an empty array or a NaN value.
 */
export function medianIqr(values: ArrayLike<number>): MedianIqr {
  return {median: percentile(values, 50), iqr: [percentile(values, 25), percentile(values, 75)]};
}

/** Reorders `a` so that a[k] is the k-th smallest, smaller or equal values left of it, larger or equal right. */
function selectInPlace(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    // Median of three as pivot keeps sorted and reversed inputs linear.
    const middle = (left + right) >>> 1;
    if (a[middle]! < a[left]!) swap(a, middle, left);
    if (a[right]! < a[left]!) swap(a, right, left);
    if (a[right]! < a[middle]!) swap(a, right, middle);
    const pivot = a[middle]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break; // j < k < i: a[k] equals the pivot and is in place
  }
  return a[k]!;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
