// Whole-model parameter and MAC counts against the PyTorch twin (../shared/bench/torch-twin, bench.json):
// counting needs no forward pass, only the built graph.
import test from 'ava';
import type * as tf from '@tensorflow/tfjs';
import {buildModel} from '../../src/models/registry.js';
import {fuseForInference} from '../../src/models/fuse.js';
import {countParams} from '../../src/models/profile/params.js';
import {countMacs} from '../../src/models/profile/macs.js';
import {DyConv} from '../../src/models/layers/dyconv.js';
import {MIE} from '../../src/models/layers/mie.js';
import {MIDM} from '../../src/models/layers/midm.js';
import {LD} from '../../src/models/layers/ld.js';
import {paramCount, useWasm} from './helpers.js';

test.before(useWasm);

function sumOver(model: tf.LayersModel, pick: (l: tf.layers.Layer) => boolean): number {
  return model.layers.filter(pick).reduce((a, l) => a + paramCount(l), 0);
}

test.serial('ms-lkseg bw16: 5,699,213 parameters (5,696,333 fused), per block as the twin; MACs at 128', (t) => {
  const {model} = buildModel({model: 'ms-lkseg', baseWidth: 16}, {inputSize: 128});
  t.is(countParams(model).trainable, 5_699_213);
  t.is(sumOver(model, (l) => l instanceof DyConv), 4_743_100);
  t.is(sumOver(model, (l) => l.name.startsWith('dec.')), 784_320);
  t.is(sumOver(model, (l) => l instanceof LD), 153_920);
  t.is(sumOver(model, (l) => l instanceof MIE), 10_912);
  t.is(sumOver(model, (l) => l instanceof MIDM), 4_960);
  t.is(sumOver(model, (l) => /^enc\.\d\.mis\.\d\.bn$/.test(l.name)), 1_984);
  t.is(sumOver(model, (l) => l.name === 'head'), 17);
  const macs = countMacs(model);
  t.is(+(macs.total / 1e9).toFixed(4), 1.946);
  const fused = fuseForInference(model);
  t.is(countParams(fused).trainable, 5_696_333);
  const fusedMacs = countMacs(fused);
  t.is(+(fusedMacs.total / 1e9).toFixed(4), 1.9416);
  t.is(+(fusedMacs.byCategory['dyconv_conv']! / 1e9).toFixed(4), 1.0853);
  t.is(+(fusedMacs.byCategory['ld_dwconv']! / 1e9).toFixed(4), 0.2168);
  t.is(+(fusedMacs.byCategory['conv_3x3']! / 1e9).toFixed(4), 0.604);
  t.is(+(fusedMacs.byCategory['attention_matmul']! / 1e9).toFixed(4), 0.0014);
  model.dispose();
  fused.dispose();
});

test.serial('unet bw16: 1,964,097 parameters, MACs 0.8756 G at 128 and 3.5022 G at 256 (closed form)', (t) => {
  for (const [size, gmacs] of [[128, 0.8756], [256, 3.5022]] as const) {
    const {model} = buildModel({model: 'unet', baseWidth: 16}, {inputSize: size});
    t.is(countParams(model).trainable, 1_964_097);
    // Closed form: sum over 3x3 convs of H W C_in C_out 9, plus the head.
    const w = [16, 32, 64, 128, 256];
    let macs = 0;
    w.forEach((c, i) => {
      const hw = (size / 2 ** i) ** 2;
      macs += hw * 9 * ((i === 0 ? 3 : w[i - 1]!) * c + c * c);
      if (i < 4) macs += hw * 9 * ((w[i + 1]! + c) * c + c * c);
    });
    macs += size * size * 16;
    t.is(countMacs(model).total, macs);
    t.is(+(macs / 1e9).toFixed(4), gmacs);
    model.dispose();
  }
});

test.serial('every toggle off equals the U-Net; LD per-level kernels and levels change the count as the formula says', (t) => {
  const off = buildModel({model: 'ms-lkseg', baseWidth: 16, dyconv: {enabled: false}, mie: {enabled: false}, midm: {enabled: false}, ld: {enabled: false}}).model;
  t.is(countParams(off).trainable, 1_964_097);
  off.dispose();
  const ld = (largeKernel: number | number[], levels: number[], smallKernel: number | null = 3) => {
    const {model} = buildModel({model: 'ms-lkseg', baseWidth: 8, ld: {largeKernel, levels, smallKernel}});
    const n = sumOver(model, (l) => l instanceof LD);
    model.dispose();
    return n;
  };
  const perLevel = (c: number, kl: number, ks: number | null) => 2 * c * c + c * kl * kl + (ks ? c * ks * ks + 2 * c : 0) + 8 * c;
  t.is(ld([31, 29, 27, 13], [1, 2, 3, 4]), perLevel(8, 31, 3) + perLevel(16, 29, 3) + perLevel(32, 27, 3) + perLevel(64, 13, 3));
  t.is(ld(13, [3, 4], null), perLevel(32, 13, null) + perLevel(64, 13, null));
});
