// The project's own WebAssembly SIMD kernels (src/engine/wasm/native/depthwise.c): depthwise forward
// convolution and kernel gradient with eight accumulators in registers, several times faster than
// tfjs-backend-wasm's generic path for large kernels, and the kernel gradient of dense convolutions. Data is
// copied in from TF.js's heap (the module has its
// own memory), packed to a channel-blocked layout, computed, and copied back.
import {DEPTHWISE_WASM_BASE64} from './native/depthwise-wasm.js';

interface Exports {
  memory: WebAssembly.Memory;
  pack_nhwc(src: number, dst: number, n: number, h: number, w: number, c: number, cb: number, hp: number, wp: number,
    top: number, left: number, stepH: number, stepW: number): void;
  unpack_nhwc(src: number, dst: number, n: number, h: number, w: number, c: number, cb: number): void;
  pack_kernel(src: number, dst: number, kh: number, kw: number, c: number, cb: number, flip: number): void;
  unpack_kernel(src: number, dst: number, kh: number, kw: number, c: number, cb: number): void;
  dw_conv(x: number, k: number, y: number, n: number, cb: number, hp: number, wp: number, kh: number, kw: number,
    ho: number, wo: number, sh: number, sw: number, dh: number, dw: number): void;
  dw_filter_grad(x: number, dy: number, g: number, n: number, cb: number, hp: number, wp: number, kh: number,
    kw: number, ho: number, wo: number, sh: number, sw: number, dh: number, dw: number): void;
  conv_filter_grad(x: number, dy: number, g: number, n: number, cib: number, cob: number, hp: number, wp: number,
    kh: number, kw: number, ho: number, wo: number, sh: number, sw: number, dh: number, dw: number): void;
}

/** Where a source tensor is placed inside the padded, blocked buffer a kernel reads. */
export interface Placement {
  /** Rows and columns of the padded buffer. */
  rows: number;
  cols: number;
  /** Offset of source pixel (0, 0); may be negative (cropping). */
  top: number;
  left: number;
  /** Distance between consecutive source pixels (> 1 inserts zeros, for transposed convolutions). */
  stepH: number;
  stepW: number;
}

export interface DepthwiseGeometry {
  kh: number;
  kw: number;
  outH: number;
  outW: number;
  strides: [number, number];
  dilations: [number, number];
}

/** Bytes below this offset belong to the module's stack and data. */
const HEAP_BASE = 1 << 20;
const PAGE = 65536;

let cached: Exports | undefined;

function module(): Exports {
  if (cached === undefined) {
    const bytes = Buffer.from(DEPTHWISE_WASM_BASE64, 'base64');
    cached = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as Exports;
  }
  return cached;
}

/** A bump allocator over the module's memory for one call; offsets are 16-byte aligned. */
class Arena {
  private next = HEAP_BASE;
  constructor(private readonly m: Exports) {}

  alloc(floats: number): number {
    const offset = this.next;
    this.next += Math.ceil((floats * 4) / 16) * 16;
    const needed = this.next - this.m.memory.buffer.byteLength;
    if (needed > 0) this.m.memory.grow(Math.ceil(needed / PAGE));
    return offset;
  }

  write(values: Float32Array): number {
    const offset = this.alloc(values.length);
    new Float32Array(this.m.memory.buffer, offset, values.length).set(values);
    return offset;
  }

  read(offset: number, length: number): Float32Array {
    return new Float32Array(this.m.memory.buffer, offset, length);
  }
}

const blocks = (c: number): number => Math.ceil(c / 4);

/** Packs NHWC `values` into `cb` channel blocks (by default just enough; extra blocks are zeros). */
function packInput(m: Exports, arena: Arena, values: Float32Array, shape: number[], p: Placement, cb = blocks(shape[3]!)): number {
  const [n, h, w, c] = shape as [number, number, number, number];
  const raw = arena.write(values);
  const packed = arena.alloc(n * cb * p.rows * p.cols * 4);
  m.pack_nhwc(raw, packed, n, h, w, c, cb, p.rows, p.cols, p.top, p.left, p.stepH, p.stepW);
  return packed;
}

/** A tensor placed as it is: no padding, cropping or inserted zeros. */
function asIs(h: number, w: number): Placement {
  return {rows: h, cols: w, top: 0, left: 0, stepH: 1, stepW: 1};
}

