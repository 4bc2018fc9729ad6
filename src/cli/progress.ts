// One progress bar for every long command (training batches, downloads, dataset preparation): on stderr, so
// stdout stays the result, and silent when stderr is not a terminal or the command prints --json.
import cliProgress from 'cli-progress';

/** Values shown in the bar's format through `{name}` tokens. */
export type ProgressPayload = Record<string, string | number>;

export interface Progress {
  /** Shows `value` of `total`; starts a bar when none is running (the first update, or the first after stop). */
  update(value: number, total: number, payload?: ProgressPayload): void;
  /** Ends the running bar, if any; the next update starts a new one. Safe to call any number of times. */
  stop(): void;
  /** Whether anything is drawn (false off a terminal or under --json). */
  readonly visible: boolean;
}

export interface ProgressOptions {
  /** cli-progress format, e.g. 'decoding [{bar}] {value}/{total} pairs'; `{name}` tokens come from the payload. */
  format: string;
  /** True under --json: nothing is drawn. */
  json: boolean;
  /** Where to draw (default process.stderr); a bar is drawn only when it is a TTY. */
  stream?: NodeJS.WriteStream;
}

/** A progress bar that draws only for a person at a terminal. */
export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const visible = Boolean(stream.isTTY) && !options.json;
  let bar: cliProgress.SingleBar | undefined;
  return {
    visible,
    update(value, total, payload = {}) {
      if (!visible) return;
      if (bar === undefined) {
        bar = new cliProgress.SingleBar({format: options.format, hideCursor: true, stream}, cliProgress.Presets.shades_classic);
        bar.start(total, value, payload);
        return;
      }
      bar.setTotal(total);
      bar.update(value, payload);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
