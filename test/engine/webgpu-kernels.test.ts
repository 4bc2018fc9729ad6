// Every kernel our models dispatch has a webgpu implementation. TF.js has no fallback: a kernel the active backend
// lacks fails the step ("Cannot find registered kernel"), deep inside a run. This file records, on the `cpu`
// backend, the kernels that one training step (forward, loss, our backward pass, the optimiser) and the inference
// forms (fused, as `models profile` runs it, and the form evaluation runs) of every family dispatch, and looks each
// one up in the kernel registry under 'webgpu'. It needs no adapter: importing tfjs-backend-webgpu registers its
// kernels whether or not `navigator.gpu` exists (only the backend itself waits for it), which the first test checks.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import {activateBackend} from '../../src/engine/backends.js';
import {inferenceForm} from '../../src/models/inference-graph.js';
import {buildModel, familyOf, MODEL_NAMES, outputsOf, type ModelName} from '../../src/models/registry.js';
import {defaultTrainConfig} from '../../src/runs/config.js';
import {stepRunner, trainableOf} from '../../src/training/step.js';

/**
 * Tiny configs of each family: the defaults (every part on) at the smallest width, and one that flips the other
 * choices (pooling, up-sampling, attention order and pools, gates, combine modes, supervision, inference head), so
 * that every kernel a config can reach is dispatched by one of them. EMCAD has no width knob: PVTv2-b0.
 */
const TINY: Record<ModelName, Record<string, unknown>[]> = {
  'ms-lkseg': [
    {baseWidth: 4},
    {baseWidth: 4, blocksPerLevel: 1, attentionOrder: 'parallel', downsample: 'avgpool', upsample: 'nearest', dyconv: {enabled: false},
      mie: {gate: 'hard-sigmoid', shareHW: false}, midm: {pool: 'max', window: null, heads: 2}, ld: {smallKernel: null, largeKernel: [13, 11, 9, 7]}},
  ],
  unet: [{baseWidth: 4}, {baseWidth: 4, blocksPerLevel: 1, downsample: 'avgpool', upsample: 'nearest'}],
  'attention-unet': [{baseWidth: 4}, {baseWidth: 4, downsample: 'avgpool', upsample: 'nearest'}],
  unetpp: [{baseWidth: 4}, {baseWidth: 4, downsample: 'avgpool', upsample: 'nearest'}],
  'lk-unet': [{baseWidth: 4}, {baseWidth: 4, kernels: 9, downsample: 'avgpool', upsample: 'nearest'}],
  emcad: [
    {encoder: 'b0'},
    {encoder: 'b0', mscbKernels: [3, 5], expansion: 1, dwParallel: false, mscbCombine: 'concat', activation: 'relu6', cab: false, lgagKernel: 1,
      dropPath: 0, supervision: 'deep', inferenceHead: 'sum'},
  ],
};

const SIZE = 32;
const BATCH = 2;
/** Kernels whose absence on webgpu the registry lookup must report (none of our models uses them). */
const NOT_ON_WEBGPU = ['Unique', 'BitwiseAnd', 'StringSplit'];

let webgpuKernelsBefore = -1;
let navigatorGpu: unknown = 'unset';

/** Wraps every registered cpu kernel so that it adds its name to `seen`; `restore` puts the originals back. */
function recordCpuKernels(): {seen: Set<string>; restore: () => void} {
  const seen = new Set<string>();
  const originals = tf.getKernelsForBackend('cpu');
  for (const k of originals) {
    tf.unregisterKernel(k.kernelName, 'cpu');
    tf.registerKernel({...k, kernelFunc: (args) => {
      seen.add(k.kernelName);
      return k.kernelFunc(args);
    }});
  }
  return {
    seen,
    restore: () => {
      for (const k of originals) {
        tf.unregisterKernel(k.kernelName, 'cpu');
        tf.registerKernel(k);
      }
    },
  };
}

let recorder: ReturnType<typeof recordCpuKernels>;

test.before(async () => {
  await activateBackend('cpu');
  navigatorGpu = (globalThis as {navigator?: {gpu?: unknown}}).navigator?.gpu;
  webgpuKernelsBefore = tf.getKernelsForBackend('webgpu').length;
  await import('@tensorflow/tfjs-backend-webgpu');
  recorder = recordCpuKernels();
});

test.after.always(() => recorder?.restore());

