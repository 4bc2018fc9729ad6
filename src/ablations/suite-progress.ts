// Where a running suite stands, from the local executor's events: each run's position in the plan, epoch k/N, last
// loss and validation Dice, outcome and test mDice, and the whole suite's time left. The time left comes from the
// plan's estimate (PlanReport rows) until epochs are measured, then from the measured epochs (the plan's estimate of
// a run not started yet scaled by how far the measured runs were from theirs). Pure state: times come from a clock
// passed in; src/cli/suite-output.ts draws it.
import type {SuiteEvent} from './local-executor.js';
import type {PlanRow} from './plan-status.js';
import type {PlannedRun} from './plan.js';

/** One run as the ETA sees it. */
export interface SuiteEtaRun {
  /** Epochs in all, and those already finished (in this process or an earlier one). */
  epochs: number;
  epochsDone: number;
  /** Seconds one epoch of this run takes (measured, or the plan's estimate); absent or null: the mean measured epoch. */
  secondsPerEpoch?: number | null;
  /** Seconds spent in the epoch now under way (0 for a run not training). */
  inEpochSeconds?: number;
  /** Seconds the run needs besides its epochs (starting, preparing the data, the test evaluation); default 0. */
  extraSeconds?: number;
}

/** What the time left is estimated from. */
export interface SuiteEtaInput {
  /** Per unfinished run (neither done, failed nor partial). */
  unfinished: readonly SuiteEtaRun[];
  /** Seconds of every epoch measured so far (any run): the fallback for a run without its own time per epoch. */
  epochSeconds: readonly number[];
  /** Runs at once. */
  jobs: number;
}

/**
 * Seconds left: per unfinished run its epochs still to train times its seconds per epoch (less the part of the
 * current epoch already spent), summed and divided by the runs that can go at once (min(jobs, unfinished runs)),
 * and never less than the longest run's own time left. Null when a run has no time per epoch and no epoch was
 * measured (nothing to estimate from: shown as no ETA, never "INF"); 0 when nothing is left.
 */
export function suiteEtaSeconds(input: SuiteEtaInput): number | null {
  const mean = input.epochSeconds.length === 0 ? null : input.epochSeconds.reduce((a, b) => a + b, 0) / input.epochSeconds.length;
  let sum = 0;
  let longest = 0;
  for (const r of input.unfinished) {
    const left = Math.max(0, r.epochs - r.epochsDone);
    if (left === 0) continue;
    const perEpoch = r.secondsPerEpoch ?? mean;
    if (perEpoch === null) return null;
    // The epoch under way counts as what is left of it, never less than nothing: an epoch slower than the estimate
    // does not eat into the epochs after it.
    const seconds = (left - 1) * perEpoch + Math.max(0, perEpoch - Math.min(r.inEpochSeconds ?? 0, perEpoch)) + (r.extraSeconds ?? 0);
    sum += seconds;
    longest = Math.max(longest, seconds);
  }
  return Math.max(longest, sum / Math.max(1, Math.min(input.jobs, input.unfinished.length)));
}

/** Where one run of the plan is in this call. */
export type RunPhase = 'pending' | 'running' | 'done' | 'failed' | 'partial' | 'skipped';

/** One run as the progress display shows it. */
export interface RunProgress {
  /** 1-based position in the plan. */
  index: number;
  runId: string;
  /** `full s1`; with the dataset when the suite has several, with `f<k>` for a fold: `full kvasir-seg f0 s1`. */
  label: string;
  phase: RunPhase;
  epochs: number;
  /** Epochs finished (from the plan's status at the start, then from the epoch events). */
  epochsDone: number;
  /** Last epoch's training loss and validation Dice (null before an epoch ended here). */
  loss: number | null;
  valDice: number | null;
  /** Whether the last epoch's validation Dice was the best so far. */
  best: boolean;
  /** The last stage message of the run (preparing the data, evaluating), null once an epoch ended. */
  stage: string | null;
  /** Test mDice once done (null without a test summary). */
  testDice: number | null;
  /** Done before this call (or by another process): not trained here. */
  reused: boolean;
  /** Why it failed or was skipped. */
  reason: string | null;
  /** Clock seconds when it started here, and when its last epoch ended (null before). */
  startedAt: number | null;
  lastEpochAt: number | null;
  /** Clock seconds when it ended here (done, failed, partial). */
  endedAt: number | null;
  /** Seconds of the epochs it trained in this process. */
  epochSeconds: number[];
  /** The plan's estimate of one of its epochs (its estimatedSeconds over the epochs it had left), null without. */
  plannedSecondsPerEpoch: number | null;
}

/** Options of SuiteProgressModel. */
export interface SuiteProgressOptions {
  runs: ReadonlyArray<Pick<PlannedRun, 'runId' | 'variant' | 'dataset' | 'fold' | 'seed' | 'config'>>;
  /** The plan report's rows (matched by run id): epochs done at the start and the estimate of each run. */
  rows?: ReadonlyArray<Pick<PlanRow, 'runId' | 'estimatedSeconds' | 'epochs'>>;
  /** Runs at once. */
  jobs: number;
  /** Seconds on a monotonic clock; default performance.now() / 1000. */
  now?: () => number;
}

/** How many runs are in each phase. */
export type PhaseCounts = Record<RunPhase, number>;

