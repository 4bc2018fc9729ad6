// Save then load gives identical outputs: the TF.js format (custom layers registered), and safetensors with
// stable names into a freshly built model.
import test from 'ava';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {buildModel, outputsOf, parseModelConfig} from '../../src/models/registry.js';
import {setDyConvTemperature} from '../../src/models/families/dyconv-temperature.js';
import {loadTfjsModel, saveTfjsModel} from '../../src/models/export/tfjs-format.js';
import {decodeSafetensors, loadSafetensorsInto, modelToSafetensors} from '../../src/models/export/safetensors.js';
import {namedWeights} from '../../src/models/export/weight-names.js';
import {exportModel, writeExportedModel} from '../../src/models/export/export-model.js';
import {fuseForInference} from '../../src/models/fuse.js';
import {SINGLE_OUTPUT} from '../../src/models/heads.js';
import {inferenceForm, inferenceGraph} from '../../src/models/inference-graph.js';
import {multiHeadModel, multiHeadOutputs} from '../helpers/multi-head-model.js';
import {MSLK_VERSION} from '../../src/version.js';
import {maxAbsDiff, randomImage, randomiseNormalisation, useWasm} from './helpers.js';

test.before(useWasm);

const config = {model: 'ms-lkseg', baseWidth: 4, mie: {kernels: [3, 3, 5, 7]}, attentionOrder: 'parallel'};

test.serial('TF.js format: save then load gives identical outputs (temperature and BN statistics included)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-models-'));
  const {model} = buildModel(config, {seed: 3});
  randomiseNormalisation(model.layers, 4);
  setDyConvTemperature(model, 2.5);
  await saveTfjsModel(model, dir);
  const loaded = await loadTfjsModel(dir);
  const x = randomImage(1, 32, 2);
  const a = model.predict(x) as tf.Tensor;
  const b = loaded.predict(x) as tf.Tensor;
  t.is(await maxAbsDiff(a, b), 0);
  t.like(loaded.getUserDefinedMetadata(), {mslk: {config: {model: 'ms-lkseg', baseWidth: 4}}});
  tf.dispose([x, a, b]);
  model.dispose();
  loaded.dispose();
  await rm(dir, {recursive: true});
});

test.serial('safetensors: stable names, config in the metadata, load into a fresh model gives identical outputs', async (t) => {
  const {model, config: resolved} = buildModel(config, {seed: 3});
  randomiseNormalisation(model.layers, 5);
  const bytes = await modelToSafetensors(model, {config: JSON.stringify(resolved)});
  const file = decodeSafetensors(bytes);
  t.deepEqual(JSON.parse(file.metadata['config']!), resolved);
  const names = [...file.tensors.keys()];
  for (const expected of [
    'enc.2.mis.1.mie.dw_k5.kernel', 'enc.2.mis.1.mie.dw_k3_g0.kernel', 'enc.2.mis.1.mie.dw_k3_g1.bias', 'enc.2.mis.1.mie.gn_h.gamma',
    'enc.0.mis.0.conv.kernel', 'enc.0.mis.0.conv.fc1.kernel', 'enc.0.mis.0.bn.moving_variance', 'enc.4.mis.1.midm.q.kernel',
    'skip.0.ld.pw1.kernel', 'skip.3.ld.redw.lk.kernel', 'skip.3.ld.redw.sk_bn.gamma', 'dec.0.conv1.kernel', 'dec.3.bn2.beta', 'head.kernel', 'head.bias',
  ]) t.true(names.includes(expected), expected);
  t.is(names.length, namedWeights(model).length);
  const fresh = buildModel(config, {seed: 99}).model;
  loadSafetensorsInto(fresh, file);
  const x = randomImage(1, 32, 6);
  const a = model.predict(x) as tf.Tensor;
  const b = fresh.predict(x) as tf.Tensor;
  t.is(await maxAbsDiff(a, b), 0);
  tf.dispose([x, a, b]);
  model.dispose();
  fresh.dispose();
});

