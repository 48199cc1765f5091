/** Receives progress of a long operation (download, hashing). */
export interface Progress {
  /** `done` of `total` bytes so far. */
  update(done: number, total: number): void;
  /** The operation ended (successfully or not); finish the line. */
  end(): void;
}

/** Options for {@linkcode createProgress}. */
export interface ProgressOptions {
  /** What is being done, e.g. `downloading skywire 0.2.0`. */
  label: string;
  /** Writes text as is (no newline added). */
  write: (text: string) => void;
  /** Draw a bar redrawn in place (a terminal) instead of plain periodic lines. */
  terminal: boolean;
  /** Clock, for tests. */
  now?: () => number;
}

const MIB = 1024 * 1024;
const BAR_WIDTH = 24;
/** Plain mode prints a line per this many percent, and at least this often (ms) when slow. */
const PLAIN_STEP_PERCENT = 10;
const PLAIN_INTERVAL_MS = 10_000;
const TERMINAL_REDRAW_MS = 100;

function mib(bytes: number): string {
  return (bytes / MIB).toFixed(1);
}

/**
 * A progress display: on a terminal a bar redrawn in place at most ten times a second; otherwise
 * (journald, pipes) a plain line every 10 % or every 10 s, so logs stay readable.
 */
export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const start = now();
  let lastDraw = 0;
  let lastPercent = -PLAIN_STEP_PERCENT;
  let lastDone = -1;
  let lastTotal = 0;
  let drawn = false;

  const line = (done: number, total: number): string => {
    const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
    const seconds = Math.max(0.001, (now() - start) / 1000);
    return `${options.label}: ${percent}% ${mib(done)}/${mib(total)} MiB ` +
      `${mib(done / seconds)} MiB/s`;
  };

  const draw = (done: number, total: number, final: boolean) => {
    if (options.terminal) {
      const filled = total > 0 ? Math.round((done / total) * BAR_WIDTH) : BAR_WIDTH;
      const bar = "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled);
      options.write(`\r[${bar}] ${line(done, total)}\x1b[K${final ? "\n" : ""}`);
    } else {
      options.write(line(done, total) + "\n");
    }
    drawn = true;
  };

  return {
    update(done, total) {
      lastDone = done;
      lastTotal = total;
      const t = now();
      if (options.terminal) {
        if (t - lastDraw < TERMINAL_REDRAW_MS && done < total) return;
      } else {
        const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
        const due = percent - lastPercent >= PLAIN_STEP_PERCENT ||
          t - lastDraw >= PLAIN_INTERVAL_MS;
        if (!due) return;
        lastPercent = percent - (percent % PLAIN_STEP_PERCENT);
      }
      lastDraw = t;
      draw(done, total, false);
    },
    end() {
      if (lastDone < 0) return;
      if (options.terminal) draw(lastDone, lastTotal, true);
      else if (!drawn || lastPercent < 100) draw(lastDone, lastTotal, false);
      lastDone = -1;
    },
  };
}
