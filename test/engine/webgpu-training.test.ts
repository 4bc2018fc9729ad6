// Training on the webgpu backend, on the adapter test/helpers/webgpu.ts finds (SwiftShader in CI: the shaders a GPU
// runs, on the CPU, slowly). Per family, one training step's loss and gradients match the reference `cpu` backend's
// for the same weights and batch; a step leaks no tensor and no GPU memory once the optimiser's slots exist; and the
// same seed twice gives bit-identical weights. Sizes are tiny: SwiftShader takes seconds per step, and the first
// step of a model compiles its shaders.
import {testAdapter, webgpuTest} from '../helpers/webgpu.js';
import * as tf from '@tensorflow/tfjs';
import {selectBackend} from '../../src/engine/backends.js';
import {variableGradsReleasing} from '../../src/engine/gradients.js';
import {SeededRandom} from '../../src/io/random.js';
import {ChannelAttention} from '../../src/models/layers/channel-attention.js';
import {SpatialAttention} from '../../src/models/layers/spatial-attention.js';
import {buildModel, familyOf, MODEL_NAMES, outputsOf, type ModelName} from '../../src/models/registry.js';
import {defaultTrainConfig} from '../../src/runs/config.js';
import {trainingLoss} from '../../src/training/head-aggregation.js';
import {stepRunner, trainableOf} from '../../src/training/step.js';

const TRAIN = defaultTrainConfig();
const SEED = 22;

interface Case {
  config: Record<string, unknown>;
  size: number;
  batch: number;
}

/**
 * The tiny config of each family for the gradient comparison, with every kind of layer of the family but CAB. A gradient
 * comparison across backends is only as good as the model's conditioning: float32 rounding drifts through the forward
 * pass, and where a ReLU input or a max-pool's maximum sits within that drift of its kink, the two backends route a
 * pixel's gradient differently and gradients that are small by cancellation move by percents. The configs here are
 * those whose gradients on wasm (a second float32 implementation) agree with cpu's within 5e-4 for each of 4 to 9
 * seeds; they exclude two cases where the `cpu` reference itself is no reference at these sizes:
 * - LK-UNet at its default depths [1, 1, 1, 3, 1]: the forward drift grows to 4e-4 through the CMUNeXt blocks (batch
 *   norms after GELU), and wasm differs from cpu by 1e-2 to 2.6e-1 at 32 and 64 px for most seeds; one CMUNeXt block
 *   keeps the comparison within 1e-4 (large depthwise kernels are MS-LKSeg's, 21x21 in its LD blocks).
 * - EMCAD's CAB (CBAM's channel attention: the max of each channel over the whole map) at 32 px: a near-tie moves
 *   a channel's gradient to another pixel, and wasm differs from cpu by 4e-2 for 1 of 4 seeds (without CAB, within
 *   1.3e-4 for each). CAB is compared alone below, where no drift reaches it.
 * 32 px, the smallest size at which no batch norm of the U-Net skeleton normalises a 1x1 map. EMCAD has no width
 * knob: PVTv2-b0 with one 3x3 MSCB branch and no expansion; its deepest stage is 1x1 at 32 px (the smallest size it
 * takes), so it gets 4 images per batch.
 */
const CASES: Record<ModelName, Case> = {
  'ms-lkseg': {config: {model: 'ms-lkseg', baseWidth: 4, blocksPerLevel: 1}, size: 32, batch: 2},
  unet: {config: {model: 'unet', baseWidth: 4}, size: 32, batch: 2},
  'attention-unet': {config: {model: 'attention-unet', baseWidth: 4}, size: 32, batch: 2},
  unetpp: {config: {model: 'unetpp', baseWidth: 4}, size: 32, batch: 2},
  'lk-unet': {config: {model: 'lk-unet', baseWidth: 4, depths: [1, 0, 0, 0, 0]}, size: 32, batch: 2},
  emcad: {config: {model: 'emcad', encoder: 'b0', mscbKernels: [3], expansion: 1, cab: false}, size: 32, batch: 4},
};

/** Tolerance of the gradients and the loss, relative (as src/engine/self-check.ts measures, see gradientErrors). */
const TOLERANCE = 1e-3;

