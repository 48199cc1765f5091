import type { LogEntry, Logger, LogRing } from "../../mod/log/mod.ts";

/** Renders the current HTML of one live region of a page. */
export type FragmentRenderer = () => string | Promise<string>;

/** One message for a live stream: an SSE event, or a comment that only keeps it open. */
export type LiveMessage = { event: string; data: string } | { comment: string };

/** Options for {@linkcode LiveHub}. */
export interface LiveHubOptions {
  /** Live regions by topic; the page element with id `live-<topic>` shows the fragment. */
  fragments: Record<string, FragmentRenderer>;
  /**
   * Live regions whose topics are made at run time, `name@key` (a visor's regions): the
   * renderer of one, or `undefined` when there is no such region. Its element id is
   * `live-<name>`.
   */
  resolve?: (topic: string) => FragmentRenderer | undefined;
  /** Log lines, pushed as they come to streams with the `logs` topic. */
  logs?: LogRing;
  /** How often live regions are re-rendered while anyone watches (default 5 s). */
  intervalMs?: number;
  /** Most streams at once (default 8). */
  maxStreams?: number;
  /** Messages a stream may have waiting before it is dropped as too slow (default 256). */
  maxQueued?: number;
  /** A stream sent nothing for this long gets a keep-alive comment (default 25 s). */
  keepaliveMs?: number;
  /** Where problems are logged. */
  logger: Logger;
  /** Millisecond clock. */
  now?: () => number;
}

/** What {@linkcode LiveHub.open} takes. */
export interface OpenStreamOptions {
  /** Topics to follow (fragment names and/or `logs`). */
  topics: string[];
  /** For `logs`: send the kept lines after this sequence number first. */
  afterLogSeq?: number;
  /** Checked on every tick; the stream ends when it resolves `false` (session over). */
  alive: () => boolean | Promise<boolean>;
}

/** Topic of log lines. */
export const LOGS_TOPIC = "logs";
// Log lines sent to a new stream at most (the page shows the rest already).
const MAX_LOG_BACKLOG = 200;

/** One open stream: an async iterable of messages that ends when it is closed. */
export class LiveStream implements AsyncIterable<LiveMessage> {
  readonly topics: ReadonlySet<string>;
  readonly alive: () => boolean | Promise<boolean>;
  lastSent: number;
  readonly #queue: LiveMessage[] = [];
  readonly #maxQueued: number;
  readonly #onClose: (stream: LiveStream) => void;
  #wake: (() => void) | undefined;
  #closed = false;

  constructor(
    topics: Iterable<string>,
    alive: () => boolean | Promise<boolean>,
    maxQueued: number,
    now: number,
    onClose: (stream: LiveStream) => void,
  ) {
    this.topics = new Set(topics);
    this.alive = alive;
    this.lastSent = now;
    this.#maxQueued = maxQueued;
    this.#onClose = onClose;
  }

  /** Whether it has ended. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Queue a message; a stream whose reader fell too far behind is closed instead. */
  push(message: LiveMessage, now: number): void {
    if (this.#closed) return;
    if (this.#queue.length >= this.#maxQueued) {
      this.close();
      return;
    }
    this.#queue.push(message);
    this.lastSent = now;
    this.#wake?.();
  }

  /** End it (idempotent): the iterator finishes and the hub lets go of it. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.#wake?.();
    this.#onClose(this);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<LiveMessage> {
    while (!this.#closed) {
      const message = this.#queue.shift();
      if (message) {
        yield message;
        continue;
      }
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#wake = resolve;
      await promise;
      this.#wake = undefined;
    }
  }
}

/**
 * Live updates for open pages, over Server-Sent Events. Nothing polls from the browser: one
 * stream per page; while any stream is open the hub re-renders the watched regions every
 * `intervalMs` and sends only the ones that changed, and forwards log lines as they are
 * logged. With no stream open it has no timer and no log listener, so an idle node pays
 * nothing. Streams are bounded (`maxStreams`) and released when closed.
 */
export class LiveHub {
  readonly #o: Required<Omit<LiveHubOptions, "logs" | "resolve">> & {
    logs?: LogRing;
    resolve?: LiveHubOptions["resolve"];
  };
  readonly #streams = new Set<LiveStream>();
  readonly #last = new Map<string, string>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #ticking = false;
  #unsubscribeLogs: (() => void) | undefined;

  /** Create a hub with no streams. */
  constructor(options: LiveHubOptions) {
    this.#o = {
      intervalMs: 5_000,
      maxStreams: 8,
      maxQueued: 256,
      keepaliveMs: 25_000,
      now: Date.now,
      ...options,
    };
  }

  /** Streams open now. */
  get streams(): number {
    return this.#streams.size;
  }

  /** Whether the re-render timer runs (only while streams are open). */
  get ticking(): boolean {
    return this.#timer !== undefined;
  }

