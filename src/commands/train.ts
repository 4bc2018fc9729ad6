import {Args, Flags, ux} from '@oclif/core';
import {resolve} from 'node:path';
import {MslkCommand} from '../cli/base-command.js';
import {runConfigKeys} from '../cli/config-keys.js';
import {backendFlag, dataRootFlag, outDirFlag} from '../cli/flags.js';
import {outputMode} from '../cli/progress-text.js';
import {trainOutput} from '../cli/train-output.js';
import {INTERRUPTED_EXIT_CODE, stopOnSignals} from '../cli/interrupt.js';
import {TrainingInterruptedError} from '../training/loop.js';
import {backendChoice, selectBackend} from '../engine/backends.js';
import {resolveRunConfig} from '../runs/config.js';
import {trainRun, type TrainRunResult} from '../runs/train-run.js';

export default class Train extends MslkCommand {
  static override description = 'Train one model on one dataset and evaluate it; writes a run directory runs/<model>-<dataset>-s<seed>-<id> (config, manifest, log, evaluation summaries and per-image CSVs, checkpoints)';
  static override examples = [
    '<%= config.bin %> train configs/quickstart.yaml',
    '<%= config.bin %> train configs/models/ms-lkseg.yaml --dataset kvasir-seg --set model.ld.largeKernel=13 --set train.epochs=50',
    '<%= config.bin %> train configs/torch-twin/ms-lkseg.yaml --dataset ../shared/datasets/kvasir-seg-352 --resume',
  ];
  static override args = {config: Args.string({description: 'Run config (YAML, may `extends` base files)', required: true})};
  static override flags = {
    dataset: Flags.string({description: 'Dataset name or folder (overrides data.dataset)'}),
    set: Flags.string({description: 'Override a config key: --set train.epochs=10 (repeatable)', multiple: true}),
    seed: Flags.integer({description: 'Seed (overrides seed)', min: 0}),
    out: outDirFlag({description: 'Folder of run directories', default: 'runs'}),
    backend: backendFlag(),
    resume: Flags.boolean({description: 'Continue an unfinished run from its last checkpoint'}),
    'data-root': dataRootFlag(),
  };

  static override setKeys = runConfigKeys;

  // One JSON object per line (epochs, then the result), so the stream can be read line by line. Not through
  // this.log, which --json silences.
  protected override logJson(json: unknown): void {
    ux.stdout(JSON.stringify(json));
  }

  async run(): Promise<TrainRunResult> {
    const {args, flags} = await this.parse(Train);
    const config = await resolveRunConfig(args.config, {
      ...(flags.set ? {set: flags.set} : {}), ...(flags.dataset ? {dataset: flags.dataset} : {}), ...(flags.seed !== undefined ? {seed: flags.seed} : {}),
    });
    const {chosen} = await selectBackend(backendChoice(flags.backend));
    const mode = outputMode({json: this.jsonEnabled()});
    // Piped: stage messages on stderr, epoch lines on stdout; on a terminal both above a live line on stderr.
    const progress = mode === 'json' ? undefined : trainOutput({epochs: config.train.epochs, mode, log: (l) => this.log(l), logStage: (l) => this.logToStderr(l)});
    const interrupt = stopOnSignals();
    const result = await trainRun({
      config, signal: interrupt.signal, out: resolve(flags.out), resume: flags.resume, commandLine: ['mslk', ...process.argv.slice(2)].join(' '),
      ...(flags['data-root'] ? {dataRoot: flags['data-root']} : {}),
      onStage: (message) => (progress ? progress.onStage(message) : this.logToStderr(message)),
      onBatch: (p) => progress?.onBatch(p),
      // Under --json one JSON line per epoch; otherwise a line for people (trainOutput).
      onEpoch: (e) => (progress ? progress.onEpoch(e) : this.logJson({type: 'epoch', ...e})),
    }).catch((error: unknown) => {
      if (!(error instanceof TrainingInterruptedError)) throw error;
      throw Object.assign(new Error(`${interrupt.received() ?? 'interrupted'}: the run stopped and is marked partial (${error.message}): continue it with the same command and --resume`), {exitCode: INTERRUPTED_EXIT_CODE});
    }).finally(() => {
      progress?.stop();
      interrupt.dispose();
    });
    const test = result.evaluations.test;
    const summary = `run ${result.runId}${result.reused ? ' (already done: not trained again)' : ''} on ${chosen}: ${result.dir}\n` +
      `test mDice ${test?.dice?.toFixed(4) ?? '-'}, mIoU ${test?.iou?.toFixed(4) ?? '-'} (per-image mean at original resolution, n = ${test?.images ?? 0})`;
    if (!this.jsonEnabled()) this.log(summary);
    return result;
  }
}