let webgpuReady: Promise<unknown> | undefined;

/** Makes webgpu the active backend: selectBackend (with its self-check) the first time, then tf.setBackend. */
async function useWebGpu(): Promise<void> {
  if (webgpuReady === undefined) {
    webgpuReady = selectBackend('webgpu');
    await webgpuReady;
  } else {
    await webgpuReady;
    await tf.setBackend('webgpu');
  }
}

type Backend = 'cpu' | 'webgpu' | 'wasm';

async function useBackend(name: Backend): Promise<void> {
  if (name === 'webgpu') await useWebGpu();
  else if (name === 'wasm') await selectBackend('wasm');
  else await tf.setBackend('cpu');
  if (tf.getBackend() !== name) throw new Error(`backend ${tf.getBackend()} is active, expected ${name}`);
}

/** A batch of images in [0, 1] and binary masks, the same values on every backend. */
function batchOf(batch: number, size: number, seed: number): {x: tf.Tensor4D; y: tf.Tensor4D} {
  const rng = SeededRandom.stream('webgpu-training', seed);
  const x = Float32Array.from({length: batch * size * size * 3}, () => rng.float());
  const y = Float32Array.from({length: batch * size * size}, (_, i) => (Math.sin(i / 7) + rng.range(-0.5, 0.5) > 0 ? 1 : 0));
  return {x: tf.tensor4d(x, [batch, size, size, 3]), y: tf.tensor4d(y, [batch, size, size, 1])};
}

async function read(tensors: readonly tf.Tensor[]): Promise<Float32Array[]> {
  return Promise.all(tensors.map(async (t) => (await t.data()) as Float32Array));
}

/** The hand-computed gradient of 2x nearest up-sampling (no corner alignment): each 2x2 block of dy summed. */
function nearestGradReference(dy: Float32Array, batch: number, h: number, w: number, depth: number): Float32Array {
  const dx = new Float32Array(batch * h * w * depth);
  for (let b = 0; b < batch; b++) for (let r = 0; r < 2 * h; r++) for (let c = 0; c < 2 * w; c++) for (let d = 0; d < depth; d++) {
    dx[((b * h + (r >> 1)) * w + (c >> 1)) * depth + d]! += dy[((b * 2 * h + r) * 2 * w + c) * depth + d]!;
  }
  return dx;
}

/** The active backend's gradient of 2x nearest up-sampling (EMCAD's EUCB, `upsample: nearest`) for `dy`. */
async function nearestGrad(dy: Float32Array, batch: number, h: number, w: number, depth: number): Promise<Float32Array> {
  const g = tf.tidy(() => {
    const upstream = tf.tensor4d(dy, [batch, 2 * h, 2 * w, depth]);
    return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [2 * h, 2 * w]), upstream)))(tf.zeros([batch, h, w, depth]));
  });
  try {
    return (await g.data()) as Float32Array;
  } finally {
    g.dispose();
  }
}

/**
 * Whether the `cpu` reference computes ResizeNearestNeighborGrad right for a batch of 2 (tfjs-backend-cpu 4.22's
 * kernel does not; src/engine/cpu-kernels.ts replaces it when backends.ts loads).
 */
async function cpuNearestGradIsRight(): Promise<boolean> {
  await useBackend('cpu');
  const dy = Float32Array.from({length: 2 * 4 * 4 * 2}, (_, i) => Math.sin(i));
  const got = await nearestGrad(dy, 2, 2, 2, 2);
  const want = nearestGradReference(dy, 2, 2, 2, 2);
  return got.every((v, i) => Math.abs(v - want[i]!) < 1e-6);
}

interface StepValues {
  /** Initial weights, in model.weights order. */
  weights: Float32Array[];
  loss: number;
  /** Names of the trainable variables, in order. */
  names: string[];
  /** Gradient of each trainable variable, null where the loss does not reach it. */
  grads: (Float32Array | null)[];
}

