import { LOG_LEVELS, type LogLevel, type LogSink } from "./logger.ts";

/** One line kept by a {@linkcode LogRing}. */
export interface LogEntry {
  /** Position in the ring's history, from 1, never reused. */
  seq: number;
  /** The line's level. */
  level: LogLevel;
  /** The finished line, as the logger wrote it (secrets already redacted). */
  line: string;
}

/** Options for {@linkcode LogRing}. */
export interface LogRingOptions {
  /** Lines kept; older ones are dropped first (default 1,000). */
  capacity?: number;
}

/** What {@linkcode LogRing.tail} returns. */
export interface LogTailOptions {
  /** Only lines at this level or above. */
  minLevel?: LogLevel;
  /** At most this many of the newest matching lines. */
  limit?: number;
  /** Only lines with a higher {@linkcode LogEntry.seq}. */
  after?: number;
}

/** Lines a ring keeps when no capacity is given. */
export const DEFAULT_LOG_RING_CAPACITY = 1_000;

/** Whether `level` is at `min` or above. */
export function levelAtLeast(level: LogLevel, min: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(min);
}

/**
 * The newest log lines in memory, for a UI that tails the log: a fixed-size ring (memory is
 * bounded by the capacity, whatever is logged) plus listeners told of each new line. Use
 * {@linkcode LogRing.sink} as a logger's sink, or beside another with {@linkcode teeSink}.
 */
export class LogRing {
  readonly #capacity: number;
  readonly #entries: LogEntry[] = [];
  readonly #listeners = new Set<(entry: LogEntry) => void>();
  #start = 0;
  #seq = 0;

  /** Create an empty ring. */
  constructor(options: LogRingOptions = {}) {
    const capacity = options.capacity ?? DEFAULT_LOG_RING_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError("log ring capacity must be a whole number >= 1");
    }
    this.#capacity = capacity;
  }

  /** A sink that keeps each line (bound: pass it around freely). */
  readonly sink: LogSink = (line, level) => {
    const entry: LogEntry = { seq: ++this.#seq, level, line };
    if (this.#entries.length < this.#capacity) {
      this.#entries.push(entry);
    } else {
      this.#entries[this.#start] = entry;
      this.#start = (this.#start + 1) % this.#capacity;
    }
    for (const listener of this.#listeners) {
      try {
        listener(entry);
      } catch {
        // A listener's failure is its own; logging must go on.
      }
    }
  };

  /** Lines kept now. */
  get size(): number {
    return this.#entries.length;
  }

  /** Listeners now. */
  get listeners(): number {
    return this.#listeners.size;
  }

  /** The newest kept lines that match, oldest first. */
  tail(options: LogTailOptions = {}): LogEntry[] {
    const { minLevel, after = 0 } = options;
    const limit = options.limit ?? this.#capacity;
    const out: LogEntry[] = [];
    const n = this.#entries.length;
    // Walk from the newest back, so a small limit reads only what it returns.
    for (let i = n - 1; i >= 0 && out.length < limit; i--) {
      const entry = this.#entries[(this.#start + i) % n];
      if (entry.seq <= after) break;
      if (minLevel && !levelAtLeast(entry.level, minLevel)) continue;
      out.push(entry);
    }
    return out.reverse();
  }

  /** Call `listener` with each new line until the returned function is called. */
  subscribe(listener: (entry: LogEntry) => void): () => void {
    // A wrapper per call, so subscribing one function twice needs two unsubscribes.
    const own = (entry: LogEntry) => listener(entry);
    this.#listeners.add(own);
    return () => this.#listeners.delete(own);
  }
}

/** A sink that hands each line to every one of `sinks`. */
export function teeSink(...sinks: LogSink[]): LogSink {
  return (line, level) => {
    for (const sink of sinks) sink(line, level);
  };
}
