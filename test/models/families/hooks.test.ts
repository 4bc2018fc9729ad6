// The hooks every caller asks a model family instead of checking its name: whether to fuse for inference, the
// DyConv temperature at any point of training (one schedule, per step), and setting a built model to it.
import test from 'ava';
import fc from 'fast-check';
import {scheduledTemperature} from '../../../src/models/families/dyconv-temperature.js';
import {DyConv} from '../../../src/models/layers/dyconv.js';
import {applyTrainingProgress, buildModel, defaultModelConfig, familyOf, labelVariant, MODEL_NAMES, MODEL_REGISTRY, modelLabel, outputsOf, parseModelConfig, pretrainedFile, type ModelFamily} from '../../../src/models/registry.js';
import {progressAtCheckpoint} from '../../../src/training/checkpoint.js';
import {useWasm} from '../helpers.js';

test.before(useWasm);

const msLkSeg = (raw: object = {}) => parseModelConfig({model: 'ms-lkseg', ...raw});
const taus = (model: import('@tensorflow/tfjs').LayersModel) => model.layers.filter((l): l is DyConv => l instanceof DyConv).map((l) => l.temperature);

test('fuse for inference: ms-lkseg follows ld.fuseForInference, emcad has nothing to fuse, the others always fuse', (t) => {
  t.true(familyOf(msLkSeg()).fusesForInference(msLkSeg()));
  const unfused = msLkSeg({ld: {fuseForInference: false}});
  t.false(familyOf(unfused).fusesForInference(unfused));
  const emcad = defaultModelConfig('emcad');
  t.false(familyOf(emcad).fusesForInference(emcad));
  for (const name of MODEL_NAMES.filter((n) => n !== 'ms-lkseg' && n !== 'emcad')) {
    const c = defaultModelConfig(name);
    t.true(familyOf(c).fusesForInference(c), name);
  }
});

test('DyConv temperature per step: linear 30 -> 1 over 10 epochs, then 1; constant = end; none without DyConv', (t) => {
  const c = msLkSeg();
  const at = (stepsDone: number, epochs = 300) => familyOf(c).temperatureAt(c, {stepsDone, stepsPerEpoch: 100, epochs});
  t.is(at(0), 30);
  t.is(at(500), 15.5);
  t.is(at(1), 30 - 29 / 1000);
  t.is(at(1000), 1);
  t.is(at(4200), 1);
  // A run shorter than the anneal anneals over the whole run.
  t.is(at(100, 2), 15.5);
  t.is(at(200, 2), 1);
  const constant = msLkSeg({dyconv: {temperature: {schedule: 'constant', end: 2}}});
  t.is(familyOf(constant).temperatureAt(constant, {stepsDone: 0, stepsPerEpoch: 10, epochs: 5}), 2);
  const zero = msLkSeg({dyconv: {temperature: {epochs: 0}}});
  t.is(familyOf(zero).temperatureAt(zero, {stepsDone: 0, stepsPerEpoch: 10, epochs: 5}), 1);
  const off = msLkSeg({dyconv: {enabled: false}});
  t.is(familyOf(off).temperatureAt(off, {stepsDone: 5, stepsPerEpoch: 10, epochs: 5}), null);
  for (const name of MODEL_NAMES.filter((n) => n !== 'ms-lkseg')) {
    const other = defaultModelConfig(name);
    t.is(familyOf(other).temperatureAt(other, {stepsDone: 5, stepsPerEpoch: 10, epochs: 5}), null, name);
  }
});

test('the linear schedule stays between start and end and moves towards end at every step', (t) => {
  fc.assert(fc.property(
    fc.double({min: 0.01, max: 100, noNaN: true}), fc.double({min: 0.01, max: 100, noNaN: true}),
    fc.double({min: 0, max: 20, noNaN: true}), fc.integer({min: 1, max: 50}), fc.integer({min: 1, max: 30}), fc.integer({min: 0, max: 2000}),
    (start, end, epochs, stepsPerEpoch, runEpochs, stepsDone) => {
      const s = {schedule: 'linear' as const, start, end, epochs};
      const now = scheduledTemperature(s, {stepsDone, stepsPerEpoch, epochs: runEpochs});
      const next = scheduledTemperature(s, {stepsDone: stepsDone + 1, stepsPerEpoch, epochs: runEpochs});
      const [lo, hi] = [Math.min(start, end), Math.max(start, end)];
      const eps = 1e-9 * hi;
      return now >= lo - eps && now <= hi + eps && Math.abs(next - end) <= Math.abs(now - end) + eps
        && (stepsDone < Math.min(epochs, runEpochs) * stepsPerEpoch || Math.abs(now - end) <= eps);
    }));
  t.pass('property held');
});

