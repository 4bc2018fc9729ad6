import test from 'ava';
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {DEPTHWISE_SOURCE_SHA256} from '../../../src/engine/wasm/native/depthwise-wasm.js';

test('the embedded SIMD module was built from the current depthwise.c (else run scripts/build-wasm.sh)', (t) => {
  const source = readFileSync(fileURLToPath(new URL('../../../src/engine/wasm/native/depthwise.c', import.meta.url)));
  t.is(createHash('sha256').update(source).digest('hex'), DEPTHWISE_SOURCE_SHA256);
});