test.serial('importing tfjs-backend-webgpu without navigator.gpu registers its kernels, not the backend', (t) => {
  t.is(navigatorGpu, undefined, 'this process has no navigator.gpu');
  t.is(webgpuKernelsBefore, 0, 'no webgpu kernel before the import');
  const kernels = tf.getKernelsForBackend('webgpu').map((k) => k.kernelName);
  t.true(kernels.length > 100, `${kernels.length} webgpu kernels`);
  for (const name of ['Conv2D', 'Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'FusedConv2D', 'BatchMatMul']) {
    t.truthy(tf.getKernel(name, 'webgpu'), name);
  }
  t.is(tf.findBackendFactory('webgpu') as unknown, null, 'the backend waits for navigator.gpu');
  // The lookup can fail: kernels that cpu has and webgpu lacks are reported as missing.
  for (const name of NOT_ON_WEBGPU) {
    t.truthy(tf.getKernel(name, 'cpu'), name);
    t.is(tf.getKernel(name, 'webgpu') as tf.KernelConfig | undefined, undefined, name);
  }
});

test.serial('the recorder sees the kernels a computation dispatches, and only those', (t) => {
  recorder.seen.clear();
  const y = tf.tidy(() => tf.relu(tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, tf.ones([3, 3, 1, 2]) as tf.Tensor4D, 1, 'same')));
  y.dispose();
  t.true(recorder.seen.has('Conv2D'));
  t.true(recorder.seen.has('Relu'));
  t.false(recorder.seen.has('Conv2DBackpropFilter'));
});

test.serial('every family has tiny configs here', (t) => {
  t.deepEqual(Object.keys(TINY).sort(), [...MODEL_NAMES].sort());
});

/** The kernels one training step and the inference forms of `raw` dispatch on cpu. */
async function kernelsOf(raw: Record<string, unknown>, seed: number): Promise<{training: string[]; inference: string[]}> {
  const {model, config} = buildModel(raw, {seed});
  const outputs = outputsOf(config);
  const train = defaultTrainConfig();
  const x = tf.randomUniform([BATCH, SIZE, SIZE, 3], 0, 1, 'float32', seed) as tf.Tensor4D;
  const y = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([BATCH, SIZE, SIZE, 1], 0, 1, 'float32', seed + 1), 0.5), 'float32')) as tf.Tensor4D;
  const runner = stepRunner(trainableOf(model, outputs), {optimizer: train.optimizer, loss: train.loss});
  const forms: tf.LayersModel[] = [];
  try {
    recorder.seen.clear();
    familyOf(config).beforeTrainingStep?.(model, 0);
    await runner.step(x, y);
    const training = [...recorder.seen].sort();
    recorder.seen.clear();
    // The fused form (profile's latency, export) and the form evaluation and prediction run (EMCAD: unfused).
    for (const fuse of new Set([true, familyOf(config).fusesForInference(config)])) {
      const form = inferenceForm(model, {fuse, outputs});
      if (form !== model) forms.push(form);
      const p = form.predict(x) as tf.Tensor;
      await p.data();
      p.dispose();
    }
    return {training, inference: [...recorder.seen].sort()};
  } finally {
    runner.dispose();
    for (const form of forms) form.dispose();
    tf.dispose([x, y]);
    model.dispose();
  }
}

for (const name of MODEL_NAMES) {
  test.serial(`${name}: every kernel of a training step and of inference on cpu is registered for webgpu`, async (t) => {
    const configs = TINY[name] ?? [];
    t.true(configs.length > 0);
    for (const [i, extra] of configs.entries()) {
      const raw = {model: name, ...extra};
      const {training, inference} = await kernelsOf(raw, 7 + i);
      // The step really ran forward, backward and the optimiser: the kernel gradient of a dense convolution.
      t.true(training.includes('Conv2DBackpropFilter'), `${JSON.stringify(raw)} training: ${training.join(' ')}`);
      t.true(inference.length > 0 && !inference.includes('Conv2DBackpropFilter'), `${JSON.stringify(raw)} inference: ${inference.join(' ')}`);
      const missing = [...new Set([...training, ...inference])].filter((k) => tf.getKernel(k, 'webgpu') === undefined);
      t.deepEqual(missing, [], `${JSON.stringify(raw)} dispatches kernels that webgpu lacks`);
      t.log(`${JSON.stringify(raw)}: ${training.length} kernels in a training step, ${inference.length} in inference`);
    }
  });
}
