// `mslk bench engine` as training runs it: the reference net (src/engine/reference-net.ts) trained by the project's
// training step (src/training/step.ts: segmentation loss, memory-releasing backward pass, project optimiser, at
// the default `train` settings), timed per backend by src/engine/bench.ts. It lives here because src/engine sits
// below src/training and must not import it; this file composes the two.
import {benchEngine, type EngineBenchOptions, type EngineBenchResult, type MakeBenchWorkload} from '../engine/bench.js';
import {buildReferenceNet, referenceBatch} from '../engine/reference-net.js';
import {defaultTrainConfig} from '../runs/config.js';
import {stepRunner, type StepSettings} from './step.js';

/** What one benchmarked step is, as progress lines and the report name it. */
export const REFERENCE_STEP_DESCRIPTION = 'reference-net training step';

/** The workload: one `trainingStep` of the reference net (built from `seed`) on a fixed batch, at `settings`. */
export function referenceNetWorkload(settings: StepSettings = defaultTrainConfig(), seed = 0): MakeBenchWorkload {
  return (size, batch) => {
    const net = buildReferenceNet(seed);
    const {x, y} = referenceBatch(batch, size, seed);
    const runner = stepRunner({forward: (images) => net.forward(images), variables: net.params}, settings);
    return {
      description: REFERENCE_STEP_DESCRIPTION,
      step: () => runner.step(x, y),
      dispose: () => {
        runner.dispose();
        net.dispose();
        x.dispose();
        y.dispose();
      },
    };
  };
}

/** Median time of the project's training step of the reference net on each backend (see benchEngine). */
export async function benchTrainingStep(options: EngineBenchOptions): Promise<EngineBenchResult[]> {
  return benchEngine(options, referenceNetWorkload());
}
