import test from 'ava';
import fc from 'fast-check';
import {canonicalJson, sha256Hex} from '../../src/io/canonical-json.js';

/** The same object with its keys inserted in reverse order, at every depth. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).reverse().map(([k, v]) => [k, reversedKeys(v)]));
  }
  return value;
}

test('key order does not change the text or the hash; the text parses back to the same value', (t) => {
  fc.assert(fc.property(fc.jsonValue(), (value) => {
    const text = canonicalJson(value);
    return text === canonicalJson(reversedKeys(value)) && sha256Hex(text) === sha256Hex(canonicalJson(reversedKeys(value)))
      && JSON.stringify(JSON.parse(text)) === JSON.stringify(JSON.parse(canonicalJson(JSON.parse(text))));
  }));
  t.is(canonicalJson({b: 1, a: [2, {d: null, c: 'x'}], skipped: undefined}), '{"a":[2,{"c":"x","d":null}],"b":1}');
});

test('different values hash differently', (t) => {
  t.not(sha256Hex(canonicalJson({lr: 0.001})), sha256Hex(canonicalJson({lr: 0.0001})));
});