/** One training step's loss and gradients (as trainingStep computes them) of a model of `c` built on `backend`. */
async function stepValues(backend: Backend, c: Case): Promise<StepValues> {
  await useBackend(backend);
  const {model, config} = buildModel(c.config, {seed: SEED});
  const {x, y} = batchOf(c.batch, c.size, SEED);
  try {
    const weights = await read(model.weights.map((w) => w.read()));
    familyOf(config).beforeTrainingStep?.(model, 0);
    const trainable = trainableOf(model, outputsOf(config));
    const variables = [...trainable.variables];
    const {value, grads} = variableGradsReleasing(() => trainingLoss(TRAIN.loss, y, trainable.forward(x), trainable.headLoss), variables);
    try {
      const [loss] = await read([value]);
      const values = await Promise.all(variables.map(async (v) => (grads[v.name] ? (await grads[v.name]!.data()) as Float32Array : null)));
      return {weights, loss: loss![0]!, names: model.trainableWeights.map((w) => w.originalName), grads: values};
    } finally {
      tf.dispose([value, ...Object.values(grads)]);
    }
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
}

const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Per gradient, max |webgpu - cpu| relative to the gradient's largest magnitude on cpu, as the self-check measures,
 * but never relative to less than 5% of the median gradient's largest magnitude: the gradients that vanish in exact
 * arithmetic (a bias right before a batch or group norm, a scale right before another norm) are float32 rounding
 * noise, 1e-3 to 1e-9 of the median, on both backends, and no relative measure of noise means anything (the
 * self-check's floor, 1e-6 absolute, is there for the same reason).
 */
function gradientErrors(cpu: StepValues, gpu: StepValues): {errors: {name: string; error: number}[]; scales: number[]; floor: number} {
  const scales = cpu.grads.map((g) => (g === null ? 0 : maxAbs(g)));
  const floor = 5e-2 * median(scales.filter((s) => s > 0));
  const errors = cpu.grads.map((g, k) => {
    const other = gpu.grads[k];
    if (g === null || other === null || other === undefined) return {name: cpu.names[k]!, error: g === other ? 0 : Infinity};
    let worst = 0;
    for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(other[i]! - g[i]!));
    const error = worst / Math.max(scales[k]!, floor);
    return {name: cpu.names[k]!, error: Number.isNaN(error) ? Infinity : error};
  });
  return {errors, scales, floor};
}

const sameBits = (a: readonly Float32Array[], b: readonly Float32Array[]) => a.length === b.length
  && a.every((x, k) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(b[k]!.buffer, b[k]!.byteOffset, b[k]!.byteLength)));

webgpuTest('ResizeNearestNeighborGrad on webgpu sums each 2x2 block of dy into its source pixel, for every image of a batch of 3', async (t) => {
  t.log(`adapter: ${testAdapter?.description} (${testAdapter?.vendor} ${testAdapter?.architecture})`);
  await useBackend('webgpu');
  const dy = Float32Array.from({length: 3 * 6 * 4 * 5}, (_, i) => Math.sin(i * 0.37) + (i % 11) * 0.1);
  const got = await nearestGrad(dy, 3, 3, 2, 5);
  const want = nearestGradReference(dy, 3, 3, 2, 5);
  t.is(got.length, want.length);
  const worst = got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i]!)), 0);
  t.true(worst < 1e-5, `max error ${worst}`);
  t.true(maxAbs(want) > 1);
  t.true(await cpuNearestGradIsRight(), 'the cpu reference\'s ResizeNearestNeighborGrad (src/engine/cpu-kernels.ts) is right for a batch of 2');
});

/** The output, input gradient and weight gradients of one layer on [2, 8, 8, 32] on the active backend. */
async function layerValues(backend: Backend, make: () => tf.layers.Layer): Promise<Float32Array[]> {
  await useBackend(backend);
  const rng = SeededRandom.stream('webgpu-layer', SEED);
  const shape: [number, number, number, number] = [2, 8, 8, 32];
  const initial = tf.tensor4d(Float32Array.from({length: 2 * 8 * 8 * 32}, () => rng.normal(0, 1)), shape);
  const upstream = tf.tensor4d(Float32Array.from({length: 2 * 8 * 8 * 32}, () => rng.normal(0, 1)), shape);
  const x = tf.variable(initial);
  const layer = make();
  try {
    tf.dispose(layer.apply(x) as tf.Tensor);
    const variables = [x, ...layer.trainableWeights.map((w) => w.read() as tf.Variable)];
    const y = layer.apply(x) as tf.Tensor;
    const {value, grads} = variableGradsReleasing(() => tf.sum(tf.mul(layer.apply(x, {training: true}) as tf.Tensor, upstream)), variables);
    try {
      return await read([y, value, ...variables.map((v) => grads[v.name]!)]);
    } finally {
      tf.dispose([y, value, ...Object.values(grads)]);
    }
  } finally {
    layer.dispose();
    tf.dispose([initial, upstream, x]);
  }
}

