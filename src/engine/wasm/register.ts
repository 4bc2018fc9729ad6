// Registers the training kernels the wasm backend lacks, and replaces slow, wasteful or wrong ones: its
// reference-loop Conv2DBackpropInput and Tile, its copying Identity and Slice, its depthwise convolution for
// kernels larger than 3x3 (XNNPACK's generic path),
// and the 'same' padding of its forward convolutions (see explicitSame). Where the oneDNN addon is active
// (src/engine/native/dnnl.ts), convolutions and their gradients, pooling gradients, batch norm, sums, concat and split
// run on it, on every core.
// Each kernel works on TensorInfos at the backend level: no engine tensors, so no leaks.
import {
  registerKernel, unregisterKernel, getKernel, type KernelConfig, type KernelFunc, type NamedAttrMap,
  type TensorInfo, backend_util,
} from '@tensorflow/tfjs-core';
import type {WasmBackend} from './backend-ops.js';
import {conv2dBackpropInput, toPair} from './conv-gradients.js';
import {sliceFromHeap} from './slice.js';
import {nativePoolGrad, type PoolGradAttrs} from './pool-gradients.js';
import {nativeReduce} from './reduce.js';
import {nativeBatchNorm, type BatchNormInputs} from './batch-norm.js';
import {nativeConcat} from './concat.js';
import {nativeSplitV} from './split.js';
import {batchNormTrainingKernels} from './batch-norm-training.js';
import {tileByBlocks} from './tile.js';
import {dnnlConv2d, dnnlConv2dBackpropFilter, dnnlConv2dBackpropInput, dnnlDepthwiseBackpropFilter, dnnlDepthwiseBackpropInput, dnnlDepthwiseConv2d} from './dnnl-conv.js';
import {simdConv2dBackpropFilter, simdDepthwiseBackpropFilter, simdDepthwiseBackpropInput, simdDepthwiseForward} from './depthwise-kernels.js';

type Shape4 = [number, number, number, number];
type PadAttr = 'valid' | 'same' | number | backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

interface ConvAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number] | null;
  pad: PadAttr;
  dimRoundingMode?: Rounding;
  dataFormat?: 'NHWC' | 'NCHW';
  filterShape?: Shape4;
  inputShape?: Shape4;
}

function attrsOf(a: NamedAttrMap): ConvAttrs {
  return a as unknown as ConvAttrs;
}

function requireNhwc(attrs: ConvAttrs, kernel: string): void {
  if (attrs.dataFormat === 'NCHW') throw new Error(`${kernel} on wasm supports NHWC only`);
}

type Impl = (inputs: Record<string, TensorInfo>, backend: WasmBackend, attrs: ConvAttrs) => TensorInfo;

function kernel(kernelName: string, fn: Impl, setupFunc?: KernelConfig['setupFunc']): KernelConfig {
  const kernelFunc: KernelFunc = ({inputs, backend, attrs}) =>
    fn(inputs as Record<string, TensorInfo>, backend as WasmBackend, attrsOf(attrs ?? {}));
  return {kernelName, backendName: 'wasm', kernelFunc, ...(setupFunc ? {setupFunc} : {})};
}

/** Below this many taps XNNPACK's specialised depthwise kernels beat ours (3x3: 1.7 ms vs 3.3 ms). */
const SIMD_DEPTHWISE_MIN_TAPS = 13;

/** The wasm backend's own kernels, captured once before they are replaced. */
const builtinDepthwise = getKernel('DepthwiseConv2dNative', 'wasm');
const builtinSlice = getKernel('Slice', 'wasm');

/**
 * A kernel that runs `fast` where it applies (it returns null elsewhere) and the built-in kernel otherwise; the
 * built-in kernel's setup still runs when the backend initialises.
 */
function withFastPath(kernelName: string, fast: (inputs: Record<string, TensorInfo>, backend: WasmBackend, attrs: NamedAttrMap) => TensorInfo | TensorInfo[] | null): KernelConfig {
  const builtin = getKernel(kernelName, 'wasm');
  if (builtin === undefined) throw new Error(`tfjs-backend-wasm registered no ${kernelName} kernel`);
  const kernelFunc: KernelFunc = ({inputs, backend, attrs}) =>
    fast(inputs as Record<string, TensorInfo>, backend as WasmBackend, attrs ?? {})
      ?? builtin.kernelFunc({inputs, backend, attrs: attrs ?? {}});
  return {kernelName, backendName: 'wasm', kernelFunc, ...(builtin.setupFunc ? {setupFunc: builtin.setupFunc} : {})};
}

