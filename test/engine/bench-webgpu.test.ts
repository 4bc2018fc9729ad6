// `mslk bench engine` and webgpu (SwiftShader here, test/helpers/webgpu.ts): named, it times the reference net's
// training step up to the loss read back and reports the GPU memory TF.js holds; not named, a software adapter is
// skipped as `auto` skips it (its steps take seconds to minutes), with the reason.
import {testAdapter, webgpuTest} from '../helpers/webgpu.js';
import {benchEngine, type BenchWorkload} from '../../src/engine/bench.js';
import {benchTrainingStep} from '../../src/training/engine-bench.js';

const idle = (): BenchWorkload => ({description: 'nothing', step: () => Promise.resolve(0), dispose: () => undefined});

webgpuTest('bench engine --backend webgpu: images per second, the adapter and GPU memory held, no tensor leaked', async (t) => {
  const [r] = await benchTrainingStep({backends: ['webgpu'], size: 8, batch: 2, steps: 2, warmup: 0, budgetSeconds: 120});
  t.true(r!.available, r!.detail);
  t.is(r!.steps, 2);
  t.true(Math.abs(r!.imagesPerSecond! - 2000 / r!.msPerStep!) < 1e-9);
  t.is(r!.leakedTensors, 0);
  t.regex(r!.detail, /WebGPU \(Dawn\) on /);
  t.true((r!.peakGpuBytes ?? 0) > 0, String(r!.peakGpuBytes));
});

webgpuTest('with no backend named, a software WebGPU adapter is skipped with the reason (not started)', async (t) => {
  const results = await benchEngine({size: 8, batch: 1, steps: 1, warmup: 0, budgetSeconds: 10}, idle);
  const webgpu = results.find((r) => r.backend === 'webgpu')!;
  if (testAdapter?.software !== true) {
    t.true(webgpu.available, 'a hardware adapter is benchmarked by default');
    return;
  }
  t.false(webgpu.available);
  t.regex(webgpu.detail, /--backend webgpu/);
  t.is(webgpu.peakGpuBytes, undefined);
});
