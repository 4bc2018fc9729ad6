// How p-values are written in every report format (HTML, LaTeX macros, mslk compare).
import test from 'ava';
import fc from 'fast-check';
import {pValueText} from '../../src/reports/number-format.js';

test('p-values: 4 decimals, tiny ones as a bound, and a significant p never reads as 0.05 or more', (t) => {
  t.is(pValueText(0.03125), '0.0313');
  t.is(pValueText(0.00001), '< 0.0001');
  t.is(pValueText(0.04996), '< 0.05');
  t.is(pValueText(0.05), '0.0500');
  t.is(pValueText(1), '1.0000');
  fc.assert(fc.property(fc.double({min: 0, max: 1, noNaN: true}), (p) => {
    const text = pValueText(p);
    return p < 0.05 ? text.startsWith('<') || Number(text) < 0.05 : Number(text) >= 0.05;
  }));
});
