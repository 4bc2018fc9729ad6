import {Flags} from '@oclif/core';
import {MslkCommand} from '../../cli/base-command.js';
import {backendsFlag} from '../../cli/flags.js';
import {benchEngine, type EngineBenchResult} from '../../engine/bench.js';

export default class BenchEngine extends MslkCommand {
  static override description = 'Time a training step (forward + backward + Adam) of a fixed reference conv net (3x3 conv, 21x21 depthwise, 1x1 conv, pooling, up-sampling) on each available backend';
  static override examples = [
    '<%= config.bin %> bench engine',
    '<%= config.bin %> bench engine --backend wasm --size 128 --batch 4 --json',
  ];
  static override flags = {
    backend: backendsFlag(),
    size: Flags.integer({description: 'Input height and width in pixels', default: 128, min: 8}),
    batch: Flags.integer({description: 'Images per step', default: 4, min: 1}),
    steps: Flags.integer({description: 'Timed steps per backend', default: 10, min: 2}),
    warmup: Flags.integer({description: 'Untimed steps first (not on cpu)', default: 2, min: 0}),
    budget: Flags.integer({description: 'Seconds of timed steps per backend before stopping early (at least 2 steps run)', default: 120, min: 1}),
  };

  async run(): Promise<{results: EngineBenchResult[]}> {
    const {flags} = await this.parse(BenchEngine);
    const results = await benchEngine({
      backends: flags.backend, size: flags.size, batch: flags.batch,
      steps: flags.steps, warmup: flags.warmup, budgetSeconds: flags.budget,
    });
    this.log(`Reference net, ${flags.size}x${flags.size}, batch ${flags.batch}: forward + backward + Adam update`);
    for (const r of results) {
      if (r.msPerStep === undefined) {
        this.log(`  ${r.backend.padEnd(15)} unavailable: ${r.detail}`);
        continue;
      }
      const speedup = r.speedupVsCpu === undefined ? '' : `, ${r.speedupVsCpu.toFixed(1)}x cpu`;
      this.log(`  ${r.backend.padEnd(15)} ${r.msPerStep.toFixed(1)} ms/step (IQR ${r.msPerStepIqr![0].toFixed(1)}-${r.msPerStepIqr![1].toFixed(1)}, n=${r.steps}), ${r.imagesPerSecond!.toFixed(2)} images/s${speedup}`);
    }
    return {results};
  }
}
