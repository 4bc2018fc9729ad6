// How a suite should use the cores: N runs at once with 1 thread each, or 1 run with N threads (oneDNN's threads;
// the rest of a step runs on wasm, one thread). Starts the same training-step timing in N concurrent processes
// with MSLK_THREADS=1, then in one process with MSLK_THREADS=N, and prints images per second for each.
//   node --import=tsx bench/jobs-threads.ts [--models ms-lkseg unet] [--size 128] [--base-width 16] [--steps 8]
import {execFile} from 'node:child_process';
import {availableParallelism} from 'node:os';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {listArg} from './args.js';

const BATCH = 4;

if (process.argv.includes('--child')) {
  const {selectBackend} = await import('../src/engine/backends.js');
  const {parseModelConfig} = await import('../src/models/registry.js');
  const {profileModelTraining} = await import('../src/training/profile-step.js');
  await selectBackend('wasm');
  const config = parseModelConfig({model: listArg('model', ['unet'])[0], baseWidth: Number(listArg('base-width', ['16'])[0])}, 'model');
  const steps = Number(listArg('steps', ['8'])[0]);
  const profile = await profileModelTraining(config, {size: Number(listArg('size', ['128'])[0]), batch: BATCH, trainSteps: steps, latencyRuns: 1, countsOnly: false, budgetMs: Infinity});
  const step = profile.unfused.trainStep;
  if (step === undefined) throw new Error(profile.unfused.trainError ?? 'not timed');
  console.log(JSON.stringify({medianMs: step.medianMs}));
} else {
  const cores = availableParallelism();
  const script = fileURLToPath(import.meta.url);
  const child = async (model: string, threads: number): Promise<number> => {
    const args = ['--import=tsx', script, '--child', '--model', model, '--size', ...listArg('size', ['128']), '--base-width', ...listArg('base-width', ['16']), '--steps', ...listArg('steps', ['8'])];
    const {stdout} = await promisify(execFile)(process.execPath, args, {env: {...process.env, MSLK_THREADS: String(threads)}, maxBuffer: 16 * 2 ** 20});
    return (JSON.parse(stdout.trim().split('\n').at(-1)!) as {medianMs: number}).medianMs;
  };
  console.log(`${cores} cores; training steps at batch ${BATCH}; images per second of the whole machine`);
  console.log(['model', `${cores} runs x 1 thread (ms/step each)`, 'img/s', `1 run x ${cores} threads (ms/step)`, 'img/s', 'ratio'].join('\t'));
  for (const model of listArg('models', ['ms-lkseg', 'unet'])) {
    const parallel = await Promise.all(Array.from({length: cores}, () => child(model, 1)));
    const together = await child(model, cores);
    const parallelRate = parallel.reduce((s, ms) => s + (BATCH * 1000) / ms, 0);
    const togetherRate = (BATCH * 1000) / together;
    console.log([model, parallel.map((ms) => ms.toFixed(0)).join(' / '), parallelRate.toFixed(2), together.toFixed(0), togetherRate.toFixed(2), (parallelRate / togetherRate).toFixed(2)].join('\t'));
  }
}
