// A block of status lines at the bottom of a terminal, redrawn in place (the runs that train, the suite's ETA),
// with permanent lines (a finished run, a warning) printed above it. Own code rather than cli-progress's MultiBar:
// that one redraws on a timer (an epoch of a tiny run could end and vanish between two frames), draws bars we do not
// show, and computes its own ETA from bar values ("ETA INF" before the value moves). This draws synchronously on
// every change, with the text given, and refreshes on a timer only to count the ETA down.
import {clearScreenDown, cursorTo, moveCursor} from 'node:readline';

/** What LiveRegion draws on: a terminal's stream (process.stderr), or a stand-in in tests. */
export interface RegionStream {
  write(text: string): boolean;
  /** Terminal width in characters; lines are cut to fit (a wrapped line would break the redraw). */
  columns?: number;
}

export interface LiveRegion {
  /** Replaces the block with `lines` and draws it now. */
  set(lines: readonly string[]): void;
  /**
   * Prints `line` for good above the block: the block is cleared, the line written (to `to`, default the region's
   * stream; stdout on the same terminal keeps the order, since writes to a TTY are synchronous), the block drawn again.
   */
  log(line: string, to?: {write(text: string): boolean}): void;
  /** Clears the block and stops the refresh timer; later calls do nothing. */
  stop(): void;
}

/** Options of createLiveRegion. */
export interface LiveRegionOptions {
  /** Called every `refreshMs` for the block's lines (to count an ETA down between events); none: no timer. */
  refresh?: () => readonly string[];
  /** Default 1000 ms. */
  refreshMs?: number;
}

/** A live region on `stream` (a TTY: the caller decides, see outputMode). */
export function createLiveRegion(stream: RegionStream, o: LiveRegionOptions = {}): LiveRegion {
  let drawn = 0;
  let lines: readonly string[] = [];
  let stopped = false;
  const target = stream as unknown as NodeJS.WritableStream;
  const clear = (): void => {
    if (drawn === 0) return;
    moveCursor(target, 0, -drawn);
    cursorTo(target, 0);
    clearScreenDown(target);
    drawn = 0;
  };
  const draw = (): void => {
    clear();
    if (lines.length === 0) return;
    const width = Math.max(20, (stream.columns || 80) - 1);
    stream.write(lines.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l)).join('\n') + '\n');
    drawn = lines.length;
  };
  const timer = o.refresh === undefined ? undefined : setInterval(() => {
    lines = o.refresh!();
    draw();
  }, o.refreshMs ?? 1000);
  // The timer never keeps the process alive: the work it shows does.
  timer?.unref();
  return {
    set(next) {
      if (stopped) return;
      lines = next;
      draw();
    },
    log(line, to) {
      if (stopped) {
        (to ?? stream).write(`${line}\n`);
        return;
      }
      clear();
      (to ?? stream).write(`${line}\n`);
      draw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      clear();
    },
  };
}
