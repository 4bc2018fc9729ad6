// tables/macros.tex: one \newcommand per headline number, so a paper's text (`MS-LKSeg reaches
// \mslkfullxykvasirxosegxytestxyDiceMean{} mDice`) is regenerated with the results and never goes stale. Names come
// from tex.ts's macroName: letters only, derived from variant, dataset and test set (and the compared-against
// variant), distinct for distinct inputs. Each macro is preceded by a comment saying what it is.
import type {PairedComparison, ReportModel, SummaryRow} from './model.js';
import {fraction, gflops, paramsShort, pixels, signedFixed, pValueText} from './number-format.js';
import {macroName} from './tex.js';

/** One macro: its name (without backslash), its value (LaTeX) and what it is. */
export interface HeadlineMacro {
  name: string;
  value: string;
  description: string;
}

/** Shown for a number that does not exist (e.g. no seed done), with the reason in the macro's comment. */
const UNAVAILABLE = '--';

/** Tokens (the last part of a name) of the summary macros, and of the comparison macros. */
export const SUMMARY_TOKENS = ['DiceMean', 'DiceStd', 'IoUMean', 'IoUStd', 'HDMean', 'Seeds', 'Params', 'GFLOPs'] as const;
export const COMPARISON_TOKENS = ['DeltaDice', 'DeltaDiceLow', 'DeltaDiceHigh', 'PHolm'] as const;

function summaryMacros(row: SummaryRow): HeadlineMacro[] {
  const fields = [row.variant, row.dataset, row.testSet];
  const what = `${row.variant} on ${row.dataset} (${row.testSet})`;
  const or = (text: string) => (text === '' ? UNAVAILABLE : text);
  const values: Record<(typeof SUMMARY_TOKENS)[number], [string, string]> = {
    DiceMean: [or(fraction(row.dice.mean)), 'test mDice, mean over seeds'],
    DiceStd: [or(fraction(row.dice.std)), 'test mDice, sample std over seeds'],
    IoUMean: [or(fraction(row.iou.mean)), 'test mIoU, mean over seeds'],
    IoUStd: [or(fraction(row.iou.std)), 'test mIoU, sample std over seeds'],
    HDMean: [or(pixels(row.hd95.mean)), 'test HD95 (px, non-empty pairs), mean over seeds'],
    Seeds: [String(row.dice.n), `seeds averaged (of ${row.seeds} seeds planned)`],
    Params: [or(paramsShort(row.params)), 'parameters'],
    GFLOPs: [or(gflops(row.gflops)), 'GFLOPs per image (2 FLOPs per multiply-add)'],
  };
  return SUMMARY_TOKENS.map((token) => ({name: macroName(fields, token), value: values[token][0], description: `${what}: ${values[token][1]}`}));
}

function comparisonMacros(c: PairedComparison): HeadlineMacro[] {
  const fields = [c.variant, c.against, c.dataset, c.testSet];
  const what = `${c.variant} minus ${c.against} on ${c.dataset} (${c.testSet}), paired over ${c.images} test images`;
  const values: Record<(typeof COMPARISON_TOKENS)[number], [string, string]> = {
    DeltaDice: [signedFixed(c.meanDifference), 'mean Dice difference'],
    DeltaDiceLow: [signedFixed(c.ci[0]), 'lower end of its 95% paired bootstrap CI'],
    DeltaDiceHigh: [signedFixed(c.ci[1]), 'upper end of its 95% paired bootstrap CI'],
    PHolm: [pValueText(c.pHolm).replace('<', '$<$'), 'Wilcoxon signed-rank p, Holm-adjusted'],
  };
  return COMPARISON_TOKENS.map((token) => ({name: macroName(fields, token), value: values[token][0], description: `${what}: ${values[token][1]}`}));
}

/** Every headline macro of the report: per summary row, then per paired comparison, in the model's order. */
export function headlineMacros(model: ReportModel): HeadlineMacro[] {
  return [...model.summary.flatMap(summaryMacros), ...model.comparisons.flatMap(comparisonMacros)];
}

/** macros.tex: a comment per macro (what it is; comment text has line breaks removed) and its \newcommand. */
export function macrosTex(model: ReportModel): string {
  const lines = [`% Headline numbers of the report '${model.title.replace(/[\r\n]+/g, ' ')}', written by mslk report: \\input this file and use the macros in the text.`];
  for (const m of headlineMacros(model)) {
    lines.push(`% ${m.description.replace(/[\r\n]+/g, ' ')}`, `\\newcommand{\\${m.name}}{${m.value}}`);
  }
  return lines.join('\n') + '\n';
}
