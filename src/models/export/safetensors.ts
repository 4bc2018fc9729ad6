// The safetensors format (https://github.com/huggingface/safetensors): 8-byte little-endian header length,
// a JSON header {name: {dtype, shape, data_offsets}, __metadata__: {string: string}}, then the raw
// little-endian tensor bytes. Weights keep TF.js layouts (NHWC activations; conv kernels [kh, kw, in, out],
// depthwise [kh, kw, C, 1]); src/models/WEIGHTS.md gives the PyTorch equivalents.
import * as tf from '@tensorflow/tfjs';
import {namedWeights} from './weight-names.js';

export interface SafetensorsEntry {
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsFile {
  tensors: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
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

export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.length) throw new Error('not a safetensors file: header length exceeds the file');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, {dtype: string; shape: number[]; data_offsets: [number, number]}>;
  const metadata = (header['__metadata__'] ?? {}) as unknown as Record<string, string>;
  const tensors = new Map<string, SafetensorsEntry>();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (info.dtype !== 'F32') throw new Error(`safetensors: tensor '${name}' has dtype ${info.dtype}; only F32 is supported`);
    const [begin, end] = info.data_offsets;
    const copy = bytes.slice(8 + n + begin, 8 + n + end);
    tensors.set(name, {shape: info.shape, data: new Float32Array(copy.buffer, copy.byteOffset, (end - begin) / 4)});
  }
  return {tensors, metadata};
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
