// The safetensors format (https://github.com/huggingface/safetensors): 8-byte little-endian header length,
// a JSON header {name: {dtype, shape, data_offsets}, __metadata__: {string: string}}, then the raw
// little-endian tensor bytes. Weights keep TF.js layouts (NHWC activations; conv kernels [kh, kw, in, out],
// depthwise [kh, kw, C, 1]); src/models/WEIGHTS.md gives the PyTorch equivalents.
import * as tf from '@tensorflow/tfjs';
import {namedWeights} from './weight-names.js';

export interface SafetensorsEntry {
  shape: number[];
  /** The values as float32 (F16, BF16 and F64 tensors converted). */
  data: Float32Array;
}

export interface SafetensorsFile {
  tensors: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
  /** Tensors left out because their dtype is not a float one (only with `otherDtypes: 'skip'`), by name with their dtype. */
  skipped: Map<string, string>;
}

/** The float dtypes decodeSafetensors reads, with their size in bytes. */
const FLOAT_DTYPES = {F32: 4, F16: 2, BF16: 2, F64: 8} as const;
type FloatDtype = keyof typeof FLOAT_DTYPES;

/** IEEE 754 half precision (binary16) to a number: sign, 5-bit exponent (bias 15), 10-bit fraction. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // subnormal: fraction x 2^-14 / 2^10
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Little-endian raw bytes of `count` values of `dtype` as float32 (bfloat16 is the upper half of a float32). */
function toFloat32(raw: Uint8Array, dtype: FloatDtype, count: number): Float32Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  // A copy, so that the Float32Array is aligned and owns its buffer (the host is little-endian, as the format).
  if (dtype === 'F32') return new Float32Array(raw.slice().buffer, 0, count);
  const out = new Float32Array(count);
  if (dtype === 'F64') for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
  else if (dtype === 'F16') for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
  else {
    const word = new DataView(new ArrayBuffer(4));
    for (let i = 0; i < count; i++) {
      word.setUint32(0, view.getUint16(2 * i, true) << 16);
      out[i] = word.getFloat32(0);
    }
  }
  return out;
}

export function encodeSafetensors(tensors: {name: string; shape: number[]; data: Float32Array}[], metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {__metadata__: metadata};
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.data.length * 4;
    header[t.name] = {dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes]};
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8); // align the data to 8 bytes
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/**
 * Reads a safetensors file: F32 tensors, and F16, BF16 and F64 ones converted to float32. Tensors of other dtypes
 * (integers, bool) are refused (`otherDtypes: 'throw'`, the default) or left out and listed in `skipped`. Throws an
 * Error (one line) when the bytes are not a safetensors file: a header longer than the file, a header that is not
 * JSON, a tensor whose byte range lies outside the data or does not hold its shape.
 */
export function decodeSafetensors(bytes: Uint8Array, options: {otherDtypes?: 'throw' | 'skip'} = {}): SafetensorsFile {
  if (bytes.length < 8) throw new Error('not a safetensors file: shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.length) throw new Error('not a safetensors file: header length exceeds the file');
  let header: Record<string, {dtype: string; shape: number[]; data_offsets: [number, number]}>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as typeof header;
  } catch {
    throw new Error('not a safetensors file: its header is not JSON');
  }
  const metadata = (header['__metadata__'] ?? {}) as unknown as Record<string, string>;
  const tensors = new Map<string, SafetensorsEntry>();
  const skipped = new Map<string, string>();
  const dataLength = bytes.length - 8 - n;
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [begin, end] = info.data_offsets ?? [];
    if (!Number.isInteger(begin) || !Number.isInteger(end) || begin! < 0 || end! < begin! || end! > dataLength || !Array.isArray(info.shape)) {
      throw new Error(`safetensors: tensor '${name}' has data offsets ${JSON.stringify(info.data_offsets)} outside the file's ${dataLength} data bytes: the file is damaged or cut short`);
    }
    if (!(info.dtype in FLOAT_DTYPES)) {
      if (options.otherDtypes === 'skip') {
        skipped.set(name, info.dtype);
        continue;
      }
      throw new Error(`safetensors: tensor '${name}' has dtype ${info.dtype}; only F32, F16, BF16 and F64 are read`);
    }
    const dtype = info.dtype as FloatDtype;
    const count = info.shape.reduce((a, b) => a * b, 1);
    if (count * FLOAT_DTYPES[dtype] !== end! - begin!) {
      throw new Error(`safetensors: tensor '${name}' (${dtype}, shape [${info.shape.join(', ')}]) has ${end! - begin!} bytes, not ${count * FLOAT_DTYPES[dtype]}: the file is damaged`);
    }
    tensors.set(name, {shape: info.shape, data: toFloat32(bytes.subarray(8 + n + begin!, 8 + n + end!), dtype, count)});
  }
  return {tensors, metadata, skipped};
}

/** Every weight of the model under its stable name, with `metadata` in the header. */
export async function modelToSafetensors(model: tf.LayersModel, metadata: Record<string, string>): Promise<Uint8Array> {
  const tensors = [];
  for (const {name, variable} of namedWeights(model)) {
    tensors.push({name, shape: variable.shape as number[], data: (await variable.read().data()) as Float32Array});
  }
  return encodeSafetensors(tensors, metadata);
}

/** Loads weights by stable name into a model of the same architecture; every weight must be present. */
export function loadSafetensorsInto(model: tf.LayersModel, file: SafetensorsFile): void {
  const missing: string[] = [];
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values = layer.weights.map((w) => {
      const name = w.originalName.replace(/\//g, '.');
      const entry = file.tensors.get(name);
      if (!entry) {
        missing.push(name);
        return tf.zeros(w.shape as number[]);
      }
      return tf.tensor(entry.data, entry.shape);
    });
    if (missing.length === 0) layer.setWeights(values);
    tf.dispose(values);
  }
  if (missing.length) throw new Error(`safetensors: ${missing.length} weights missing, first '${missing[0]}'`);
}
