// EMCAD's weight names map one to one onto the PyTorch twin's state_dict (test/models/fixtures/emcad-b0-twin-keys.txt,
// generated from ../shared/bench/torch-twin/emcad.py by scripts/emcad-twin-keys.py), with equal shapes after the
// documented layout change, and the mapping is a bijection (src/models/WEIGHTS.md, section EMCAD).
import test from 'ava';
import {readFileSync} from 'node:fs';
import {buildModel} from '../../../src/models/registry.js';
import {namedWeights} from '../../../src/models/export/weight-names.js';
import {emcadTwinWeight, twinShape} from '../../../src/models/families/emcad-weights.js';
import {useWasm} from '../helpers.js';

test.before(useWasm);

/** The twin's keys and shapes, without the BN step counters (num_batches_tracked: not weights). */
function twinKeys(): Map<string, number[]> {
  const lines = readFileSync(new URL('../fixtures/emcad-b0-twin-keys.txt', import.meta.url), 'utf8').split('\n');
  const keys = new Map<string, number[]>();
  for (const line of lines) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const [key, shape] = line.split(' ') as [string, string];
    if (key.endsWith('.num_batches_tracked')) continue;
    keys.set(key, shape.split('x').map(Number));
  }
  return keys;
}

test('every weight of emcad b0 maps onto a distinct twin key with its shape, and every twin key is reached', (t) => {
  const twin = twinKeys();
  t.is(twin.size, 368, 'the fixture: 400 state_dict entries less 32 BN step counters');
  const {model} = buildModel({model: 'emcad', encoder: 'b0'});
  const reached = new Map<string, string>();
  const problems: string[] = [];
  for (const {name, variable} of namedWeights(model)) {
    const {name: key, layout} = emcadTwinWeight(name);
    const want = twin.get(key);
    const got = twinShape(variable.shape as number[], layout);
    if (!want) problems.push(`${name} -> ${key}: not in the twin`);
    else if (want.join('x') !== got.join('x')) problems.push(`${name} -> ${key}: shape ${got.join('x')}, twin ${want.join('x')}`);
    if (reached.has(key)) problems.push(`${name} and ${reached.get(key)} both map to ${key}`);
    reached.set(key, name);
  }
  for (const key of twin.keys()) if (!reached.has(key)) problems.push(`twin key ${key} has no weight of ours`);
  t.deepEqual(problems, []);
  t.is(reached.size, twin.size);
  model.dispose();
});

test('layouts: conv kernels HWIO -> OIHW, depthwise [k, k, C, 1] -> [C, 1, k, k], Linear [in, out] -> [out, in]', (t) => {
  t.like(emcadTwinWeight('enc.1.embed.proj.kernel'), {name: 'encoder.embeds.0.proj.weight', layout: 'conv'});
  t.deepEqual(twinShape([7, 7, 3, 32], 'conv'), [32, 3, 7, 7]);
  t.like(emcadTwinWeight('enc.2.block.1.mlp.dw.kernel'), {name: 'encoder.stages.1.1.mlp.dw.weight', layout: 'depthwise'});
  t.deepEqual(twinShape([3, 3, 512, 1], 'depthwise'), [512, 1, 3, 3]);
  t.like(emcadTwinWeight('enc.4.block.0.attn.kv.kernel'), {name: 'encoder.stages.3.0.attn.kv.weight', layout: 'linear'});
  t.deepEqual(twinShape([256, 512], 'linear'), [512, 256]);
  // Decoder stages by number here, deepest first in the twin; the head of p1 is the twin's last.
  t.like(emcadTwinWeight('dec.4.mscb.pw1_bn.moving_variance'), {name: 'mscb.0.pw1.1.running_var', layout: 'same'});
  t.like(emcadTwinWeight('dec.1.lgag.wg.kernel'), {name: 'lgag.2.wg.0.weight', layout: 'conv'});
  t.like(emcadTwinWeight('dec.3.eucb.pw.bias'), {name: 'eucb.0.pw.bias', layout: 'same'});
  t.like(emcadTwinWeight('head.p1.kernel'), {name: 'heads.3.weight'});
  t.throws(() => emcadTwinWeight('stem.conv.kernel'), {message: /no counterpart in the PyTorch twin/});
});