function reduceKernel(kernelName: 'Sum' | 'Mean'): KernelConfig {
  return withFastPath(kernelName, ({x}, backend, attrs) => {
    const {axis, keepDims} = attrs as unknown as {axis: number | number[]; keepDims?: boolean};
    return nativeReduce(backend, x!, axis, keepDims ?? false, kernelName === 'Mean');
  });
}

/**
 * The built-in forward convolutions hand 'same' padding to XNNPACK as a flag, which yields zeros when the kernel
 * is taller than a one-pixel input at stride 2 (x [1,1,4,1], kernel [2,1], stride 2: [0,0] instead of [1,3]).
 * Explicit padding, computed as TF.js defines 'same', is right in every case.
 */
function explicitSame(inputs: Record<string, TensorInfo>, a: ConvAttrs, depthwise: boolean): NamedAttrMap {
  if (a.pad !== 'same') return a as unknown as NamedAttrMap;
  const info = backend_util.computeConv2DInfo(inputs['x']!.shape as Shape4, inputs['filter']!.shape as Shape4,
    a.strides, a.dilations ?? 1, 'same', a.dimRoundingMode, depthwise);
  const {top, bottom, left, right} = info.padInfo;
  return {...a, pad: [[0, 0], [top, bottom], [left, right], [0, 0]]} as unknown as NamedAttrMap;
}

/** A built-in forward convolution with 'same' padding made explicit. */
function withExplicitSame(kernelName: string, depthwise: boolean): KernelConfig {
  const builtin = getKernel(kernelName, 'wasm');
  if (builtin === undefined) throw new Error(`tfjs-backend-wasm registered no ${kernelName} kernel`);
  return kernel(kernelName, (inputs, backend, a) =>
    builtin.kernelFunc({inputs, backend, attrs: explicitSame(inputs, a, depthwise)}) as TensorInfo, builtin.setupFunc);
}

interface FusedAttrs {
  activation?: string;
}

/**
 * Conv2D, FusedConv2D or FusedDepthwiseConv2D: on oneDNN when it is active and the fusion is one it does (bias,
 * ReLU or none; NHWC), otherwise the built-in kernel with explicit 'same' padding.
 */
function fusedForward(kernelName: 'Conv2D' | 'FusedConv2D' | 'FusedDepthwiseConv2D'): KernelConfig {
  const depthwise = kernelName === 'FusedDepthwiseConv2D';
  const builtin = withExplicitSame(kernelName, depthwise);
  const native = depthwise ? dnnlDepthwiseConv2d : dnnlConv2d;
  return kernel(kernelName, (inputs, backend, a) => {
    const activation = (a as FusedAttrs).activation ?? 'linear';
    const fusable = a.dataFormat !== 'NCHW' && inputs['preluActivationWeights'] === undefined
      && (activation === 'linear' || activation === 'relu');
    const y = fusable
      ? native(backend, inputs['x']!, inputs['filter']!, toPair(a.strides), toPair(a.dilations), a.pad,
        a.dimRoundingMode, inputs['bias'], activation === 'relu')
      : null;
    return y ?? builtin.kernelFunc({inputs, backend, attrs: a as unknown as NamedAttrMap}) as TensorInfo;
  }, builtin.setupFunc);
}

function depthwiseForward(): KernelConfig {
  if (builtinDepthwise === undefined) throw new Error('tfjs-backend-wasm registered no DepthwiseConv2dNative kernel');
  // The built-in kernel's setup (binding its wasm function) must still run when the backend initialises.
  return kernel('DepthwiseConv2dNative', (inputs, backend, a) => {
    const native = dnnlDepthwiseConv2d(backend, inputs['x']!, inputs['filter']!, toPair(a.strides), toPair(a.dilations), a.pad, a.dimRoundingMode);
    if (native !== null) return native;
    const [kh, kw, , multiplier] = inputs['filter']!.shape as Shape4;
    if (kh * kw < SIMD_DEPTHWISE_MIN_TAPS || multiplier !== 1) {
      return builtinDepthwise.kernelFunc({inputs, backend, attrs: explicitSame(inputs, a, true)}) as TensorInfo;
    }
    return simdDepthwiseForward(backend, inputs['x']!, inputs['filter']!, toPair(a.strides), toPair(a.dilations), a.pad, a.dimRoundingMode);
  }, builtinDepthwise.setupFunc);
}

