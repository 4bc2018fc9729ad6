// Save then load gives identical outputs: the TF.js format (custom layers registered), and safetensors with
// stable names into a freshly built model.
import test from 'ava';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {buildModel, parseModelConfig} from '../../src/models/registry.js';
import {setDyConvTemperature} from '../../src/models/families/dyconv-temperature.js';
import {loadTfjsModel, saveTfjsModel} from '../../src/models/export/tfjs-format.js';
import {decodeSafetensors, loadSafetensorsInto, modelToSafetensors} from '../../src/models/export/safetensors.js';
import {namedWeights} from '../../src/models/export/weight-names.js';
import {exportModel} from '../../src/models/export/export-model.js';
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
