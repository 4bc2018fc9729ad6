// How the report writes numbers, in one place so CSV, Markdown and LaTeX agree: Dice-like fractions with 4
// decimals, HD95 in pixels with 2, GFLOPs with 3, parameters as integers, seconds with 1, milliseconds (latency)
// with 2. Missing values are empty strings (never NaN), and the caller says why in a reason column or a note.

/** Decimals per kind of number. */
export const DECIMALS = {fraction: 4, hd95: 2, gflops: 3, seconds: 1, milliseconds: 2, difference: 4} as const;

/** `value` with `digits` decimals; '' for null. Throws RangeError on NaN or an infinity (a bug upstream). */
export function fixed(value: number | null, digits: number): string {
  if (value === null) return '';
  if (!Number.isFinite(value)) throw new RangeError(`${value} cannot be written as a number in a report`);
  const text = value.toFixed(digits);
  // -0.0000 and 0.0000 are the same number: write it one way.
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

/** A Dice, IoU, precision or recall (fraction in [0, 1]). */
export const fraction = (value: number | null): string => fixed(value, DECIMALS.fraction);
/** HD95 in pixels. */
export const pixels = (value: number | null): string => fixed(value, DECIMALS.hd95);
/** GFLOPs per image. */
export const gflops = (value: number | null): string => fixed(value, DECIMALS.gflops);
/** Milliseconds of wall time (inference latency). */
export const milliseconds = (value: number | null): string => fixed(value, DECIMALS.milliseconds);
/** Seconds of wall time. */
export const seconds = (value: number | null): string => fixed(value, DECIMALS.seconds);
/** A count (parameters, images); '' for null. */
export const count = (value: number | null): string => (value === null ? '' : String(Math.round(value)));

/** Parameters for a table: `1.23M`, `45.6k`. */
export function paramsShort(value: number | null): string {
  if (value === null) return '';
  return value >= 1e6 ? `${(value / 1e6).toFixed(2)}M` : `${(value / 1e3).toFixed(1)}k`;
}

/** A difference with its sign (`+0.0123`, `-0.0040`, `0.0000`), `digits` decimals (default: DECIMALS.difference). */
export function signedFixed(value: number, digits: number = DECIMALS.difference): string {
  const text = fixed(value, digits);
  return value > 0 && !/^0\.?0*$/.test(text) ? `+${text}` : text;
}

/**
 * A p-value as text, 4 decimals: '< 0.0001' below that, and '< 0.05' for a p below 0.05 that 4 decimals would round
 * up to 0.0500 (a significant result must never read as 0.05). Plain text: callers escape or mark it up.
 */
export function pValueText(p: number): string {
  if (p < 0.0001) return '< 0.0001';
  const text = p.toFixed(4);
  return p < 0.05 && Number(text) >= 0.05 ? '< 0.05' : text;
}