test.serial('the same config and seed give the same weights (seeded initialisers)', async (t) => {
  const weightsOf = async (seed: number) => {
    const {model} = buildModel(config, {seed});
    const bytes = await modelToSafetensors(model, {});
    model.dispose();
    return Buffer.from(bytes);
  };
  t.true((await weightsOf(7)).equals(await weightsOf(7)));
  t.false((await weightsOf(7)).equals(await weightsOf(8)));
});

test.serial('exported safetensors carry the same provenance as a run manifest', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-export-provenance-'));
  try {
    const out = join(dir, 'unet.safetensors');
    await exportModel(parseModelConfig({model: 'unet', baseWidth: 4}), {format: 'safetensors', out, seed: 0, fused: false});
    const provenance = JSON.parse(decodeSafetensors(new Uint8Array(await readFile(out))).metadata['provenance']!) as Record<string, unknown>;
    t.is(provenance['mslk'], MSLK_VERSION);
    t.is(provenance['node'], process.version);
    for (const key of ['git', 'code', 'packages', 'system']) t.true(key in provenance, key);
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
});

test.serial('a model with several heads is exported whole: both formats load back and predict every head, and name the outputs', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-export-heads-'));
  const model = multiHeadModel(3, 1);
  randomiseNormalisation(model.layers, 6);
  const outputs = multiHeadOutputs(3, {rule: 'mutation'}, {kind: 'head', head: 0});
  const x = randomImage(1, 16, 9);
  const heads = model.predict(x) as tf.Tensor[];
  try {
    const [modelJson] = await writeExportedModel(model, {format: 'tfjs', out: join(dir, 'tfjs'), metadata: {}, outputs});
    const loaded = await loadTfjsModel(join(dir, 'tfjs'));
    const again = loaded.predict(x) as tf.Tensor[];
    t.is(again.length, 3);
    for (let h = 0; h < 3; h++) t.is(await maxAbsDiff(again[h]!, heads[h]!), 0, `head ${h}`);
    t.deepEqual((loaded.getUserDefinedMetadata() as {outputs?: unknown}).outputs, outputs);
    t.true(modelJson!.endsWith('model.json'));
    // The loaded model's inference form is the head its metadata names.
    const form = inferenceForm(loaded, {fuse: true, outputs});
    const inferred = form.predict(x) as tf.Tensor;
    t.true(await maxAbsDiff(inferred, heads[0]!) < 1e-4);
    tf.dispose([...again, inferred]);
    form.dispose();
    loaded.dispose();

    const file = join(dir, 'heads.safetensors');
    await writeExportedModel(model, {format: 'safetensors', out: file, metadata: {format: 'mslk'}, outputs});
    const decoded = decodeSafetensors(new Uint8Array(await readFile(file)));
    t.deepEqual(JSON.parse(decoded.metadata['outputs']!), outputs);
    t.true(['head.0.conv.kernel', 'head.1.conv.kernel', 'head.2.conv.bias'].every((n) => decoded.tensors.has(n)));
    const fresh = multiHeadModel(3, 77);
    loadSafetensorsInto(fresh, decoded);
    const fromFile = fresh.predict(x) as tf.Tensor[];
    for (let h = 0; h < 3; h++) t.is(await maxAbsDiff(fromFile[h]!, heads[h]!), 0, `head ${h} from safetensors`);
    tf.dispose(fromFile);
    fresh.dispose();
  } finally {
    tf.dispose([x, ...heads]);
    model.dispose();
    await rm(dir, {recursive: true, force: true});
  }
});

