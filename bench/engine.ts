// Engine benchmark for the issue notes: the project's training step of the reference net on each available backend
// at 64 and 128 px, batch 4 (`mslk bench engine` measures one size at a time). The pure-JS cpu backend takes about a
// minute per step at 64 px and several at 128, so it runs only with --cpu.
//   node --import=tsx bench/engine.ts [--cpu]
import {DEFAULT_BENCH_BACKENDS} from '../src/engine/bench.js';
import {benchTrainingStep} from '../src/training/engine-bench.js';

const backends = process.argv.includes('--cpu') ? [...DEFAULT_BENCH_BACKENDS, 'cpu' as const] : DEFAULT_BENCH_BACKENDS;
for (const size of [64, 128]) {
  const results = await benchTrainingStep({
    backends, size, batch: 4, steps: 10, warmup: 2, budgetSeconds: 120,
    onProgress: (p) => console.error(`  ${p.task}: ${p.done}/${p.total}`),
  });
  for (const r of results) {
    if (r.msPerStep === undefined) {
      console.log(`${size} px  ${r.backend.padEnd(15)} unavailable: ${r.detail}`);
    } else {
      const speedup = r.speedupVsCpu === undefined ? '' : `  ${r.speedupVsCpu.toFixed(0)}x cpu`;
      console.log(`${size} px  ${r.backend.padEnd(15)} ${r.msPerStep.toFixed(1).padStart(9)} ms/step  ${r.imagesPerSecond!.toFixed(2).padStart(7)} images/s  n=${r.steps}${speedup}`);
    }
  }
}
