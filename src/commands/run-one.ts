import {Args, ux} from '@oclif/core';
import {MslkCommand} from '../cli/base-command.js';
import {backendFlag, dataRootFlag} from '../cli/flags.js';
import {INTERRUPTED_EXIT_CODE, RUN_OWNED_EXIT_CODE, stopOnSignals} from '../cli/interrupt.js';
import {backendChoice, selectBackend} from '../engine/backends.js';
import {RunLockedError} from '../runs/lock.js';
import {runOne} from '../runs/run-one.js';
import {TrainingInterruptedError} from '../training/loop.js';
import {trainOutput} from '../cli/train-output.js';

/** The result line of run-one. */
interface RunOneOutput {
  runId: string;
  dir: string;
  reused: boolean;
  testDice: number | null;
}

export default class RunOne extends MslkCommand {
  static override description = 'Train and evaluate one prepared run directory of a suite (resumes it when partial; returns at once when done). Exit 0 done, 1 failed, 75 owned by another live process, 130 interrupted';
  static override examples = ['<%= config.bin %> run-one runs/unet-synthetic-s0-9b7552fcc8b7 --json'];
  static override args = {dir: Args.string({description: 'Run directory holding config.json', required: true})};
  static override flags = {
    'data-root': dataRootFlag(),
    backend: backendFlag(),
  };

  // Events as JSON lines on stdout while the run goes on (not through this.log, which --json silences).
  protected override logJson(json: unknown): void {
    ux.stdout(JSON.stringify(json));
  }

  async run(): Promise<RunOneOutput> {
    const {args, flags} = await this.parse(RunOne);
    await selectBackend(backendChoice(flags.backend));
    const interrupt = stopOnSignals();
    // Without --json (a SLURM task's log, a person): readable lines on stderr, stdout keeps the result line.
    let progress: ReturnType<typeof trainOutput> | undefined;
    try {
      const result = await runOne(args.dir, {
        ...(flags['data-root'] ? {dataRoot: flags['data-root']} : {}),
        signal: interrupt.signal,
        commandLine: ['mslk', ...process.argv.slice(2)].join(' '),
        onEvent: (event) => {
          if (this.jsonEnabled()) {
            this.logJson(event);
            return;
          }
          if (event.type === 'stage') this.logToStderr(event.message);
          else if (event.type === 'epoch') {
            progress ??= trainOutput({epochs: event.epochs, mode: 'lines', label: `run ${event.runId}`, log: (l) => this.logToStderr(l), logStage: (l) => this.logToStderr(l)});
            progress.onEpoch(event);
          }
        },
      });
      const output = {runId: result.runId, dir: result.dir, reused: result.reused, testDice: result.evaluations.test?.dice ?? null};
      if (!this.jsonEnabled()) this.log(`run ${output.runId}${output.reused ? ' (already done)' : ''}: ${output.dir}, test mDice ${output.testDice?.toFixed(4) ?? '-'}`);
      return output;
    } catch (error) {
      if (error instanceof RunLockedError) throw Object.assign(error, {exitCode: RUN_OWNED_EXIT_CODE});
      if (error instanceof TrainingInterruptedError) {
        throw Object.assign(new Error(`${interrupt.received() ?? 'interrupted'}: run ${args.dir} stopped and is marked partial (${error.message}): \`mslk run-one ${args.dir}\` or the next \`mslk ablate\` continues it`), {exitCode: INTERRUPTED_EXIT_CODE});
      }
      throw error;
    } finally {
      interrupt.dispose();
    }
  }
}
