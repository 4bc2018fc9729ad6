// Tile for the wasm backend as block copies (TypedArray.set) instead of tfjs-backend-wasm's element-by-element
// loop, which took 19 ms to broadcast a [1,1,1,8] vector to [8,64,64,8] (the batch-norm gradient does this at
// every layer). Axes are expanded from the last to the first, so each pass copies ever larger contiguous blocks.
import type {TensorInfo} from '@tensorflow/tfjs-core';
import type {WasmBackend} from './backend-ops.js';

type Typed = Float32Array | Int32Array | Uint8Array;

function expandAxis(src: Typed, shape: readonly number[], axis: number, reps: number, dst: Typed): void {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis).reduce((a, b) => a * b, 1);
  if (inner === 1) {
    for (let o = 0; o < outer; o++) dst.fill(src[o]!, o * reps, (o + 1) * reps);
    return;
  }
  for (let o = 0; o < outer; o++) {
    const block = src.subarray(o * inner, (o + 1) * inner);
    const base = o * inner * reps;
    for (let r = 0; r < reps; r++) dst.set(block, base + r * inner);
  }
}

export function tileByBlocks(backend: WasmBackend, x: TensorInfo, reps: readonly number[]): TensorInfo {
  const outShape = x.shape.map((d, i) => d * reps[i]!);
  const out = backend.makeOutput(outShape, x.dtype);
  // Views after makeOutput: allocating may grow the heap and detach earlier views.
  const input = backend.typedArrayFromHeap(x) as Typed;
  const output = backend.typedArrayFromHeap(out) as Typed;
  const axes = reps.map((r, i) => (r > 1 ? i : -1)).filter((i) => i >= 0).reverse();
  if (axes.length === 0) {
    output.set(input);
    return out;
  }
  let current: Typed = input;
  const shape = [...x.shape];
  axes.forEach((axis, k) => {
    const size = current.length * reps[axis]!;
    const next = k === axes.length - 1 ? output : (new (current.constructor as new (n: number) => Typed)(size));
    expandAxis(current, shape, axis, reps[axis]!, next);
    shape[axis] = shape[axis]! * reps[axis]!;
    current = next;
  });
  return out;
}
