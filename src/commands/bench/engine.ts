import {Flags} from '@oclif/core';
import {MslkCommand} from '../../cli/base-command.js';
import {backendsFlag} from '../../cli/flags.js';
import {formatBytes} from '../../cli/format.js';
import {progressLines} from '../../cli/progress-lines.js';
import {DEFAULT_BENCH_BACKENDS, type EngineBenchResult} from '../../engine/bench.js';
import {benchTrainingStep, REFERENCE_STEP_DESCRIPTION} from '../../training/engine-bench.js';

export default class BenchEngine extends MslkCommand {
  static override description = 'Time the training step training runs (segmentation loss, mslk backward pass, optimiser update) of a fixed reference conv net (3x3 conv, 21x21 depthwise, 1x1 conv, pooling, up-sampling) on each available backend, each step up to its loss read back (a GPU finishes the step); progress on stderr';
  static override examples = [
    '<%= config.bin %> bench engine',
    '<%= config.bin %> bench engine --backend wasm --size 128 --batch 4 --json',
    '<%= config.bin %> bench engine --backend wasm --backend cpu --size 64 --budget 300',
    '<%= config.bin %> bench engine --backend webgpu --size 256 --batch 8',
  ];
  static override flags = {
    backend: backendsFlag({description: `Only this backend (repeatable; default: ${DEFAULT_BENCH_BACKENDS.join(', ')}; the debugging-only cpu backend runs only when named)`}),
    size: Flags.integer({description: 'Input height and width in pixels', default: 128, min: 8}),
    batch: Flags.integer({description: 'Images per step', default: 4, min: 1}),
    steps: Flags.integer({description: 'Timed steps per backend', default: 10, min: 1}),
    warmup: Flags.integer({description: 'Untimed steps first (not on cpu)', default: 2, min: 0}),
    budget: Flags.integer({description: 'Seconds per backend for warm-up and timed steps: no step starts that would end later (a running step is not interrupted; at least 1 timed step)', default: 120, min: 1}),
  };

  async run(): Promise<{results: EngineBenchResult[]}> {
    const {flags} = await this.parse(BenchEngine);
    const results = await benchTrainingStep({
      ...(flags.backend ? {backends: flags.backend} : {}), size: flags.size, batch: flags.batch,
      steps: flags.steps, warmup: flags.warmup, budgetSeconds: flags.budget,
      onProgress: progressLines(),
    });
    this.log(`${REFERENCE_STEP_DESCRIPTION}, ${flags.size}x${flags.size}, batch ${flags.batch}: forward, segmentation loss, mslk backward pass, optimiser update (as training runs it)`);
    for (const r of results) {
      if (r.msPerStep === undefined) {
        this.log(`  ${r.backend.padEnd(15)} unavailable: ${r.detail}`);
        continue;
      }
      const speedup = r.speedupVsCpu === undefined ? '' : `, ${r.speedupVsCpu.toFixed(1)}x cpu`;
      const stopped = r.budgetExhausted ? ' (budget spent)' : '';
      this.log(`  ${r.backend.padEnd(15)} ${r.msPerStep.toFixed(1)} ms/step (IQR ${r.msPerStepIqr![0].toFixed(1)}-${r.msPerStepIqr![1].toFixed(1)}, n=${r.steps}${stopped}), ${r.imagesPerSecond!.toFixed(2)} images/s${speedup}`);
      if (r.backend === 'webgpu') {
        const memory = r.peakGpuBytes ? `; GPU memory high-water mark ${formatBytes(r.peakGpuBytes)}` : '';
        this.log(`  ${''.padEnd(15)} ${r.detail}${memory}`);
      }
    }
    return {results};
  }
}
