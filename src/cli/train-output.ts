// What `mslk train` (and `mslk run-one` without --json) prints while its one run trains:
// - lines (piped, a SLURM task log): one line per epoch, `epoch 4/20  loss 0.412  val Dice 0.781 (best)  14 s  ETA 3 min`;
// - live (a terminal): the same epoch lines for good, under them one line redrawn in place with the epoch under way,
//   its batch, the running loss and the run's ETA.
// The ETA is the epochs left times the mean measured epoch; before the first epoch ends, the epoch is estimated from
// the batches timed so far (the first one, which builds the graph, left out). Unknown: no ETA shown, never "INF".
import {suiteEtaSeconds} from '../ablations/suite-progress.js';
import type {BatchProgress, EpochLog} from '../training/loop.js';
import {createLiveRegion, type LiveRegion, type RegionStream} from './live-region.js';
import {epochText, etaText, formatSeconds, joinFields} from './progress-text.js';

/** Options of trainOutput. */
export interface TrainOutputOptions {
  /** Epochs the run trains in all (train.epochs). */
  epochs: number;
  mode: 'lines' | 'live';
  /** Put before every line (e.g. `run 9b7552fcc8b7`); none by default. */
  label?: string;
  /** Writes one line for good: an epoch (stdout for train). */
  log: (line: string) => void;
  /** Writes a stage message (preparing, evaluating) in lines mode; live mode puts them above the live line. */
  logStage: (line: string) => void;
  /** Where the live line is drawn (default process.stderr). */
  terminal?: RegionStream;
  /** Seconds on a monotonic clock (default performance.now() / 1000). */
  now?: () => number;
}

/** The callbacks for trainRun, and stop() for when it returns or throws. */
export interface TrainOutput {
  onStage(message: string): void;
  onBatch(p: BatchProgress): void;
  onEpoch(e: EpochLog): void;
  stop(): void;
}

/** One run's progress: what the live line and the ETA need. */
class OneRun {
  epochsDone = 0;
  epoch = 0;
  batch = 0;
  batches = 0;
  loss: number | null = null;
  last: EpochLog | null = null;
  readonly epochSeconds: number[] = [];
  /** Clock seconds at the end of the first batch of the epoch under way, its number, and when the epoch began. */
  private firstBatch: {at: number; batch: number} | null = null;
  private epochStart: number | null = null;

  constructor(readonly epochs: number, private readonly now: () => number) {}

  batchDone(p: BatchProgress): void {
    const at = this.now();
    if (p.epoch !== this.epoch) {
      // A new epoch (or the first one of a resumed run): its batches are timed afresh.
      this.epoch = p.epoch;
      this.epochsDone = Math.max(this.epochsDone, p.epoch - 1);
      this.firstBatch = {at, batch: p.batch};
      this.epochStart ??= at;
    }
    Object.assign(this, {batch: p.batch, batches: p.batches, loss: p.loss});
  }

  epochDone(e: EpochLog): void {
    this.last = e;
    this.epochsDone = e.epoch;
    this.epochSeconds.push(e.seconds);
    this.epochStart = this.now();
    this.firstBatch = null;
    this.epoch = 0;
  }

  /** Seconds the run still trains, null before anything is timed. */
  eta(): number | null {
    const now = this.now();
    let perEpoch: number | null = null;
    if (this.epochSeconds.length > 0) perEpoch = this.epochSeconds.reduce((a, b) => a + b, 0) / this.epochSeconds.length;
    else if (this.firstBatch !== null && this.batch > this.firstBatch.batch) perEpoch = ((now - this.firstBatch.at) / (this.batch - this.firstBatch.batch)) * this.batches;
    if (perEpoch === null) return null;
    return suiteEtaSeconds({unfinished: [{epochs: this.epochs, epochsDone: this.epochsDone, secondsPerEpoch: perEpoch, inEpochSeconds: this.epochStart === null ? 0 : now - this.epochStart}], epochSeconds: [], jobs: 1});
  }
}

/** `epoch 4/20  loss 0.412  val Dice 0.781 (best)  14 s  ETA 3 min` for a finished epoch. */
export function epochLine(e: EpochLog, epochs: number, eta: number | null): string {
  return joinFields(epochText({epoch: e.epoch, epochs, loss: e.trainLoss, valDice: e.valDice, best: e.best}), formatSeconds(e.seconds), etaText(eta));
}

/** The reporter for `o.mode` (see the file's comment). */
export function trainOutput(o: TrainOutputOptions): TrainOutput {
  const now = o.now ?? (() => performance.now() / 1000);
  const run = new OneRun(o.epochs, now);
  const prefix = (line: string) => joinFields(o.label ?? '', line);
  if (o.mode === 'lines') {
    return {
      onStage: (message) => o.logStage(prefix(message)),
      onBatch: (p) => run.batchDone(p),
      onEpoch(e) {
        run.epochDone(e);
        o.log(prefix(epochLine(e, o.epochs, run.eta())));
      },
      stop: () => undefined,
    };
  }
  const liveLine = (): string[] => {
    if (run.epoch === 0 && run.last === null) return [];
    const last = run.last === null ? '' : `val Dice ${run.last.valDice === null ? '-' : run.last.valDice.toFixed(3)}${run.last.best ? ' (best)' : ''}`;
    const current = run.epoch === 0 ? `epoch ${run.epochsDone}/${o.epochs}` : joinFields(`epoch ${run.epoch}/${o.epochs}`, `batch ${run.batch}/${run.batches}`, run.loss === null ? '' : `loss ${run.loss.toFixed(3)}`);
    return [prefix(joinFields(current, last, etaText(run.eta())))];
  };
  const region: LiveRegion = createLiveRegion(o.terminal ?? process.stderr, {refresh: liveLine});
  const stdout = {write: (text: string) => {
    o.log(text.replace(/\n$/, ''));
    return true;
  }};
  return {
    onStage: (message) => region.log(prefix(message), stdout),
    onBatch(p) {
      run.batchDone(p);
      region.set(liveLine());
    },
    onEpoch(e) {
      run.epochDone(e);
      region.log(prefix(epochLine(e, o.epochs, run.eta())), stdout);
      region.set(liveLine());
    },
    stop: () => region.stop(),
  };
}