/**
 * Depthwise correlation of `x` (NHWC, placed as `p` describes) with `kernel` ([KH, KW, C], flipped by 180
 * degrees when `flip`); returns NHWC [N, outH, outW, C]. The caller copies the result out before the next call.
 */
export function simdDepthwiseConv(x: Float32Array, xShape: number[], p: Placement, kernel: Float32Array,
  g: DepthwiseGeometry, flip: boolean): Float32Array {
  const m = module();
  const arena = new Arena(m);
  const [n, , , c] = xShape as [number, number, number, number];
  const cb = blocks(c);
  const xb = packInput(m, arena, x, xShape, p);
  const kRaw = arena.write(kernel);
  const kb = arena.alloc(cb * g.kh * g.kw * 4);
  m.pack_kernel(kRaw, kb, g.kh, g.kw, c, cb, flip ? 1 : 0);
  const yb = arena.alloc(n * cb * g.outH * g.outW * 4);
  m.dw_conv(xb, kb, yb, n, cb, p.rows, p.cols, g.kh, g.kw, g.outH, g.outW, g.strides[0], g.strides[1], g.dilations[0], g.dilations[1]);
  const y = arena.alloc(n * g.outH * g.outW * c);
  m.unpack_nhwc(yb, y, n, g.outH, g.outW, c, cb);
  return arena.read(y, n * g.outH * g.outW * c);
}

/** Kernel gradient [KH, KW, C] of a depthwise convolution of `x` (placed as `p`) whose output gradient is `dy`. */
export function simdDepthwiseFilterGrad(x: Float32Array, xShape: number[], p: Placement, dy: Float32Array,
  g: DepthwiseGeometry): Float32Array {
  const m = module();
  const arena = new Arena(m);
  const [n, , , c] = xShape as [number, number, number, number];
  const cb = blocks(c);
  const xb = packInput(m, arena, x, xShape, p);
  const dyb = packInput(m, arena, dy, [n, g.outH, g.outW, c], asIs(g.outH, g.outW));
  const gb = arena.alloc(cb * g.kh * g.kw * 4);
  m.dw_filter_grad(xb, dyb, gb, n, cb, p.rows, p.cols, g.kh, g.kw, g.outH, g.outW, g.strides[0], g.strides[1], g.dilations[0], g.dilations[1]);
  const out = arena.alloc(g.kh * g.kw * c);
  m.unpack_kernel(gb, out, g.kh, g.kw, c, cb);
  return arena.read(out, g.kh * g.kw * c);
}

/**
 * Kernel gradient [KH, KW, C_in, C_out] of a dense convolution of `x` (NHWC, placed as `p`) whose output
 * gradient is `dy` [N, outH, outW, C_out].
 */
export function simdConvFilterGrad(x: Float32Array, xShape: number[], p: Placement, dy: Float32Array, cout: number,
  g: DepthwiseGeometry): Float32Array {
  const m = module();
  const arena = new Arena(m);
  const [n, , , cin] = xShape as [number, number, number, number];
  const xb = packInput(m, arena, x, xShape, p);
  // The kernel takes output channels eight at a time: an odd block count gets a block of zeros.
  const cob = blocks(cout) + (blocks(cout) % 2);
  const dyb = packInput(m, arena, dy, [n, g.outH, g.outW, cout], asIs(g.outH, g.outW), cob);
  const cip = blocks(cin) * 4;
  const cop = cob * 4;
  const gb = arena.alloc(g.kh * g.kw * cip * cop);
  m.conv_filter_grad(xb, dyb, gb, n, blocks(cin), cob, p.rows, p.cols, g.kh, g.kw, g.outH, g.outW,
    g.strides[0], g.strides[1], g.dilations[0], g.dilations[1]);
  const padded = arena.read(gb, g.kh * g.kw * cip * cop);
  if (cip === cin && cop === cout) return padded;
  const out = new Float32Array(g.kh * g.kw * cin * cout);
  for (let row = 0; row < g.kh * g.kw * cin; row++) {
    const tap = Math.floor(row / cin);
    const from = (tap * cip + (row % cin)) * cop;
    out.set(padded.subarray(from, from + cout), row * cout);
  }
  return out;
}
