// Registers the training kernels the wasm backend lacks (and replaces its slow reference Conv2DBackpropInput).
// Each kernel works on TensorInfos through the backend's own kernels: no engine tensors, so no leaks.
import {
  registerKernel, unregisterKernel, getKernel, type KernelConfig, type KernelFunc, type NamedAttrMap,
  type TensorInfo, type backend_util,
} from '@tensorflow/tfjs-core';
import type {WasmBackend} from './backend-ops.js';
import {
  conv2dBackpropFilter, conv2dBackpropInput, depthwiseBackpropFilter, depthwiseBackpropInput, toPair,
} from './conv-gradients.js';

type Shape4 = [number, number, number, number];
type PadAttr = 'valid' | 'same' | number | backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

interface ConvAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
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

function kernel(kernelName: string, fn: (inputs: Record<string, TensorInfo>, backend: WasmBackend, attrs: ConvAttrs) => TensorInfo): KernelConfig {
  const kernelFunc: KernelFunc = ({inputs, backend, attrs}) =>
    fn(inputs as Record<string, TensorInfo>, backend as WasmBackend, attrsOf(attrs ?? {}));
  return {kernelName, backendName: 'wasm', kernelFunc};
}

/** The kernels registered for `wasm`, by name. */
export const wasmTrainingKernels: readonly KernelConfig[] = [
  kernel('Conv2DBackpropFilter', ({x, dy}, backend, a) => {
    requireNhwc(a, 'Conv2DBackpropFilter');
    return conv2dBackpropFilter(backend, x!, dy!, a.filterShape!, toPair(a.strides), a.pad, a.dimRoundingMode);
  }),
  kernel('Conv2DBackpropInput', ({dy, filter}, backend, a) => {
    requireNhwc(a, 'Conv2DBackpropInput');
    return conv2dBackpropInput(backend, dy!, filter!, a.inputShape!, toPair(a.strides), a.pad, a.dimRoundingMode);
  }),
  kernel('DepthwiseConv2dNativeBackpropFilter', ({x, dy}, backend, a) =>
    depthwiseBackpropFilter(backend, x!, dy!, a.filterShape!, toPair(a.strides), toPair(a.dilations), a.pad, a.dimRoundingMode)),
  kernel('DepthwiseConv2dNativeBackpropInput', ({dy, filter}, backend, a) =>
    depthwiseBackpropInput(backend, dy!, filter!, a.inputShape!, toPair(a.strides), toPair(a.dilations), a.pad, a.dimRoundingMode)),
];

/**
 * Registers every kernel of `wasmTrainingKernels`, replacing what the wasm backend had under that name.
 * Idempotent. Call before the backend is first used or after: these kernels need no setup.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of wasmTrainingKernels) {
    if (getKernel(config.kernelName, 'wasm') === config) continue;
    if (getKernel(config.kernelName, 'wasm') !== undefined) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
  }
}