/** The state of a suite's runs, fed with executor events. */
export class SuiteProgressModel {
  readonly runs: readonly RunProgress[];
  readonly jobs: number;
  readonly now: () => number;
  private readonly byId = new Map<string, RunProgress>();

  constructor(o: SuiteProgressOptions) {
    this.jobs = Math.max(1, o.jobs);
    this.now = o.now ?? (() => performance.now() / 1000);
    const rows = new Map((o.rows ?? []).map((r) => [r.runId, r]));
    const datasets = new Set(o.runs.map((r) => r.dataset));
    this.runs = o.runs.map((run, i) => {
      const row = rows.get(run.runId);
      const epochs = run.config.train.epochs;
      const epochsDone = row?.epochs.done ?? 0;
      const label = [run.variant, ...(datasets.size > 1 ? [run.dataset] : []), ...(run.fold !== null ? [`f${run.fold}`] : []), `s${run.seed}`].join(' ');
      const estimate = row?.estimatedSeconds ?? null;
      return {
        index: i + 1, runId: run.runId, label, phase: 'pending', epochs, epochsDone, loss: null, valDice: null, best: false,
        stage: null, testDice: null, reused: false, reason: null, startedAt: null, lastEpochAt: null, endedAt: null, epochSeconds: [],
        plannedSecondsPerEpoch: estimate === null || epochsDone >= epochs ? null : estimate / (epochs - epochsDone),
      };
    });
    for (const run of this.runs) if (!this.byId.has(run.runId)) this.byId.set(run.runId, run);
  }

  /** Applies one executor event; returns the run it concerns (undefined for a run id not in the plan). */
  apply(event: SuiteEvent): RunProgress | undefined {
    const run = this.byId.get(event.runId);
    if (run === undefined) return undefined;
    const now = this.now();
    switch (event.type) {
      case 'start':
        Object.assign(run, {phase: 'running', startedAt: now, lastEpochAt: null, stage: null, reason: null});
        break;
      case 'stage':
        run.stage = event.message;
        break;
      case 'epoch':
        Object.assign(run, {phase: 'running', epochsDone: event.epoch, epochs: event.epochs, loss: event.trainLoss, valDice: event.valDice,
          best: event.best, stage: null, lastEpochAt: now});
        // Epochs resumed from an earlier attempt are not measured here: only this process's epochs count.
        run.epochSeconds.push(event.seconds);
        break;
      case 'done':
        Object.assign(run, {phase: 'done', testDice: event.testDice, reused: event.reused, endedAt: now, stage: null});
        if (!event.reused) run.epochsDone = run.epochs;
        break;
      case 'failed':
        Object.assign(run, {phase: 'failed', reason: event.reason, endedAt: now, stage: null});
        break;
      case 'skipped':
        Object.assign(run, {phase: 'skipped', reason: event.reason, stage: null});
        break;
      case 'partial':
        Object.assign(run, {phase: 'partial', endedAt: now, stage: null});
        break;
    }
    return run;
  }

  /** Runs training now, in plan order. */
  running(): RunProgress[] {
    return this.runs.filter((r) => r.phase === 'running');
  }

  counts(): PhaseCounts {
    const counts: PhaseCounts = {pending: 0, running: 0, done: 0, failed: 0, partial: 0, skipped: 0};
    for (const r of this.runs) counts[r.phase]++;
    return counts;
  }

  /**
   * Seconds until the whole suite is done (suiteEtaSeconds): a run's own measured epochs, else the plan's estimate
   * of its epochs times the mean ratio measured / planned of the runs that have both (1 before any), else the mean
   * measured epoch. Each run also needs what the runs trained here spent besides their epochs (start, data, test
   * evaluation; a mean, 0 before a run ended here): all of it for a run not started, half for a running one (what
   * comes before its first epoch is then behind it or counted in its epoch under way). Null when nothing is known
   * yet (no plan estimate, no epoch measured); 0 when nothing is left.
   */
  etaSeconds(): number | null {
    const now = this.now();
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const overheads = this.runs.filter((r) => r.phase === 'done' && r.startedAt !== null && r.endedAt !== null && r.epochSeconds.length > 0)
      .map((r) => Math.max(0, r.endedAt! - r.startedAt! - r.epochSeconds.reduce((a, b) => a + b, 0)));
    const overhead = overheads.length > 0 ? mean(overheads) : 0;
    const ratios = this.runs.filter((r) => r.epochSeconds.length > 0 && r.plannedSecondsPerEpoch !== null && r.plannedSecondsPerEpoch > 0)
      .map((r) => mean(r.epochSeconds) / r.plannedSecondsPerEpoch!);
    const ratio = ratios.length > 0 ? mean(ratios) : 1;
    const unfinished = this.runs.filter((r) => r.phase === 'pending' || r.phase === 'running' || r.phase === 'skipped').map((r) => ({
      epochs: r.epochs, epochsDone: r.epochsDone,
      secondsPerEpoch: r.epochSeconds.length > 0 ? mean(r.epochSeconds) : r.plannedSecondsPerEpoch === null ? null : r.plannedSecondsPerEpoch * ratio,
      inEpochSeconds: r.phase === 'running' ? now - (r.lastEpochAt ?? r.startedAt ?? now) : 0,
      extraSeconds: r.phase === 'running' ? overhead / 2 : overhead,
    }));
    return suiteEtaSeconds({unfinished, epochSeconds: this.runs.flatMap((r) => r.epochSeconds), jobs: this.jobs});
  }
}
