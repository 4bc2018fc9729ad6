// The layer families of bench/layer-profile.ts (issue #14) on the real models' layer names, the block rule for
// every block name, the optimiser's FLOPs per parameter, and the FLOPs the profiles count per kernel call.
import test from 'ava';
import fc from 'fast-check';
import {kernelCost} from '../../bench/kernel-timing.js';
import {compareFamilies, layerFamilies, layerInfos, optimiserFlopsPerParameter} from '../../bench/layer-families.js';
import {buildModel, parseModelConfig} from '../../src/models/registry.js';
import {useWasm} from '../models/helpers.js';

test.before(useWasm);

/** layer name -> family of a model built from `config` at 64 px. */
function familiesOf(config: Record<string, unknown>): Map<string, string> {
  const {model} = buildModel(parseModelConfig(config, 'model'), {inputSize: 64});
  try {
    return layerFamilies(layerInfos(model));
  } finally {
    model.dispose();
  }
}

/** How many layers each family has. */
function count(families: Map<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const family of families.values()) out[family] = (out[family] ?? 0) + 1;
  return out;
}

test.serial('ms-lkseg: each MIS block splits into DyConv (conv, BN, ReLU), MIE and MIDM; LD skips, the decoder and the head are their own', (t) => {
  const families = familiesOf({model: 'ms-lkseg', baseWidth: 16});
  t.is(families.get('enc.0.mis.0.conv'), 'DyConv');
  t.is(families.get('enc.2.mis.1.bn'), 'DyConv');
  t.is(families.get('enc.4.mis.1.relu'), 'DyConv');
  t.is(families.get('enc.3.mis.0.mie'), 'MIE');
  t.is(families.get('enc.3.mis.0.midm'), 'MIDM');
  t.is(families.get('skip.2.ld'), 'LD depthwise');
  t.is(families.get('dec.1.bn2'), 'decoder');
  t.is(families.get('dec.3.up'), 'decoder');
  t.is(families.get('head'), 'head');
  t.is(families.get('enc.1.down'), 'other (MaxPooling2D)');
  // 5 levels x 2 blocks x (conv, BN, ReLU); 4 LD skips; 4 decoder stages of 8 layers.
  t.deepEqual(count(families), {
    'other (InputLayer)': 1, DyConv: 30, MIE: 10, MIDM: 10, 'other (MaxPooling2D)': 4, 'LD depthwise': 4, decoder: 32, head: 1,
  });
});

test.serial('ms-lkseg without DyConv and U-Net: the encoder blocks are plain 3x3 convs, their BN and ReLU with them', (t) => {
  const plain = familiesOf({model: 'ms-lkseg', baseWidth: 16, dyconv: {enabled: false}});
  t.is(plain.get('enc.0.mis.0.conv'), 'plain 3x3 conv');
  t.is(plain.get('enc.0.mis.0.relu'), 'plain 3x3 conv');
  t.is(count(plain)['plain 3x3 conv'], 30);
  const unet = familiesOf({model: 'unet', baseWidth: 16});
  t.deepEqual(count(unet), {'other (InputLayer)': 1, 'plain 3x3 conv': 30, 'other (MaxPooling2D)': 4, decoder: 32, head: 1});
});

test('a batch norm or ReLU belongs to its block\'s conv, whatever the block and suffix are called', (t) => {
  fc.assert(fc.property(
    fc.stringMatching(/^[a-z][a-z0-9.]{0,12}$/), fc.constantFrom('', '1', '2', '12'), fc.constantFrom('DyConv', 'Conv2D'), fc.constantFrom('bn', 'relu'),
    (block, suffix, convClass, part) => {
      const families = layerFamilies([
        {name: `enc.${block}.conv${suffix}`, className: convClass, kernelSize: [3, 3]},
        {name: `enc.${block}.${part}${suffix}`, className: part === 'bn' ? 'BatchNorm' : 'ReLUKeepingOutput'},
      ]);
      return families.get(`enc.${block}.${part}${suffix}`) === (convClass === 'DyConv' ? 'DyConv' : 'plain 3x3 conv');
    },
  ));
  t.pass();
});

test('families list in the issue\'s order, the others after them by name', (t) => {
  const sorted = ['other (loss)', 'head', 'MIE', 'optimiser', 'decoder', 'DyConv', 'plain 3x3 conv', 'LD depthwise', 'MIDM', 'other (MaxPooling2D)'].sort(compareFamilies);
  t.deepEqual(sorted, ['plain 3x3 conv', 'DyConv', 'MIE', 'MIDM', 'LD depthwise', 'decoder', 'head', 'optimiser', 'other (loss)', 'other (MaxPooling2D)']);
});

test('optimiser FLOPs per parameter: Adam 14, +2 with weight decay (adam and adamw); SGD 4, +2 with weight decay', (t) => {
  t.is(optimiserFlopsPerParameter({name: 'adam', weightDecay: 0}), 14);
  t.is(optimiserFlopsPerParameter({name: 'adam', weightDecay: 1e-4}), 16);
  t.is(optimiserFlopsPerParameter({name: 'adamw', weightDecay: 1e-2}), 16);
  t.is(optimiserFlopsPerParameter({name: 'sgd', weightDecay: 0}), 4);
  t.is(optimiserFlopsPerParameter({name: 'sgd', weightDecay: 5e-4}), 6);
});

const info = (shape: number[]) => ({shape, dtype: 'float32' as const, dataId: {}});

test('kernel FLOPs: 2 per MAC of convolutions (every tap), depthwise with its multiplier, and batched matrix products', (t) => {
  t.is(kernelCost('Conv2D', {x: info([2, 8, 8, 3]), filter: info([3, 3, 3, 4])}, {strides: 2}).flops, 2 * 2 * 4 * 4 * 9 * 3 * 4);
  t.is(kernelCost('Conv2DBackpropFilter', {x: info([2, 8, 8, 3]), dy: info([2, 8, 8, 4])}, {filterShape: [3, 3, 3, 4]}).flops, 2 * 2 * 64 * 9 * 3 * 4);
  t.is(kernelCost('DepthwiseConv2dNative', {x: info([1, 5, 5, 6]), filter: info([7, 7, 6, 2])}, {strides: 1}).flops, 2 * 25 * 49 * 6 * 2);
  t.is(kernelCost('BatchMatMul', {a: info([3, 4, 5]), b: info([3, 6, 5])}, {transposeA: false, transposeB: true}).flops, 2 * 3 * 4 * 6 * 5);
  t.is(kernelCost('BatchMatMul', {a: info([5, 4]), b: info([1, 5, 6])}, {transposeA: true, transposeB: false}).flops, 2 * 4 * 6 * 5);
  t.is(kernelCost('Add', {a: info([4, 4]), b: info([4, 4])}, {}).flops, 0);
});
