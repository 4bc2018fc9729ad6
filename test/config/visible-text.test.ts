import test from 'ava';
import fc from 'fast-check';
import {escapeInvisible, findInvalidUtf8, firstInvisible, hasInvisible} from '../../src/config/visible-text.js';

test('invisible characters are escaped: CR, LF, tab, zero-width space, BOM, NUL, DEL; visible text is left as it is', (t) => {
  t.is(escapeInvisible('best\r'), 'best\\r');
  t.is(escapeInvisible('a\nb\tc'), 'a\\nb\\tc');
  t.is(escapeInvisible('train\u200b'), 'train\\u200b');
  t.is(escapeInvisible('\uFEFFname\u0000\u007f\u2028'), '\\ufeffname\\u0000\\u007f\\u2028');
  t.is(escapeInvisible('w/o MIE café 日本 ∆'), 'w/o MIE café 日本 ∆');
  t.is(firstInvisible('tra\u200cin\u200b'), 'U+200C');
  t.is(firstInvisible('train'), undefined);
  t.true(hasInvisible('x\r'));
  t.false(hasInvisible('x y'));
});

test('an escaped text has no invisible character left (any string)', (t) => {
  fc.assert(fc.property(fc.string({unit: 'binary'}), (s) => !hasInvisible(escapeInvisible(s))));
  t.pass();
});

test('findInvalidUtf8 names the first bad byte with its line, column and offset', (t) => {
  t.is(findInvalidUtf8(Buffer.from('name: café\n日本: 1\n')), undefined);
  t.deepEqual(findInvalidUtf8(Buffer.from([...Buffer.from('a: 1\nname: caf'), 0xe9, 0x0a])), {offset: 14, line: 2, column: 10, byte: 0xe9});
  // Overlong forms, surrogates, code points above U+10FFFF and lone continuation bytes are not UTF-8 either.
  for (const bad of [[0xc0, 0x80], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xe2, 0x82]]) {
    t.is(findInvalidUtf8(Uint8Array.from([0x41, ...bad]))?.offset, 1, bad.map((b) => b.toString(16)).join(' '));
  }
});

test('findInvalidUtf8 agrees with a fatal TextDecoder on any bytes', (t) => {
  const decoder = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true});
  fc.assert(fc.property(fc.uint8Array({maxLength: 24}), (bytes) => {
    let valid = true;
    try {
      decoder.decode(bytes);
    } catch {
      valid = false;
    }
    return valid === (findInvalidUtf8(bytes) === undefined);
  }), {numRuns: 2000});
  fc.assert(fc.property(fc.string({unit: 'binary'}), (s) => findInvalidUtf8(Buffer.from(s)) === undefined));
  t.pass();
});
