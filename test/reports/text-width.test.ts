// The text-width table: additive, monotone, wider in bold, and a few DejaVu Sans advance widths by hand.
import test from 'ava';
import fc from 'fast-check';
import {estimateTextWidth} from '../../src/reports/text-width.js';

test('widths of known strings (DejaVu Sans advances: i 0.28 em, M 0.87 em, digits 0.64 em)', (t) => {
  t.is(estimateTextWidth('', 11), 0);
  t.true(Math.abs(estimateTextWidth('i', 100) - 28) < 1e-9);
  t.true(Math.abs(estimateTextWidth('M', 100) - 87) < 1e-9);
  t.true(Math.abs(estimateTextWidth('0123456789', 10) - 64) < 1e-9);
  t.true(estimateTextWidth('iiii', 11) < estimateTextWidth('MMMM', 11));
  t.true(Math.abs(estimateTextWidth('漢字', 10) - 20) < 1e-9, 'CJK is one em wide');
});

test('width is additive over text, proportional to font size, larger in bold, never negative', (t) => {
  fc.assert(fc.property(fc.string({unit: 'binary', maxLength: 30}), fc.string({unit: 'binary', maxLength: 30}), fc.double({min: 1, max: 40, noNaN: true}), (a, b, size) => {
    const wa = estimateTextWidth(a, size);
    const wb = estimateTextWidth(b, size);
    return wa >= 0 && Math.abs(estimateTextWidth(a + b, size) - (wa + wb)) < 1e-9 * (1 + wa + wb)
      && Math.abs(estimateTextWidth(a, 2 * size) - 2 * wa) < 1e-9 * (1 + wa)
      && estimateTextWidth(a, size, true) >= wa;
  }));
  t.pass();
});