  /** Whether the hub listens to the log (only while a stream follows `logs`). */
  get followingLogs(): boolean {
    return this.#unsubscribeLogs !== undefined;
  }

  /**
   * Open a stream on `topics` (unknown ones are ignored) and queue the current state of its
   * regions. `undefined` when `maxStreams` are open already.
   */
  async open(options: OpenStreamOptions): Promise<LiveStream | undefined> {
    if (this.#streams.size >= this.#o.maxStreams) return undefined;
    const topics = options.topics.filter((t) => t === LOGS_TOPIC || this.#renderer(t));
    const stream = new LiveStream(
      topics,
      options.alive,
      this.#o.maxQueued,
      this.#o.now(),
      (s) => this.#release(s),
    );
    this.#streams.add(stream);
    this.#timer ??= setInterval(() => void this.#tick(), this.#o.intervalMs);
    if (stream.topics.has(LOGS_TOPIC) && this.#o.logs) {
      this.#unsubscribeLogs ??= this.#o.logs.subscribe((entry) => this.#onLog(entry));
      if (options.afterLogSeq !== undefined) {
        const backlog = this.#o.logs.tail({ after: options.afterLogSeq, limit: MAX_LOG_BACKLOG });
        for (const entry of backlog) stream.push(logMessage(entry), this.#o.now());
      }
    }
    for (const topic of stream.topics) {
      if (topic === LOGS_TOPIC) continue;
      // Not remembered as sent: the other streams may still show an older state.
      const html = await this.#render(topic);
      if (html !== undefined) stream.push(fragmentMessage(topic, html), this.#o.now());
    }
    return stream;
  }

  /** End every stream (the UI is shutting down). */
  close(): void {
    for (const stream of [...this.#streams]) stream.close();
  }

  #release(stream: LiveStream): void {
    if (!this.#streams.delete(stream)) return;
    if (this.#streams.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      this.#last.clear();
    }
    if (![...this.#streams].some((s) => s.topics.has(LOGS_TOPIC))) {
      this.#unsubscribeLogs?.();
      this.#unsubscribeLogs = undefined;
    }
  }

  #onLog(entry: LogEntry): void {
    const message = logMessage(entry);
    const now = this.#o.now();
    for (const stream of this.#streams) {
      if (stream.topics.has(LOGS_TOPIC)) stream.push(message, now);
    }
  }

  /**
   * Re-render `topic` now (what it shows changed) and send it to the streams that follow it,
   * if it changed; nothing when no stream follows it.
   */
  async update(topic: string): Promise<void> {
    if (![...this.#streams].some((s) => s.topics.has(topic))) return;
    await this.#send(topic);
  }

  #renderer(topic: string): FragmentRenderer | undefined {
    // Own keys only: a topic such as `constructor` is not a region.
    if (Object.hasOwn(this.#o.fragments, topic)) return this.#o.fragments[topic];
    return this.#o.resolve?.(topic);
  }

  async #send(topic: string): Promise<void> {
    const before = this.#last.get(topic);
    const html = await this.#render(topic);
    if (html === undefined || html === before) return;
    this.#last.set(topic, html);
    const message = fragmentMessage(topic, html);
    const now = this.#o.now();
    for (const stream of this.#streams) if (stream.topics.has(topic)) stream.push(message, now);
  }

  async #render(topic: string): Promise<string | undefined> {
    const renderer = this.#renderer(topic);
    if (!renderer) return undefined;
    try {
      return await renderer();
    } catch (error) {
      this.#o.logger.warn("live region failed to render", { topic, error });
      return undefined;
    }
  }

  async #tick(): Promise<void> {
    // A slow render must not pile ticks up.
    if (this.#ticking) return;
    this.#ticking = true;
    try {
      for (const stream of [...this.#streams]) {
        let alive = false;
        try {
          alive = await stream.alive();
        } catch {
          alive = false;
        }
        if (!alive) stream.close();
      }
      const watched = new Set<string>();
      for (const stream of this.#streams) {
        for (const topic of stream.topics) if (topic !== LOGS_TOPIC) watched.add(topic);
      }
      for (const topic of watched) await this.#send(topic);
      const now = this.#o.now();
      for (const stream of this.#streams) {
        if (now - stream.lastSent >= this.#o.keepaliveMs) {
          stream.push({ comment: "keepalive" }, now);
        }
      }
    } finally {
      this.#ticking = false;
    }
  }
}

function fragmentMessage(topic: string, html: string): LiveMessage {
  // `name@key` regions of a visor's page carry the region's plain name.
  const at = topic.indexOf("@");
  const id = `live-${at < 0 ? topic : topic.slice(0, at)}`;
  return { event: "fragment", data: JSON.stringify({ id, html }) };
}

function logMessage(entry: LogEntry): LiveMessage {
  return { event: "log", data: JSON.stringify(entry) };
}