test('a checkpoint is at the temperature of the step that wrote it (the torch twin: 3.9 after epoch 9)', (t) => {
  const c = msLkSeg();
  const tau = (epoch: number, step: number) => familyOf(c).temperatureAt(c, progressAtCheckpoint({epoch, step}, 10));
  t.true(Math.abs(tau(9, 900)! - 3.9) < 1e-9);
  t.is(tau(10, 1000), 1);
  t.is(tau(0, 0), 30, 'no step done: the start temperature');
});

test('a built model starts at the schedule start; the hook sets every DyConv of it', (t) => {
  const {model, config} = buildModel({model: 'ms-lkseg', baseWidth: 4}, {seed: 1});
  try {
    t.true(taus(model).length > 0 && taus(model).every((tau) => tau === 30));
    t.is(applyTrainingProgress(model, config, {stepsDone: 50, stepsPerEpoch: 10, epochs: 10}), 15.5);
    t.true(taus(model).every((tau) => tau === 15.5));
    t.throws(() => familyOf(config).setTemperature(model, 0), {message: /must be > 0/});
  } finally {
    model.dispose();
  }
  const {model: unet, config: unetConfig} = buildModel({model: 'unet', baseWidth: 4});
  t.is(applyTrainingProgress(unet, unetConfig, {stepsDone: 3, stepsPerEpoch: 10, epochs: 10}), null);
  unet.dispose();
});

test.serial('the outputs hook: absent means one output; a family whose build disagrees with its hook, or whose hook names a missing head, is refused in one line', (t) => {
  const unet = parseModelConfig({model: 'unet', baseWidth: 4});
  t.deepEqual(outputsOf(unet), {heads: 1, trainingLoss: {rule: 'last', head: 0}, inference: {kind: 'head', head: 0}});
  // Patched for this test only (each test file runs in its own process): unet builds one output but claims two.
  const family = MODEL_REGISTRY.unet as ModelFamily<typeof unet>;
  family.outputs = () => ({heads: 2, trainingLoss: {rule: 'deep'}, inference: {kind: 'sum'}});
  try {
    t.throws(() => buildModel(unet), {message: /^model family 'unet' built 1 outputs but its outputs hook declares 2: fix the family$/});
    family.outputs = () => ({heads: 1, trainingLoss: {rule: 'deep'}, inference: {kind: 'head', head: 1}});
    t.throws(() => outputsOf(unet), {message: /^model family 'unet': its outputs hook names head 1 for inference, of 1 heads/});
  } finally {
    delete family.outputs;
  }
  const {model} = buildModel(unet);
  t.is(model.outputs.length, 1);
  model.dispose();
});

test('labels: EMCAD is "EMCAD (scratch)" or "EMCAD (ImageNet)" wherever a name is its family\'s; other names and families are kept', (t) => {
  const scratch = defaultModelConfig('emcad');
  const imagenet = parseModelConfig({model: 'emcad', pretrained: 'pvt_v2_b2.safetensors'});
  t.is(modelLabel(scratch), 'EMCAD (scratch)');
  t.is(modelLabel(imagenet), 'EMCAD (ImageNet)');
  t.is(labelVariant('emcad', scratch), 'EMCAD (scratch)');
  t.is(labelVariant('emcad encoder=b0,cab=false', imagenet), 'EMCAD (ImageNet) encoder=b0,cab=false');
  t.is(labelVariant('emcadish', scratch), 'emcadish');
  t.is(pretrainedFile(imagenet), 'pvt_v2_b2.safetensors');
  t.is(pretrainedFile(scratch), null);
  fc.assert(fc.property(fc.constantFrom(...MODEL_NAMES.filter((n) => n !== 'emcad')), fc.string(), (name, variant) => {
    const config = defaultModelConfig(name);
    return modelLabel(config) === null && labelVariant(variant, config) === variant && pretrainedFile(config) === null;
  }));
  fc.assert(fc.property(fc.string().filter((v) => v !== 'emcad' && !v.startsWith('emcad ')), (variant) => labelVariant(variant, scratch) === variant));
  t.pass();
});