test.serial('the fused graph of a model with several heads, and its summed inference graph, still save, load and predict', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-export-fused-heads-'));
  const model = multiHeadModel(2, 3);
  randomiseNormalisation(model.layers, 7);
  const x = randomImage(1, 16, 10);
  const heads = model.predict(x) as tf.Tensor[];
  const fused = fuseForInference(model);
  const summed = inferenceGraph(model, {kind: 'sum'});
  try {
    await saveTfjsModel(fused, join(dir, 'fused'));
    const loadedFused = await loadTfjsModel(join(dir, 'fused'));
    const fusedHeads = loadedFused.predict(x) as tf.Tensor[];
    for (let h = 0; h < 2; h++) t.true(await maxAbsDiff(fusedHeads[h]!, heads[h]!) < 1e-4, `fused head ${h}`);
    await saveTfjsModel(summed, join(dir, 'summed'));
    const loadedSum = await loadTfjsModel(join(dir, 'summed'));
    const sum = loadedSum.predict(x) as tf.Tensor;
    const expected = tf.add(heads[0]!, heads[1]!);
    t.is(await maxAbsDiff(sum, expected), 0);
    tf.dispose([...fusedHeads, sum, expected]);
    loadedFused.dispose();
    loadedSum.dispose();
  } finally {
    tf.dispose([x, ...heads]);
    fused.dispose();
    summed.dispose();
    model.dispose();
    await rm(dir, {recursive: true, force: true});
  }
});

test.serial('single-output exports carry no outputs record (their files are as before)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-export-single-'));
  const {model} = buildModel({model: 'unet', baseWidth: 4});
  try {
    await writeExportedModel(model, {format: 'safetensors', out: join(dir, 'u.safetensors'), metadata: {format: 'mslk'}, outputs: SINGLE_OUTPUT});
    t.deepEqual(decodeSafetensors(new Uint8Array(await readFile(join(dir, 'u.safetensors')))).metadata, {format: 'mslk'});
    await writeExportedModel(model, {format: 'tfjs', out: join(dir, 'tfjs'), metadata: {}, outputs: SINGLE_OUTPUT});
    const json = JSON.parse(await readFile(join(dir, 'tfjs', 'model.json'), 'utf8')) as {userDefinedMetadata: Record<string, unknown>};
    t.deepEqual(Object.keys(json.userDefinedMetadata), ['mslk']);
  } finally {
    model.dispose();
    await rm(dir, {recursive: true, force: true});
  }
});

test.serial('EMCAD b0: both formats save and load back, and every one of its four heads predicts the same', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-export-emcad-'));
  const {model, config} = buildModel({model: 'emcad', encoder: 'b0'}, {seed: 4});
  randomiseNormalisation(model.layers, 8);
  const outputs = outputsOf(config);
  const x = randomImage(1, 64, 10);
  const heads = model.predict(x) as tf.Tensor[];
  try {
    await writeExportedModel(model, {format: 'tfjs', out: join(dir, 'tfjs'), metadata: {}, outputs});
    const loaded = await loadTfjsModel(join(dir, 'tfjs'));
    const again = loaded.predict(x) as tf.Tensor[];
    t.is(again.length, 4);
    for (let h = 0; h < 4; h++) t.is(await maxAbsDiff(again[h]!, heads[h]!), 0, `head p${h + 1} from the TF.js format`);
    tf.dispose(again);
    loaded.dispose();

    const file = join(dir, 'emcad.safetensors');
    await writeExportedModel(model, {format: 'safetensors', out: file, metadata: {format: 'mslk'}, outputs});
    const fresh = buildModel(config, {seed: 99}).model;
    loadSafetensorsInto(fresh, decodeSafetensors(new Uint8Array(await readFile(file))));
    const fromFile = fresh.predict(x) as tf.Tensor[];
    for (let h = 0; h < 4; h++) t.is(await maxAbsDiff(fromFile[h]!, heads[h]!), 0, `head p${h + 1} from safetensors`);
    tf.dispose(fromFile);
    fresh.dispose();
  } finally {
    tf.dispose([x, ...heads]);
    model.dispose();
    await rm(dir, {recursive: true, force: true});
  }
});
