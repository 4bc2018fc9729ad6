// The safetensors reader: F32 as written, F16 / BF16 / F64 converted to float32, other dtypes refused or skipped,
// damaged files refused in one line.
import test from 'ava';
import fc from 'fast-check';
import {decodeSafetensors, encodeSafetensors} from '../../../src/models/export/safetensors.js';

/** A safetensors file of raw little-endian tensors, with the dtypes given (the format's layout, written out). */
function rawFile(tensors: Array<{name: string; dtype: string; shape: number[]; bytes: Uint8Array}>, offsets?: (i: number, begin: number, end: number) => [number, number]): Uint8Array {
  const header: Record<string, unknown> = {};
  let at = 0;
  tensors.forEach((t, i) => {
    header[t.name] = {dtype: t.dtype, shape: t.shape, data_offsets: offsets ? offsets(i, at, at + t.bytes.length) : [at, at + t.bytes.length]};
    at += t.bytes.length;
  });
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + at);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const t of tensors) {
    out.set(t.bytes, p);
    p += t.bytes.length;
  }
  return out;
}

function u16(values: number[]): Uint8Array {
  const bytes = new Uint8Array(2 * values.length);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setUint16(2 * i, v, true));
  return bytes;
}

test('F32 tensors read back exactly as written, with the metadata', (t) => {
  fc.assert(fc.property(fc.array(fc.float({noNaN: true}), {minLength: 1, maxLength: 40}), (values) => {
    const data = Float32Array.from(values);
    const file = decodeSafetensors(encodeSafetensors([{name: 'w', shape: [data.length], data}, {name: 'b', shape: [1], data: new Float32Array([7])}], {k: 'v'}));
    return Object.is(file.tensors.get('w')!.data.length, data.length) && file.tensors.get('w')!.data.every((v, i) => Object.is(v, data[i])) &&
      file.tensors.get('b')!.data[0] === 7 && file.metadata['k'] === 'v';
  }));
  t.pass();
});

test('F16 values, normal, subnormal and special, convert to float32', (t) => {
  // binary16 bit patterns and their values (IEEE 754).
  const cases: Array<[number, number]> = [[0x3c00, 1], [0xc000, -2], [0x3800, 0.5], [0x7bff, 65504], [0x0001, 2 ** -24], [0x0400, 2 ** -14], [0x3555, 0.333251953125], [0x0000, 0], [0x7c00, Infinity], [0xfc00, -Infinity]];
  const file = decodeSafetensors(rawFile([{name: 'h', dtype: 'F16', shape: [2, 5], bytes: u16(cases.map(([bits]) => bits))}, {name: 'nan', dtype: 'F16', shape: [1], bytes: u16([0x7e00])}]));
  t.deepEqual(Array.from(file.tensors.get('h')!.data), cases.map(([, value]) => value));
  t.deepEqual(file.tensors.get('h')!.shape, [2, 5]);
  t.true(Number.isNaN(file.tensors.get('nan')!.data[0]));
});

test('BF16 values are the upper halves of float32 values; F64 values are rounded to float32', (t) => {
  fc.assert(fc.property(fc.array(fc.float({noNaN: true}), {minLength: 1, maxLength: 30}), fc.array(fc.double({noNaN: true}), {minLength: 1, maxLength: 30}), (floats, doubles) => {
    const bits = new Uint32Array(Float32Array.from(floats).buffer);
    const expected = new Float32Array(new Uint32Array(Array.from(bits, (b) => (b & 0xffff0000) >>> 0)).buffer);
    const f64 = new Uint8Array(Float64Array.from(doubles).buffer);
    const file = decodeSafetensors(rawFile([
      {name: 'bf', dtype: 'BF16', shape: [floats.length], bytes: u16(Array.from(bits, (b) => b >>> 16))},
      {name: 'd', dtype: 'F64', shape: [doubles.length], bytes: f64},
    ]));
    return file.tensors.get('bf')!.data.every((v, i) => Object.is(v, expected[i])) &&
      file.tensors.get('d')!.data.every((v, i) => Object.is(v, Math.fround(doubles[i]!)));
  }));
  t.pass();
});

test('other dtypes are refused by default and skipped on request', (t) => {
  const bytes = rawFile([{name: 'steps', dtype: 'I64', shape: [], bytes: new Uint8Array(8)}, {name: 'w', dtype: 'F16', shape: [1], bytes: u16([0x3c00])}]);
  t.throws(() => decodeSafetensors(bytes), {message: "safetensors: tensor 'steps' has dtype I64; only F32, F16, BF16 and F64 are read"});
  const file = decodeSafetensors(bytes, {otherDtypes: 'skip'});
  t.deepEqual([...file.skipped], [['steps', 'I64']]);
  t.deepEqual(Array.from(file.tensors.get('w')!.data), [1]);
});

test('damaged files are refused in one line', (t) => {
  const good = rawFile([{name: 'w', dtype: 'F32', shape: [2], bytes: new Uint8Array(8)}]);
  t.throws(() => decodeSafetensors(good.subarray(0, 5)), {message: /^not a safetensors file: shorter than its 8-byte header length$/});
  t.throws(() => decodeSafetensors(good.subarray(0, 12)), {message: /^not a safetensors file: header length exceeds the file$/});
  t.throws(() => decodeSafetensors(good.subarray(0, good.length - 4)), {message: /^safetensors: tensor 'w' has data offsets \[0,8\] outside the file's 4 data bytes: the file is damaged or cut short$/});
  const wrongSize = rawFile([{name: 'w', dtype: 'F32', shape: [3], bytes: new Uint8Array(8)}]);
  t.throws(() => decodeSafetensors(wrongSize), {message: /^safetensors: tensor 'w' \(F32, shape \[3\]\) has 8 bytes, not 12: the file is damaged$/});
  const notJson = good.slice();
  notJson[8] = 0x7b + 1;
  t.throws(() => decodeSafetensors(notJson), {message: /^not a safetensors file: its header is not JSON$/});
});