webgpuTest('EMCAD\'s CAB and SAB (mean and max over the map, over the channels) alone: output and gradients on webgpu match cpu within 1e-3', async (t) => {
  const layers: [string, () => tf.layers.Layer][] = [
    ['CAB', () => new ChannelAttention({seed: SEED})],
    ['SAB', () => new SpatialAttention({kernelSize: 7, seed: SEED})],
  ];
  for (const [name, make] of layers) {
    const cpu = await layerValues('cpu', make);
    const gpu = await layerValues('webgpu', make);
    t.is(gpu.length, cpu.length);
    // Output, loss, gradient of the input, of each weight: each one relative to its own largest magnitude.
    const errors = cpu.map((ref, k) => {
      const scale = maxAbs(ref);
      return scale > 0 ? ref.reduce((m, v, i) => Math.max(m, Math.abs(v - gpu[k]![i]!)), 0) / scale : Infinity;
    });
    t.true(errors.every((e) => e < TOLERANCE), `${name}: relative errors ${errors.map((e) => e.toExponential(1)).join(', ')}`);
  }
});

for (const name of MODEL_NAMES) {
  const c = CASES[name];
  webgpuTest(`${name}: one training step's loss and gradients on webgpu match cpu's within ${TOLERANCE} (same seed, same batch, ${c.size} px, batch ${c.batch})`, async (t) => {
    const cpu = await stepValues('cpu', c);
    const gpu = await stepValues('webgpu', c);
    // Model building draws every initial weight in JavaScript from the seed: the same bits on both backends.
    t.true(cpu.weights.length > 0 && sameBits(cpu.weights, gpu.weights), 'the initial weights differ between the backends');
    t.deepEqual(gpu.names, cpu.names);
    t.true(Number.isFinite(cpu.loss) && cpu.loss > 0, `cpu loss ${cpu.loss}`);
    const lossError = Math.abs(gpu.loss - cpu.loss) / Math.abs(cpu.loss);
    t.true(lossError < TOLERANCE, `loss ${gpu.loss} on webgpu, ${cpu.loss} on cpu`);
    const {errors, scales, floor} = gradientErrors(cpu, gpu);
    // Not a comparison of zeros: most gradients carry signal above the noise floor.
    const carrying = scales.filter((s) => s >= floor).length;
    t.true(floor > 0 && carrying >= 0.75 * scales.length, `${carrying} of ${scales.length} gradients reach 5% of the median magnitude`);
    const worst = [...errors].sort((a, b) => b.error - a.error);
    const describe = (list: typeof worst) => list.slice(0, 5).map((e) => `${e.name} ${e.error.toExponential(2)}`).join(', ');
    let control = '';
    if (!(worst[0]!.error < TOLERANCE)) {
      // Is the comparison itself ill-conditioned? wasm, another float32 implementation, against the same reference.
      const wasm = [...gradientErrors(cpu, await stepValues('wasm', c)).errors].sort((a, b) => b.error - a.error);
      control = `; wasm against cpu: ${describe(wasm)}${wasm[0]!.error < TOLERANCE ? '' : ' (the comparison is ill-conditioned: float32 rounding flips ReLU or max kinks)'}`;
    }
    t.true(worst[0]!.error < TOLERANCE, `worst relative gradient errors on webgpu: ${describe(worst)}${control}`);
    t.log(`loss ${cpu.loss.toFixed(5)} (relative error ${lossError.toExponential(1)}); ${scales.length} gradients, worst relative error ${worst[0]!.error.toExponential(2)} (${worst[0]!.name})`);
  });
}

/** The tiny MS-LKSeg the step tests train: every part on, one MIS block per level. */
const STEP_CASE = CASES['ms-lkseg'];

