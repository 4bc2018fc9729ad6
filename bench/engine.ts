// Engine benchmark for the issue notes: the reference net's training step on each available backend at 64 and
// 128 px, batch 4 (`mslk bench engine` measures one size at a time). The pure-JS cpu backend takes about a
// minute per step at 64 px and several at 128: pass --no-cpu to skip it.
//   node --import=tsx bench/engine.ts [--no-cpu]
import {benchEngine} from '../src/engine/bench.js';
import type {BackendName} from '../src/engine/backends.js';

const backends: BackendName[] = process.argv.includes('--no-cpu')
  ? ['tensorflow', 'tensorflow-cpu', 'wasm'] : ['tensorflow', 'tensorflow-cpu', 'wasm', 'cpu'];
for (const size of [64, 128]) {
  const results = await benchEngine({backends, size, batch: 4, steps: 10, warmup: 2, budgetSeconds: 120});
  for (const r of results) {
    if (r.msPerStep === undefined) {
      console.log(`${size} px  ${r.backend.padEnd(15)} unavailable: ${r.detail}`);
    } else {
      const speedup = r.speedupVsCpu === undefined ? '' : `  ${r.speedupVsCpu.toFixed(0)}x cpu`;
      console.log(`${size} px  ${r.backend.padEnd(15)} ${r.msPerStep.toFixed(1).padStart(9)} ms/step  ${r.imagesPerSecond!.toFixed(2).padStart(7)} images/s  n=${r.steps}${speedup}`);
    }
  }
}
