// Training-mode batch norm and its gradient on the native addon, as two kernels of the wasm backend. Composed from
// TF.js ops, one normalisation took about ten passes over the feature map on one thread (centre, square, scale,
// shift; then centre and scale again, the two products and the differences of the gradient): 16 ms forward and
// 39 ms backward of a 248 ms U-Net step at 128 px on 2 threads. The addon makes one pass for the statistics (in
// double, on one thread, so they do not depend on the thread count) and one for the map, split over the threads.
import * as tf from '@tensorflow/tfjs-core';
import type {KernelConfig, TensorInfo} from '@tensorflow/tfjs-core';
import type {WasmBackend} from './backend-ops.js';
import {dnnlAddon, nativeCalls} from '../native/dnnl.js';
import {heapF32, nativeIntoEach} from './native-output.js';

const FORWARD = 'MslkBatchNormTraining';
const GRADIENT = 'MslkBatchNormTrainingGrad';

/** What batchNormTrainingOnNative returns: the normalised map and the batch statistics ([C] each). */
export interface BatchNormTrainingResult {
  y: tf.Tensor;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/** What batchNormTrainingGradOnNative returns: the gradients of x ([..., C]), gamma and beta ([C]). */
export interface BatchNormTrainingGradient {
  dx: tf.Tensor;
  dgamma: tf.Tensor1D;
  dbeta: tf.Tensor1D;
}

/** Whether these kernels run here: the wasm backend active with the addon loaded, on float32 maps. */
function onNative(...tensors: tf.Tensor[]): boolean {
  return tf.getBackend() === 'wasm' && dnnlAddon() !== null && tensors.every((t) => t.dtype === 'float32') && tensors[0]!.rank >= 1;
}

/** A refusal inside a kernel is a bug of the caller (lengths checked here), so it throws rather than fall back. */
function refused(kernel: string): never {
  throw new Error(`${kernel}: the oneDNN addon refused (${nativeCalls.lastRefusal})`);
}

/**
 * Training-mode batch norm of x [..., C] over every axis but the last: y = (x - mean) / sqrt(variance + epsilon) *
 * gamma + beta with the batch's mean and biased variance; null when the native path does not run here (another
 * backend, the addon not loaded: the caller composes it from TF.js ops). New tensors, owned by the caller.
 */
export function batchNormTrainingOnNative(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): BatchNormTrainingResult | null {
  if (!onNative(x, gamma, beta)) return null;
  const [y, mean, variance] = tf.engine().runKernel(FORWARD, {x, gamma, beta}, {epsilon}) as tf.Tensor[];
  return {y: y!, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D};
}

/**
 * The gradient of batchNormTrainingOnNative for upstream dy [..., C], from its input x, the batch mean, invStd =
 * 1 / sqrt(variance + epsilon) and gamma ([C] each); null where the native path does not run. New tensors.
 */
export function batchNormTrainingGradOnNative(dy: tf.Tensor, x: tf.Tensor, mean: tf.Tensor1D, invStd: tf.Tensor1D, gamma: tf.Tensor1D): BatchNormTrainingGradient | null {
  if (!onNative(dy, x, mean, invStd, gamma)) return null;
  const [dx, dgamma, dbeta] = tf.engine().runKernel(GRADIENT, {dy, x, mean, invStd, gamma}, {}) as tf.Tensor[];
  return {dx: dx!, dgamma: dgamma as tf.Tensor1D, dbeta: dbeta as tf.Tensor1D};
}

/** The two kernels, for registerWasmTrainingKernels. */
export const batchNormTrainingKernels: KernelConfig[] = [
  {
    kernelName: FORWARD, backendName: 'wasm',
    kernelFunc: ({inputs, backend, attrs}) => {
      const {x, gamma, beta} = inputs as Record<string, TensorInfo>;
      const wasm = backend as WasmBackend;
      const channels = [gamma!.shape[0] ?? 1];
      return nativeIntoEach(wasm, [x!.shape, channels, channels], (addon, [y, mean, variance]) => addon.batchNormTraining(
        heapF32(wasm, x!), heapF32(wasm, gamma!), heapF32(wasm, beta!), heapF32(wasm, y!), heapF32(wasm, mean!), heapF32(wasm, variance!),
        (attrs as {epsilon: number}).epsilon)) ?? refused(FORWARD);
    },
  },
  {
    kernelName: GRADIENT, backendName: 'wasm',
    kernelFunc: ({inputs, backend}) => {
      const {dy, x, mean, invStd, gamma} = inputs as Record<string, TensorInfo>;
      const wasm = backend as WasmBackend;
      const channels = [gamma!.shape[0] ?? 1];
      return nativeIntoEach(wasm, [x!.shape, channels, channels], (addon, [dx, dgamma, dbeta]) => addon.batchNormTrainingGrad(
        heapF32(wasm, dy!), heapF32(wasm, x!), heapF32(wasm, mean!), heapF32(wasm, invStd!), heapF32(wasm, gamma!),
        heapF32(wasm, dx!), heapF32(wasm, dgamma!), heapF32(wasm, dbeta!))) ?? refused(GRADIENT);
    },
  },
];
