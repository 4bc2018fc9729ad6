// ImageNet weights for EMCAD's PVTv2 encoder (issue 15): synthetic b0 checkpoints under the PVTv2 release's names and
// timm's (names and shapes written out here from the two projects' public model definitions, independently of
// src/models/families/pvt-pretrained.ts), loaded into a built EMCAD b0; every encoder tensor must land where it should.
import test from 'ava';
import {createHash} from 'node:crypto';
import {writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {decodeSafetensors, encodeSafetensors, type SafetensorsFile} from '../../../src/models/export/safetensors.js';
import {namedWeights} from '../../../src/models/export/weight-names.js';
import {loadPvtEncoder} from '../../../src/models/families/pvt-pretrained.js';
import {buildModel, loadPretrainedWeights, modelLabel, parseModelConfig} from '../../../src/models/registry.js';
import {tempFolder} from '../../datasets/helpers.js';
import {useWasm} from '../helpers.js';
import {checkpoint, releaseB0, timmName} from '../../helpers/pvt-checkpoint.js';

test.before(useWasm);

function decoded(tensors: Array<{name: string; shape: number[]; data: Float32Array}>): SafetensorsFile {
  return decodeSafetensors(encodeSafetensors(tensors, {}));
}

/** Our name of a release name, and the axes that turn the file's layout into ours (written out, not imported). */
function oursOf(release: string): {name: string; perm: number[] | null} {
  const w = (t: string) => t.replace(/\.weight$/, '.kernel').replace(/\.bias$/, '.bias');
  const n = (t: string) => t.replace(/\.weight$/, '.gamma').replace(/\.bias$/, '.beta');
  let m = /^patch_embed(\d)\.(proj|norm)\.(weight|bias)$/.exec(release);
  if (m) return m[2] === 'proj' ? {name: w(`enc.${m[1]}.embed.proj.${m[3]}`), perm: m[3] === 'weight' ? [2, 3, 1, 0] : null} : {name: n(`enc.${m[1]}.embed.norm.${m[3]}`), perm: null};
  m = /^norm(\d)\.(weight|bias)$/.exec(release);
  if (m) return {name: n(`enc.${m[1]}.norm.${m[2]}`), perm: null};
  m = /^block(\d)\.(\d+)\.(.+)\.(weight|bias)$/.exec(release);
  if (!m) throw new Error(`not an encoder name: ${release}`);
  const [, s, b, module, kind] = m;
  const prefix = `enc.${s}.block.${b}`;
  if (module === 'norm1' || module === 'norm2' || module === 'attn.norm') return {name: n(`${prefix}.${module}.${kind}`), perm: null};
  if (module === 'mlp.dwconv.dwconv') return {name: w(`${prefix}.mlp.dw.${kind}`), perm: kind === 'weight' ? [2, 3, 0, 1] : null};
  if (module === 'attn.sr') return {name: w(`${prefix}.attn.sr.${kind}`), perm: kind === 'weight' ? [2, 3, 1, 0] : null};
  return {name: w(`${prefix}.${module}.${kind}`), perm: kind === 'weight' ? [1, 0] : null}; // q, kv, proj, fc1, fc2
}

function buildB0(): tf.LayersModel {
  return buildModel({model: 'emcad', encoder: 'b0'}, {inputSize: 64}).model;
}

function weightsByName(model: tf.LayersModel): Map<string, tf.LayerVariable> {
  return new Map(namedWeights(model).map(({name, variable}) => [name, variable]));
}

for (const scheme of ['pvt-v2', 'timm'] as const) {
  test(`a b0 checkpoint under ${scheme} names: every encoder tensor lands on its weight after the layout change`, async (t) => {
    const model = buildB0();
    const tensors = checkpoint(scheme, 1);
    const report = loadPvtEncoder(model, decoded(tensors), 'test.safetensors');
    t.is(report.scheme, scheme);
    t.deepEqual(report.missing, []);
    t.deepEqual(report.unexpected, [], 'head.* is expected and ignored');
    const ours = weightsByName(model);
    const encoderWeights = [...ours.keys()].filter((n) => n.startsWith('enc.'));
    t.is(report.loaded, encoderWeights.length);
    t.is(report.loaded, tensors.length - 2, 'every tensor but the classification head');
    const releaseNames = [...releaseB0().keys()].filter((n) => !n.startsWith('head.'));
    const reached = new Set<string>();
    let mismatches = 0;
    for (const release of releaseNames) {
      const {name, perm} = oursOf(release);
      const fileName = scheme === 'timm' ? timmName(release) : release;
      const entry = tensors.find((x) => x.name === fileName)!;
      const variable = ours.get(name);
      if (variable === undefined) {
        t.fail(`${release} -> ${name}: no such weight of ours`);
        continue;
      }
      reached.add(name);
      const expected = tf.tidy(() => {
        const stored = tf.tensor(entry.data, entry.shape);
        return perm ? tf.transpose(stored, perm) : stored;
      });
      t.deepEqual(variable.shape, expected.shape, name);
      if (tf.tidy(() => tf.notEqual(variable.read(), expected).any().dataSync()[0]) !== 0) mismatches++;
      expected.dispose();
    }
    t.is(mismatches, 0);
    t.deepEqual([...reached].sort(), encoderWeights.sort(), 'every encoder weight is reached exactly once');
    model.dispose();
  });
}

test('the decoder and heads keep their initial weights', (t) => {
  const model = buildB0();
  const fresh = buildB0();
  loadPvtEncoder(model, decoded(checkpoint('timm', 2)), 'test.safetensors');
  const before = weightsByName(fresh);
  let changed = 0;
  for (const [name, variable] of weightsByName(model)) {
    if (name.startsWith('enc.')) continue;
    if (tf.tidy(() => tf.notEqual(variable.read(), before.get(name)!.read()).any().dataSync()[0]) !== 0) changed++;
  }
  t.is(changed, 0);
  model.dispose();
  fresh.dispose();
});

test('a tensor the file lacks is reported missing and keeps its value; a tensor nothing uses is reported unexpected', (t) => {
  const model = buildB0();
  const initial = weightsByName(model).get('enc.2.block.1.attn.q.bias')!.read().clone();
  const tensors = checkpoint('pvt-v2', 3).filter((x) => x.name !== 'block2.1.attn.q.bias');
  tensors.push({name: 'decode_head.conv.weight', shape: [2], data: new Float32Array([1, 2])});
  const report = loadPvtEncoder(model, decoded(tensors), 'test.safetensors');
  t.deepEqual(report.missing, ['block2.1.attn.q.bias']);
  t.deepEqual(report.unexpected, ['decode_head.conv.weight']);
  t.is(report.scheme, 'pvt-v2');
  t.deepEqual(Array.from(weightsByName(model).get('enc.2.block.1.attn.q.bias')!.read().dataSync()), Array.from(initial.dataSync()));
  initial.dispose();
  model.dispose();
});

test('a shape mismatch is refused in one line naming the tensor, and nothing is loaded', (t) => {
  const model = buildB0();
  const first = weightsByName(model).get('enc.1.embed.proj.kernel')!.read().clone();
  const tensors = checkpoint('timm', 4).map((x) => (x.name === 'stages.2.norm.weight' ? {...x, shape: [161], data: new Float32Array(161)} : x));
  const error = t.throws(() => loadPvtEncoder(model, decoded(tensors), 'w.safetensors'));
  t.regex(error!.message, /^w\.safetensors: tensor 'stages\.2\.norm\.weight' has shape \[161\], the encoder needs \[160\]: use the weights of the same PVTv2 variant as model\.encoder/);
  t.notRegex(error!.message, /\n/);
  t.deepEqual(Array.from(weightsByName(model).get('enc.1.embed.proj.kernel')!.read().dataSync()), Array.from(first.dataSync()));
  first.dispose();
  model.dispose();
});

test('a b2 checkpoint for a b0 encoder is a shape mismatch, not a silent partial load', (t) => {
  const model = buildB0();
  const wide = checkpoint('pvt-v2', 5).map((x) => (x.name === 'patch_embed1.proj.weight' ? {...x, shape: [64, 3, 7, 7], data: new Float32Array(64 * 3 * 49)} : x));
  t.throws(() => loadPvtEncoder(model, decoded(wide), 'b2.safetensors'), {message: /'patch_embed1\.proj\.weight' has shape \[64, 3, 7, 7\], the encoder needs \[32, 3, 7, 7\]/});
  model.dispose();
});

test('a file whose names match neither scheme is refused in one line', (t) => {
  const model = buildB0();
  const resnet = [{name: 'conv1.weight', shape: [64, 3, 7, 7], data: new Float32Array(64 * 3 * 49)}, {name: 'fc.weight', shape: [2], data: new Float32Array(2)}];
  const error = t.throws(() => loadPvtEncoder(model, decoded(resnet), 'resnet.safetensors'));
  t.regex(error!.message, /^resnet\.safetensors: no tensor name of a PVTv2 encoder .*'conv1\.weight'.*: give a pvt_v2_b\* checkpoint/);
  t.notRegex(error!.message, /\n/);
  model.dispose();
});

test('the family hook loads the file, records its absolute path and SHA-256, and labels the model', async (t) => {
  const dir = await tempFolder('pvt-pretrained');
  try {
    const file = join(dir.path, 'pvt_v2_b0.safetensors');
    const bytes = encodeSafetensors(checkpoint('timm', 6), {format: 'pt'});
    await writeFile(file, bytes);
    const config = parseModelConfig({model: 'emcad', encoder: 'b0', pretrained: file});
    const model = buildModel(config, {inputSize: 64}).model;
    const report = await loadPretrainedWeights(model, config);
    t.like(report, {file, sha256: createHash('sha256').update(bytes).digest('hex'), scheme: 'timm', missing: [], unexpected: []});
    t.is(modelLabel(config), 'EMCAD (ImageNet)');
    model.dispose();

    const scratch = parseModelConfig({model: 'emcad', encoder: 'b0'});
    const plain = buildModel(scratch, {inputSize: 64}).model;
    t.is(await loadPretrainedWeights(plain, scratch), null);
    t.is(modelLabel(scratch), 'EMCAD (scratch)');
    plain.dispose();

    const unet = parseModelConfig({model: 'unet', baseWidth: 4});
    const u = buildModel(unet).model;
    t.is(await loadPretrainedWeights(u, unet), undefined, 'a family without the knob records nothing');
    t.is(modelLabel(unet), null);
    u.dispose();

    const absent = parseModelConfig({model: 'emcad', encoder: 'b0', pretrained: join(dir.path, 'nope.safetensors')});
    const m = buildModel(absent, {inputSize: 64}).model;
    await t.throwsAsync(loadPretrainedWeights(m, absent), {message: /^model\.pretrained '.*nope\.safetensors': no such file .*set model\.pretrained=null to train from scratch$/});
    m.dispose();
  } finally {
    await dir.cleanup();
  }
});
