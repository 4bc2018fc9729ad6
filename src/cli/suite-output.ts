// What `mslk ablate` and `mslk quickstart` print while a suite trains, in the three output modes (outputMode):
// - json: every executor event as one JSON line on stdout, as the events are (for programs; unchanged format);
// - lines: one readable line per event on stdout (pipes, nohup, CI and SLURM logs):
//     [3/10] full s1  epoch 4/20  loss 0.412  val Dice 0.781 (best)  14 s  ETA 3 min
//     [3/10] full s1  done  test mDice 0.7812  2 min
// - live: on a terminal, a block on stderr redrawn in place, one line per running run (its epoch k/N, last loss and
//   validation Dice) and a suite line (runs done, running, failed, the ETA), and one line for good per finished run.
import type {SuiteEvent} from '../ablations/local-executor.js';
import type {PlanRow} from '../ablations/plan-status.js';
import type {PlannedRun} from '../ablations/plan.js';
import {SuiteProgressModel, type RunProgress} from '../ablations/suite-progress.js';
import {createLiveRegion, type RegionStream} from './live-region.js';
import {epochText, etaText, formatSeconds, joinFields, testDiceText, type OutputMode} from './progress-text.js';

/** Options of suiteOutput. */
export interface SuiteOutputOptions {
  /** The plan's runs (in order) and its report's rows (the estimates). */
  runs: ReadonlyArray<Pick<PlannedRun, 'runId' | 'variant' | 'dataset' | 'fold' | 'seed' | 'config'>>;
  rows?: ReadonlyArray<Pick<PlanRow, 'runId' | 'estimatedSeconds' | 'epochs'>>;
  jobs: number;
  suite: string;
  mode: OutputMode;
  /** Writes text to stdout as given (json and lines modes; default process.stdout.write). */
  write?: (text: string) => void;
  /** Where the live block is drawn (live mode; default process.stderr). */
  terminal?: RegionStream;
  /** Seconds on a monotonic clock (default performance.now() / 1000). */
  now?: () => number;
}

/** A reporter: pass `onEvent` to the executor, call `stop()` when it returns (or throws). */
export interface SuiteOutput {
  onEvent(event: SuiteEvent): void;
  stop(): void;
}

/** `[3/10] full s1`: the run's place in the plan and its label. */
export function runPrefix(run: RunProgress, total: number): string {
  return `[${run.index}/${total}] ${run.label}`;
}

/** The line of an event in lines mode (and of a finished run or a warning in live mode); `run` is the event's run, after model.apply. */
export function suiteEventLine(event: SuiteEvent, run: RunProgress, model: SuiteProgressModel): string {
  const prefix = runPrefix(run, model.runs.length);
  switch (event.type) {
    case 'start':
      return joinFields(prefix, run.epochsDone > 0 ? `resumes after epoch ${run.epochsDone}/${run.epochs}` : `starts: ${run.epochs} epochs`,
        `${event.threads} thread${event.threads === 1 ? '' : 's'}`, etaText(model.etaSeconds()));
    case 'stage':
      return joinFields(prefix, event.message);
    case 'epoch':
      return joinFields(prefix, epochText({epoch: event.epoch, epochs: event.epochs, loss: event.trainLoss, valDice: event.valDice, best: event.best}),
        formatSeconds(event.seconds), etaText(model.etaSeconds()));
    case 'done':
      return event.reused ? joinFields(prefix, 'already done', testDiceText(event.testDice))
        : joinFields(prefix, 'done', testDiceText(event.testDice), run.startedAt !== null && run.endedAt !== null ? formatSeconds(run.endedAt - run.startedAt) : '');
    case 'failed':
      return `${prefix}  failed: ${event.reason}`;
    case 'skipped':
      return `${prefix}  skipped: ${event.reason}`;
    case 'partial':
      return `${prefix}  stopped after epoch ${run.epochsDone}/${run.epochs}: partial, the next call resumes it`;
  }
}

/** The live block: one line per running run, then the suite's line. */
export function liveLines(model: SuiteProgressModel, suite: string): string[] {
  const total = model.runs.length;
  const lines = model.running().map((run) => joinFields(runPrefix(run, total),
    run.loss === null && run.valDice === null
      ? joinFields(`epoch ${run.epochsDone}/${run.epochs}`, run.stage ?? 'starting')
      // After an epoch, a stage is what follows the training (the test evaluation).
      : joinFields(epochText({epoch: run.epochsDone, epochs: run.epochs, loss: run.loss, valDice: run.valDice, best: run.best}), run.stage ?? '')));
  const c = model.counts();
  lines.push(joinFields(`suite ${suite}: ${c.done} of ${total} runs done, ${c.running} running${c.failed > 0 ? `, ${c.failed} failed` : ''}`, etaText(model.etaSeconds())));
  return lines;
}

/** The reporter for `mode` (see the file's comment). */
export function suiteOutput(o: SuiteOutputOptions): SuiteOutput {
  const write = o.write ?? ((text: string) => void process.stdout.write(text));
  const model = new SuiteProgressModel({runs: o.runs, jobs: o.jobs, ...(o.rows ? {rows: o.rows} : {}), ...(o.now ? {now: o.now} : {})});
  if (o.mode === 'json') return {onEvent: (event) => write(JSON.stringify(event) + '\n'), stop: () => undefined};
  if (o.mode === 'lines') {
    return {
      onEvent(event) {
        const run = model.apply(event);
        if (run !== undefined) write(suiteEventLine(event, run, model) + '\n');
      },
      stop: () => undefined,
    };
  }
  const region = createLiveRegion(o.terminal ?? process.stderr, {refresh: () => liveLines(model, o.suite)});
  region.set(liveLines(model, o.suite));
  return {
    onEvent(event) {
      const run = model.apply(event);
      if (run === undefined) return;
      // Finished runs and warnings stay on the screen; the rest is the block, redrawn.
      const lasting = event.type === 'done' || event.type === 'failed' || event.type === 'skipped' || event.type === 'partial' ||
        (event.type === 'stage' && event.message.startsWith('warning'));
      if (lasting) region.log(suiteEventLine(event, run, model));
      region.set(liveLines(model, o.suite));
    },
    stop: () => region.stop(),
  };
}
