// Calls into the wasm backend's own kernels at the backend level (TensorInfo in, TensorInfo out), without the
// engine: nothing is tracked, taped or counted, so a kernel built from these leaves the tensor count unchanged.
// Every TensorInfo a helper returns is owned by the caller and must be released with `release` (the inputs
// a kernel receives are never released: the engine owns them).
import {getKernel, type DataType, type KernelBackend, type NamedAttrMap, type TensorInfo} from '@tensorflow/tfjs-core';

/** The parts of the wasm backend a kernel needs. `BackendWasm` is not exported with its internals typed. */
export interface WasmBackend extends KernelBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object, force?: boolean): boolean;
}

export type Pair = [number, number];

function call(backend: WasmBackend, name: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
  const config = getKernel(name, 'wasm');
  if (config === undefined) throw new Error(`the wasm backend has no ${name} kernel`);
  const out = config.kernelFunc({inputs, backend, attrs});
  if (Array.isArray(out)) throw new Error(`${name} returned several outputs`);
  return out;
}

export function release(backend: WasmBackend, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

export function zeros(backend: WasmBackend, shape: number[]): TensorInfo {
  return call(backend, 'Fill', {}, {shape, value: 0, dtype: 'float32'});
}

export function reshape(backend: WasmBackend, x: TensorInfo, shape: number[]): TensorInfo {
  return call(backend, 'Reshape', {x}, {shape});
}

export function pad(backend: WasmBackend, x: TensorInfo, paddings: Pair[]): TensorInfo {
  return call(backend, 'PadV2', {x}, {paddings, constantValue: 0});
}

export function slice(backend: WasmBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  return call(backend, 'Slice', {x}, {begin, size});
}

export interface ConvArgs {
  strides: Pair;
  dilations: Pair;
  /** Explicit NHWC padding ([[0,0],[top,bottom],[left,right],[0,0]]) or 'valid'. */
  pad: 'valid' | [Pair, Pair, Pair, Pair];
}

export function conv2d(backend: WasmBackend, x: TensorInfo, filter: TensorInfo, args: ConvArgs): TensorInfo {
  return call(backend, 'Conv2D', {x, filter}, {...args, dataFormat: 'NHWC', dimRoundingMode: undefined} as unknown as NamedAttrMap);
}

/**
 * Inserts `stride - 1` zeros between the rows and between the columns of an NHWC tensor (the input of a
 * transposed convolution). The result has (H - 1) * sh + 1 rows and (W - 1) * sw + 1 columns.
 */
export function dilateSpatial(backend: WasmBackend, x: TensorInfo, strides: Pair): TensorInfo {
  const [sh, sw] = strides;
  if (sh === 1 && sw === 1) return reshape(backend, x, x.shape);
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const r6 = reshape(backend, x, [n, h, 1, w, 1, c]);
  const padded = pad(backend, r6, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  release(backend, r6);
  const flat = reshape(backend, padded, [n, h * sh, w * sw, c]);
  release(backend, padded);
  const out = slice(backend, flat, [0, 0, 0, 0], [n, (h - 1) * sh + 1, (w - 1) * sw + 1, c]);
  release(backend, flat);
  return out;
}
