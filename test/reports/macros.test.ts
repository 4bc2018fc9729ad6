// macros.tex: a \newcommand per headline number, named with letters only, deterministically from variant, dataset and
// test set (and the compared-against variant), and never the same name for two different numbers.
import test from 'ava';
import fc from 'fast-check';
import {COMPARISON_TOKENS, headlineMacros, macrosTex, SUMMARY_TOKENS} from '../../src/reports/macros.js';
import {lettersOnly, macroName} from '../../src/reports/tex.js';
import {comparisonOf, reportModel, summaryRow} from './fixtures/table-model.js';

const LETTERS = /^[A-Za-z]+$/;

test('a macro name is mslk + letters-only fields + token: readable for plain names', (t) => {
  t.is(macroName(['full', 'kvasir-seg', 'test'], 'DiceMean'), 'mslkfullxykvasirxosegxytestxyDiceMean');
  t.is(lettersOnly('w/o MIE'), 'wxloxkMIE');
  t.is(lettersOnly('ld.largeKernel=13'), 'ldxmlargeKernelxnxbxd');
  t.is(lettersOnly('x'), 'xx');
  t.regex(lettersOnly('é<β'), LETTERS);
  t.throws(() => macroName(['a'], 'Max'), {instanceOf: RangeError});
});

test('property: names are letters only and distinct for distinct (fields, token), summary and comparison macros alike', (t) => {
  const field = fc.string({unit: fc.constantFrom('a', 'x', 'y', 'X', '1', '/', ' ', '=', '.', '_', 'é', '%', '\u{1F600}'), maxLength: 6});
  const key = fc.oneof(
    fc.record({fields: fc.tuple(field, field, field), token: fc.constantFrom(...SUMMARY_TOKENS)}),
    fc.record({fields: fc.tuple(field, field, field, field), token: fc.constantFrom(...COMPARISON_TOKENS)}),
  );
  t.notThrows(() => fc.assert(fc.property(key, key, (a, b) => {
    const nameA = macroName(a.fields, a.token);
    const nameB = macroName(b.fields, b.token);
    const same = a.token === b.token && JSON.stringify(a.fields) === JSON.stringify(b.fields);
    return LETTERS.test(nameA) && LETTERS.test(nameB) && (nameA === nameB) === same;
  }), {numRuns: 5000}));
});

test('property: lettersOnly is injective on arbitrary unicode strings', (t) => {
  t.notThrows(() => fc.assert(fc.property(fc.string({unit: 'grapheme', maxLength: 8}), fc.string({unit: 'grapheme', maxLength: 8}), (a, b) =>
    (lettersOnly(a) === lettersOnly(b)) === (a === b) && (a === '' || LETTERS.test(lettersOnly(a)))), {numRuns: 5000}));
});

test('macros.tex: one \\newcommand per headline number with a comment saying what it is; missing numbers are --', (t) => {
  const model = reportModel([summaryRow('full', 'busi', [0.9, 0.01, 3]), summaryRow('w/o MIE', 'busi', [0.8, null, 1], {planned: 3})],
    {comparisons: [comparisonOf('w/o MIE', 'full', 'busi', -0.1, true)]});
  const tex = macrosTex(model);
  t.true(tex.includes('% full on busi (test): test mDice, mean over seeds\n\\newcommand{\\mslkfullxybusixytestxyDiceMean}{0.9000}\n'));
  t.true(tex.includes('\\newcommand{\\mslkwxloxkMIExybusixytestxyDiceStd}{--}'));
  t.true(tex.includes('\\newcommand{\\mslkwxloxkMIExyfullxybusixytestxyDeltaDice}{-0.1000}'));
  t.true(tex.includes('\\newcommand{\\mslkwxloxkMIExyfullxybusixytestxyPHolm}{0.0030}'));
  const names = headlineMacros(model).map((m) => m.name);
  t.is(new Set(names).size, names.length);
  t.is(names.length, 2 * SUMMARY_TOKENS.length + COMPARISON_TOKENS.length);
  t.is((tex.match(/\\newcommand/g) ?? []).length, names.length);
});
