// A model that cannot run on the data is refused before anything is prepared or written, with one line naming the
// key and the fix (issue 10: inChannels 1 on RGB crashed in a matMul, outChannels 2 trained silently against
// one-channel masks, ld.largeKernel 1001 at 32 px built 60M parameters).
import test from 'ava';
import {mkdtemp, readdir} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import fc from 'fast-check';
import {checkModelForData, parseModelConfig} from '../../src/models/registry.js';
import {resolveRunConfig} from '../../src/runs/config.js';
import {trainRun} from '../../src/runs/train-run.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const RGB = {imageChannels: 3, maskChannels: 1};

const cases: {set: string[]; message: RegExp}[] = [
  {set: ['model.inChannels=1'], message: /^model\.inChannels is 1, but images are fed with 3 channels .*set model\.inChannels=3$/},
  {set: ['model.outChannels=2'], message: /^model\.outChannels is 2, but the masks are binary \(1 channel\): set model\.outChannels=1$/},
  {set: ['model.ld.largeKernel=1001', 'data.size=32'], message: /^model\.ld\.largeKernel 1001 runs at skip level 1 on a 32x32 feature map \(data\.size 32\), where taps beyond 63x63 only see padding: use at most 63, or a larger data\.size/},
  {set: ['model.ld.largeKernel=[21,21,21,31]', 'model.ld.smallKernel=3', 'data.size=64'], message: /^model\.ld\.largeKernel\[3\] 31 runs at skip level 4 on a 8x8 feature map .*use at most 15/},
];

for (const {set, message} of cases) {
  test(`train refuses ${set.join(' ')} before writing anything`, async (t) => {
    const scratch = await mkdtemp(join(tmpdir(), 'mslk-model-data-'));
    const config = await resolveRunConfig(join(root, 'configs/quickstart.yaml'), {set});
    await t.throwsAsync(trainRun({config, out: join(scratch, 'runs'), dataRoot: join(scratch, 'data')}), {message});
    t.deepEqual(await readdir(scratch), [], 'no run folder, no dataset cache');
  });
}

test('lk-unet kernels are checked per encoder level; models without large kernels pass at the smallest size', (t) => {
  t.throws(() => checkModelForData(parseModelConfig({model: 'lk-unet'}), {size: 32, ...RGB}), {message: /^model\.kernels\[4\] 7 runs at level 4 on a 2x2 feature map .*use at most 3/});
  t.deepEqual(checkModelForData(parseModelConfig({model: 'lk-unet'}), {size: 64, ...RGB}).warnings, []);
  for (const model of ['unet', 'attention-unet', 'unetpp']) t.deepEqual(checkModelForData(parseModelConfig({model}), {size: 16, ...RGB}).warnings, []);
  t.notThrows(() => checkModelForData(parseModelConfig({model: 'ms-lkseg', ld: {enabled: false, largeKernel: 1001}}), {size: 32, ...RGB}));
});

test('one LD kernel for all skips is refused when even the largest map it runs on cannot use it, else warned about per level', (t) => {
  // The quickstart: 21 at 64 px fits levels 1-3 (64, 32, 16 px) but not level 4 (8 px: 15 taps matter).
  const {warnings} = checkModelForData(parseModelConfig({model: 'ms-lkseg'}), {size: 64, ...RGB});
  t.deepEqual(warnings, ['model.ld.largeKernel 21 is larger than the feature map allows at skip level 4 (data.size 64: taps beyond 2n - 1 on an n-pixel map only see padding)']);
  t.deepEqual(checkModelForData(parseModelConfig({model: 'ms-lkseg'}), {size: 256, ...RGB}).warnings, []);
  t.regex(checkModelForData(parseModelConfig({model: 'ms-lkseg'}), {size: 32, ...RGB}).warnings[0]!, /allows at skip level 3 and skip level 4 \(data\.size 32/);
  fc.assert(fc.property(fc.integer({min: 1, max: 16}), fc.integer({min: 0, max: 60}), fc.subarray([1, 2, 3, 4], {minLength: 1}), (s, half, levels) => {
    const size = 16 * s;
    const kernel = 2 * half + 1;
    const config = parseModelConfig({model: 'ms-lkseg', ld: {largeKernel: kernel, smallKernel: null, levels}});
    const largest = Math.floor(size / 2 ** (Math.min(...levels) - 1));
    let refused = false;
    try {
      checkModelForData(config, {size, ...RGB});
    } catch {
      refused = true;
    }
    return refused === kernel > 2 * largest - 1;
  }));
  t.pass();
});