async function readWeights(model: tf.LayersModel): Promise<Float32Array[]> {
  return read(model.weights.map((w) => w.read()));
}

webgpuTest('a training step on webgpu leaks no tensor after the first, and the GPU memory in use does not grow from step 2 to step 3', async (t) => {
  await useBackend('webgpu');
  const {model, config} = buildModel(STEP_CASE.config, {seed: SEED});
  const {x, y} = batchOf(STEP_CASE.batch, STEP_CASE.size, SEED);
  const trainable = trainableOf(model, outputsOf(config));
  const runner = stepRunner(trainable, {optimizer: TRAIN.optimizer, loss: TRAIN.loss});
  try {
    const before = tf.memory();
    const after: {tensors: number; buffers: number; gpuBytes: number; loss: number}[] = [];
    for (let step = 0; step < 3; step++) {
      const loss = await runner.step(x, y);
      const m = tf.memory() as ReturnType<typeof tf.memory> & {numBytesInGPU?: number};
      after.push({tensors: m.numTensors, buffers: m.numDataBuffers, gpuBytes: m.numBytesInGPU ?? NaN, loss});
    }
    t.log(after.map((a, i) => `after step ${i + 1}: ${a.tensors} tensors, ${a.gpuBytes} bytes in GPU buffers, loss ${a.loss.toFixed(5)}`).join('; '));
    t.true(after.every((a) => Number.isFinite(a.loss)));
    // The first step creates the optimiser's slots (Adam: m and v per variable), and nothing else stays.
    const slots = after[0]!.tensors - before.numTensors;
    t.true(slots > 0 && slots <= 2 * trainable.variables.length, `the first step left ${slots} tensors for ${trainable.variables.length} variables`);
    t.is(after[1]!.tensors, after[0]!.tensors, 'step 2 leaked tensors');
    t.is(after[2]!.tensors, after[0]!.tensors, 'step 3 leaked tensors');
    t.is(after[2]!.buffers, after[0]!.buffers, 'data buffers leaked');
    t.true(after[1]!.gpuBytes > 0, 'tf.memory().numBytesInGPU is reported on webgpu');
    t.true(after[2]!.gpuBytes <= after[1]!.gpuBytes, `GPU memory in use grew from ${after[1]!.gpuBytes} to ${after[2]!.gpuBytes} bytes`);
  } finally {
    runner.dispose();
    tf.dispose([x, y]);
    model.dispose();
  }
});

/** The weights of a model of STEP_CASE built from `seed` after two training steps on the active backend. */
async function weightsAfterTwoSteps(seed: number): Promise<{initial: Float32Array[]; trained: Float32Array[]}> {
  const {model, config} = buildModel(STEP_CASE.config, {seed});
  const {x, y} = batchOf(STEP_CASE.batch, STEP_CASE.size, seed);
  const runner = stepRunner(trainableOf(model, outputsOf(config)), {optimizer: {...TRAIN.optimizer, lr: 1e-2}, loss: TRAIN.loss});
  try {
    const initial = await readWeights(model);
    await runner.step(x, y);
    await runner.step(x, y);
    return {initial, trained: await readWeights(model)};
  } finally {
    runner.dispose();
    tf.dispose([x, y]);
    model.dispose();
  }
}

webgpuTest('determinism: the same seed twice on the same adapter gives bit-identical weights after two training steps (ms-lkseg)', async (t) => {
  await useBackend('webgpu');
  const first = await weightsAfterTwoSteps(SEED);
  const second = await weightsAfterTwoSteps(SEED);
  t.true(sameBits(first.initial, second.initial), 'the initial weights differ');
  t.false(sameBits(first.initial, first.trained), 'two steps left the weights as they were');
  const changed = first.trained.filter((w, k) => !sameBits([w], [first.initial[k]!])).length;
  t.true(changed > first.trained.length / 2, `only ${changed} of ${first.trained.length} weights changed`);
  const differing = first.trained.map((w, k) => (sameBits([w], [second.trained[k]!]) ? -1 : k)).filter((k) => k >= 0);
  t.deepEqual(differing, [], 'weights (by index) that differ between the two runs');
});
