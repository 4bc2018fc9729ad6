// Config validation: defaults, strict keys with the nearest valid name, divisibility and kernel rules,
// one-line messages.
import test from 'ava';
import {ConfigError} from '../../src/config/parse.js';
import {defaultModelConfig, MODEL_NAMES, parseModelConfig} from '../../src/models/registry.js';

const rejects = (t: import('ava').ExecutionContext, raw: unknown, message: RegExp) => {
  const error = t.throws(() => parseModelConfig(raw), {instanceOf: ConfigError, message});
  t.false(error?.message.includes('\n') ?? true, 'one line');
};

test('defaults of ms-lkseg follow ms-lkseg.md', (t) => {
  const c = defaultModelConfig('ms-lkseg');
  t.like(c, {
    model: 'ms-lkseg', baseWidth: 32, blocksPerLevel: 2, attentionOrder: 'mie-midm', downsample: 'maxpool', upsample: 'bilinear',
    dyconv: {enabled: true, K: 4, temperature: {schedule: 'linear', start: 30, end: 1, epochs: 10}},
    mie: {enabled: true, kernels: [3, 5, 7, 9], shareHW: true, gate: 'sigmoid'},
    midm: {enabled: true, heads: 1, window: 7, pool: 'avg'},
    ld: {enabled: true, largeKernel: 21, smallKernel: 3, levels: [1, 2, 3, 4], fuseForInference: true},
  });
  for (const name of MODEL_NAMES) t.is(defaultModelConfig(name).model, name);
});

test('unknown keys name the nearest valid key, at any depth', (t) => {
  rejects(t, {model: 'ms-lkseg', basewidth: 16}, /^unknown key 'basewidth': did you mean 'baseWidth'\?$/);
  rejects(t, {model: 'ms-lkseg', ld: {largeKernal: 13}}, /unknown key 'ld.largeKernal': did you mean 'ld.largeKernel'\?/);
  rejects(t, {model: 'ms-lkseg', dyconv: {temperature: {strat: 20}}}, /'dyconv.temperature.strat': did you mean 'dyconv.temperature.start'/);
  rejects(t, {model: 'unet', dyconv: {enabled: false}}, /unknown key 'dyconv'/);
  rejects(t, {model: 'unet-pp'}, /unknown model 'unet-pp': did you mean 'unetpp'\?/);
  rejects(t, {baseWidth: 16}, /model: missing/);
});

test('channels must divide by the number of MIE kernels, GroupNorm groups and MIDM heads', (t) => {
  rejects(t, {model: 'ms-lkseg', baseWidth: 6}, /mie.kernels: level 0 has 6 channels \(baseWidth 6\), not divisible by 4 kernels/);
  rejects(t, {model: 'ms-lkseg', baseWidth: 8, mie: {kernels: [3, 5, 7]}}, /not divisible by 3 kernels/);
  rejects(t, {model: 'ms-lkseg', baseWidth: 4, midm: {heads: 8}}, /midm.heads: level 0 has 4 channels .* not divisible by 8 heads/);
  t.notThrows(() => parseModelConfig({model: 'ms-lkseg', baseWidth: 6, mie: {enabled: false}}));
  t.notThrows(() => parseModelConfig({model: 'ms-lkseg', baseWidth: 4, midm: {heads: 2}}));
});

test('kernel sizes are odd, smallKernel <= largeKernel with an even difference, levels within 1-4', (t) => {
  rejects(t, {model: 'ms-lkseg', mie: {kernels: [3, 4, 5, 7]}}, /mie.kernels\[1\]: kernel sizes must be odd/);
  rejects(t, {model: 'ms-lkseg', ld: {largeKernel: 20}}, /ld.largeKernel/);
  rejects(t, {model: 'ms-lkseg', ld: {largeKernel: 5, smallKernel: 7}}, /ld.smallKernel: smallKernel 7 must be <= largeKernel 5/);
  rejects(t, {model: 'ms-lkseg', ld: {levels: [0, 1]}}, /ld.levels\[0\]: levels are 1-4/);
  rejects(t, {model: 'ms-lkseg', ld: {levels: [5]}}, /levels are 1-4/);
  rejects(t, {model: 'ms-lkseg', ld: {levels: [2, 2]}}, /must not repeat/);
  rejects(t, {model: 'ms-lkseg', ld: {largeKernel: [31, 29, 27]}}, /ld.largeKernel/);
  const c = parseModelConfig({model: 'ms-lkseg', ld: {largeKernel: [31, 29, 27, 13], smallKernel: null}});
  t.like(c, {ld: {largeKernel: [31, 29, 27, 13], smallKernel: null}});
});
