// Slice for the wasm backend that copies only the slice. The built-in one first reads the whole input out of
// the heap (readSync copies every element), so taking each sample of a batch copied the batch once per sample:
// a third of DyConv's per-sample convolution time went there.
import {slice_util, util, type TensorInfo} from '@tensorflow/tfjs-core';
import type {WasmBackend} from './backend-ops.js';

type Typed = Float32Array | Int32Array | Uint8Array;

/** Copies the box `begin`/`size` of `src` (shape `shape`) into `dst`, one contiguous run of the last axis at a time. */
function copyBox(src: Typed, shape: readonly number[], begin: readonly number[], size: readonly number[], dst: Typed): void {
  const rank = shape.length;
  const strides = util.computeStrides(shape as number[]);
  const run = size[rank - 1]!;
  let out = 0;
  const walk = (axis: number, offset: number): void => {
    if (axis === rank - 1) {
      const from = offset + begin[axis]!;
      dst.set(src.subarray(from, from + run), out);
      out += run;
      return;
    }
    for (let i = 0; i < size[axis]!; i++) walk(axis + 1, offset + (begin[axis]! + i) * strides[axis]!);
  };
  walk(0, 0);
}

export function sliceFromHeap(backend: WasmBackend, x: TensorInfo, begin: number | number[], size?: number | number[]): TensorInfo {
  const [b, s] = slice_util.parseSliceParams(x as Parameters<typeof slice_util.parseSliceParams>[0], begin, size) as [number[], number[]];
  const out = backend.makeOutput(s, x.dtype);
  if (util.sizeFromShape(s) === 0) return out;
  // Views after makeOutput: allocating may grow the heap and detach earlier views.
  const src = backend.typedArrayFromHeap(x) as Typed;
  const dst = backend.typedArrayFromHeap(out) as Typed;
  if (slice_util.isSliceContinous(x.shape, b, s)) {
    const offset = slice_util.computeFlatOffset(b, util.computeStrides(x.shape));
    dst.set(src.subarray(offset, offset + util.sizeFromShape(s)));
  } else {
    copyBox(src, x.shape, b, s, dst);
  }
  return out;
}
