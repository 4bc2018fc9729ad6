// The words of training progress, shared by `train`, `run-one`, `ablate` and `quickstart`: one epoch as
// `epoch 4/20  loss 0.412  val Dice 0.781 (best)`, durations as `14 s` / `3 min` / `2 h 05 min`, and an ETA that is
// a duration or nothing at all (never "INF" or "?": an unknown time left is left out of the line).

/** Where which output goes, as the oclif convention has it (see outputMode). */
export type OutputMode = 'json' | 'lines' | 'live';

/** Whether a stream is an interactive terminal (a Node WriteStream's isTTY; absent means no). */
export interface MaybeTerminal {
  isTTY?: boolean;
}

/**
 * 'json' under --json (JSON lines, for programs); 'live' when stdout and stderr are both terminals (a person watches:
 * a status block redrawn in place on stderr); 'lines' otherwise (a pipe, `nohup`, a CI or SLURM log: one readable
 * line per event, nothing redrawn). TERM=dumb counts as no terminal.
 */
export function outputMode(o: {json: boolean; stdout?: MaybeTerminal; stderr?: MaybeTerminal; env?: NodeJS.ProcessEnv}): OutputMode {
  if (o.json) return 'json';
  const stdout = o.stdout ?? process.stdout;
  const stderr = o.stderr ?? process.stderr;
  const dumb = (o.env ?? process.env)['TERM'] === 'dumb';
  return stdout.isTTY === true && stderr.isTTY === true && !dumb ? 'live' : 'lines';
}

/**
 * A duration in seconds for people: `0.4 s` and `9.5 s` below 10 s, `14 s` below 90 s, `3 min` below 90 min, else
 * `2 h 05 min`; from 100 days on, `over 100 days` (an estimate that far out says only that). Negative or non-finite
 * input is shown as `0 s` (callers pass measured times, never those).
 */
export function formatSeconds(seconds: number): string {
  const s = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s >= 100 * 86_400) return 'over 100 days';
  const minutes = Math.round(s / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** `ETA 3 min`, or '' when the time left is unknown (null) or nothing is left (0): the line then has no ETA. */
export function etaText(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds <= 0) return '';
  return `ETA ${formatSeconds(seconds)}`;
}

/** What an epoch line shows; loss and valDice null before the first epoch ended (or without validation images). */
export interface EpochView {
  /** Epochs finished (1-based number of the last one), and planned in all. */
  epoch: number;
  epochs: number;
  loss: number | null;
  valDice: number | null;
  /** Whether the last epoch's validation Dice is the best so far. */
  best: boolean;
}

/** `epoch 4/20  loss 0.412  val Dice 0.781 (best)`; `val Dice -` without validation images, no loss before one. */
export function epochText(e: EpochView): string {
  const parts = [`epoch ${e.epoch}/${e.epochs}`];
  if (e.loss !== null) parts.push(`loss ${e.loss.toFixed(3)}`);
  if (e.loss !== null || e.valDice !== null) parts.push(`val Dice ${e.valDice === null ? '-' : e.valDice.toFixed(3)}${e.best ? ' (best)' : ''}`);
  return parts.join('  ');
}

/** The parts joined by two spaces, empty ones left out: the fields of one progress line. */
export function joinFields(...parts: readonly string[]): string {
  return parts.filter((p) => p !== '').join('  ');
}

/** `test mDice 0.7812` (4 decimals, as the results table), `test mDice -` without a test summary. */
export function testDiceText(dice: number | null): string {
  return `test mDice ${dice === null ? '-' : dice.toFixed(4)}`;
}