/** The kernels registered for `wasm`, by name. */
export const wasmTrainingKernels: readonly KernelConfig[] = [
  kernel('Conv2DBackpropFilter', ({x, dy}, backend, a) => {
    requireNhwc(a, 'Conv2DBackpropFilter');
    return dnnlConv2dBackpropFilter(backend, x!, dy!, a.filterShape!, toPair(a.strides), [1, 1], a.pad, a.dimRoundingMode)
      ?? simdConv2dBackpropFilter(backend, x!, dy!, a.filterShape!, toPair(a.strides), [1, 1], a.pad, a.dimRoundingMode);
  }),
  kernel('Conv2DBackpropInput', ({dy, filter}, backend, a) => {
    requireNhwc(a, 'Conv2DBackpropInput');
    return dnnlConv2dBackpropInput(backend, dy!, filter!, a.inputShape!, toPair(a.strides), a.pad, a.dimRoundingMode)
      ?? conv2dBackpropInput(backend, dy!, filter!, a.inputShape!, toPair(a.strides), a.pad, a.dimRoundingMode);
  }),
  kernel('DepthwiseConv2dNativeBackpropFilter', ({x, dy}, backend, a) =>
    dnnlDepthwiseBackpropFilter(backend, x!, dy!, a.filterShape!, toPair(a.strides), toPair(a.dilations), a.pad, a.dimRoundingMode)
      ?? simdDepthwiseBackpropFilter(backend, x!, dy!, a.filterShape!, toPair(a.strides), toPair(a.dilations), a.pad, a.dimRoundingMode)),
  kernel('DepthwiseConv2dNativeBackpropInput', ({dy, filter}, backend, a) =>
    dnnlDepthwiseBackpropInput(backend, dy!, filter!, a.inputShape!, toPair(a.strides), toPair(a.dilations), a.pad, a.dimRoundingMode)
      ?? simdDepthwiseBackpropInput(backend, dy!, filter!, a.inputShape!, toPair(a.strides), toPair(a.dilations), a.pad, a.dimRoundingMode)),
  depthwiseForward(),
  kernel('Tile', ({x}, backend, a) => tileByBlocks(backend, x!, (a as unknown as {reps: number[]}).reps)),
  kernel('Slice', ({x}, backend, a) => {
    if (x!.dtype === 'string') return builtinSlice!.kernelFunc({inputs: {x: x!}, backend, attrs: a as unknown as NamedAttrMap}) as TensorInfo;
    const {begin, size} = a as unknown as {begin: number | number[]; size?: number | number[]};
    return sliceFromHeap(backend, x!, begin, size);
  }),
  // The engine saves every tensor a gradient needs through Identity, and the built-in one copies: training held
  // each saved activation twice. Sharing the buffer, as the cpu backend and wasm's own Reshape do, is safe because
  // no kernel writes into its inputs (a variable update replaces its buffer).
  kernel('Identity', ({x}, backend) => {
    backend.incRef(x!.dataId);
    return {dataId: x!.dataId, shape: x!.shape, dtype: x!.dtype};
  }),
  withFastPath('AvgPoolGrad', ({dy, input}, backend, attrs) => nativePoolGrad(backend, 'avg', dy!, input!, attrs as unknown as PoolGradAttrs)),
  withFastPath('MaxPoolGrad', ({dy, input}, backend, attrs) => nativePoolGrad(backend, 'max', dy!, input!, attrs as unknown as PoolGradAttrs)),
  withFastPath('FusedBatchNorm', (inputs, backend, attrs) =>
    nativeBatchNorm(backend, inputs as unknown as BatchNormInputs, (attrs as unknown as {varianceEpsilon: number}).varianceEpsilon)),
  withFastPath('Concat', (inputs, backend, attrs) =>
    nativeConcat(backend, Object.values(inputs), (attrs as unknown as {axis: number | number[]}).axis as number)),
  withFastPath('SplitV', ({x}, backend, attrs) => {
    const {numOrSizeSplits, axis} = attrs as unknown as {numOrSizeSplits: number | number[]; axis: number};
    return nativeSplitV(backend, x!, numOrSizeSplits, axis);
  }),
  ...batchNormTrainingKernels,
  reduceKernel('Sum'),
  reduceKernel('Mean'),
  fusedForward('Conv2D'),
  fusedForward('FusedConv2D'),
  fusedForward('FusedDepthwiseConv2D'),
];

/**
 * Registers every kernel of `wasmTrainingKernels`, replacing what the wasm backend had under that name.
 * Idempotent. Call it before the wasm backend initialises (activateBackend does), so that setup functions run.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of wasmTrainingKernels) {
    if (getKernel(config.kernelName, 'wasm') === config) continue;
    if (getKernel(config.kernelName, 'wasm') !== undefined) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
  }
}
