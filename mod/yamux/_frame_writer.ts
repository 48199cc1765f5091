import { type ByteStream, writeAll } from "../conn/mod.ts";
import { FrameType, HEADER_SIZE } from "./frame.ts";
import { writeHeader } from "./_header_bytes.ts";
import { type Watched, writeWatchdog } from "./_write_watchdog.ts";
import { SessionClosedError, YamuxTimeoutError } from "./errors.ts";

// Frames are packed into one staging buffer per connection write; a body that does not fit the
// space left is written on its own, without a copy. The buffer starts small and grows once to
// the large size when a batch did not fit (bulk data). It is dropped when the writer goes idle
// after a small batch (a ping, a window update), so idle sessions hold none.
const STAGING_SMALL = 16 * 1024;
const STAGING_LARGE = 64 * 1024;
const STAGING_IDLE_BATCH = 1024;

// Waiting callers are kept in a queue this long before the first one is removed in bulk.
const COMPACT_AFTER = 256;

// Data bodies up to this size are copied on `write()`, which then resolves at once: a stream
// writing small pieces (dmsg's Noise frames are <= 4 KiB) keeps the connection busy instead of
// waiting one round through the writer per piece. Copies are bounded by COPY_BUDGET bytes per
// session (measured: 64 KiB pipelines as well as 256 KiB and costs less memory).
const COPY_MAX = 16 * 1024;
const COPY_BUDGET = 64 * 1024;

// A pulled frame starts a batch of its own rather than take less than this at a batch's tail.
const PULL_MIN = 4096;

/**
 * A data frame whose body is taken when the writer packs it (see {@linkcode FrameWriter.pull}):
 * whatever its source holds by then goes in one frame, straight into the staging buffer.
 */
export interface PullSource {
  /** Copy up to `max` bytes into `out` at `offset`; return how many (0: nothing to send now). */
  take(out: Uint8Array, offset: number, max: number): number;
  /** The frame's flags, read after `take`. */
  readonly flags: number;
  /** The frame holding `n` taken bytes was written (or `n` is 0: nothing was taken). */
  written(n: number): void;
  /** The writer closed before the frame was written. */
  failed(reason: Error): void;
}

interface OutFrame {
  type: number;
  flags: number;
  streamId: number;
  length: number;
  body?: Uint8Array;
  copied?: boolean;
  pull?: PullSource;
  resolve?: () => void;
  reject?: (reason: Error) => void;
}

/** Settings of a {@linkcode FrameWriter}. */
export interface FrameWriterOptions {
  /** Frames that may wait before `write()` callers have to wait for room (Go: 64). */
  capacity: number;
  /** A connection write that takes longer than this (ms) fails the writer. */
  writeTimeout: number;
  /** Called once when the writer fails (write error or timeout); the owner closes the session. */
  onFailure: (reason: Error) => void;
}

/**
 * The session's single ordered writer: frames leave in the order they were queued, packed into
 * as few connection writes as possible. The queue is bounded for data (`write` waits for room);
 * small control frames may be `post`ed past the bound because their number is bounded by the
 * streams (window updates, FIN, RST) or by the receive loop waiting for room (ping answers).
 */
export class FrameWriter {
  readonly #conn: ByteStream;
  readonly #options: FrameWriterOptions;
  #staging: Uint8Array | undefined;
  #lastBatch = 0;
  #queue: OutFrame[] = [];
  #head = 0;
  #batchStart = 0; // first frame of the batch being written: taken off the queue, not yet done
  #roomWaiters: Array<{ resolve: () => void; reject: (reason: Error) => void }> = [];
  #idleWaiters: Array<() => void> = [];
  #running = false;
  #closedWith: Error | undefined;
  #copiedBytes = 0;
  // This writer's entry in the shared watchdog: the deadline of the write in progress.
  readonly #watch: Watched & { deadline: number } = {
    deadline: Infinity,
    expire: () => this.#fail(new YamuxTimeoutError("write", "yamux connection write timed out")),
  };

  /** Write frames to `conn`. */
  constructor(conn: ByteStream, options: FrameWriterOptions) {
    this.#conn = conn;
    this.#options = options;
  }

  /** Frames queued and not yet written. */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  /** Whether `write()` would queue without waiting. */
  hasRoom(): boolean {
    return this.queued < this.#options.capacity;
  }

  /** Resolves when `write()` would queue without waiting; rejects once the writer is closed. */
  waitForRoom(): Promise<void> {
    if (this.#closedWith) return Promise.reject(this.#closedWith);
    if (this.hasRoom()) return Promise.resolve();
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.#roomWaiters.push({ resolve, reject });
    return promise;
  }

  /** Queue a control frame without waiting; silently dropped once the writer is closed. */
  post(type: number, flags: number, streamId: number, length: number): void {
    if (this.#closedWith) return;
    this.#queue.push({ type, flags, streamId, length });
    this.#start();
  }

  /**
   * Queue a data frame for `streamId` whose body `source` gives when the frame is packed, so
   * that bytes arriving until then leave in the same frame (a relay's bulk path). Never waits:
   * the caller keeps at most one pulled frame per source queued. Once the writer is closed,
   * `source.failed` is called instead (in a microtask).
   */
  pull(streamId: number, source: PullSource): void {
    const closed = this.#closedWith;
    if (closed) {
      queueMicrotask(() => source.failed(closed));
      return;
    }
    const frame: OutFrame = { type: FrameType.Data, flags: 0, streamId, length: 0, pull: source };
    frame.reject = (reason) => source.failed(reason);
    this.#queue.push(frame);
    this.#start();
  }

  /**
   * Queue a frame (waiting for room). Small bodies are copied and the call resolves at once;
   * larger ones are referenced, must stay unchanged, and the call resolves once written.
   */
  async write(
    frame: { type: number; flags: number; streamId: number; length: number; body?: Uint8Array },
  ): Promise<void> {
    while (!this.hasRoom() && !this.#closedWith) await this.waitForRoom();
    if (this.#closedWith) throw this.#closedWith;
    const size = frame.body?.length ?? 0;
    if (size > 0 && size <= COPY_MAX && this.#copiedBytes + size <= COPY_BUDGET) {
      this.#copiedBytes += size;
      this.#queue.push({ ...frame, body: frame.body!.slice(), copied: true });
      this.#start();
      return;
    }
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.#queue.push({ ...frame, resolve, reject });
    this.#start();
    return promise;
  }

  /** Resolves once every queued frame is written, or the writer failed or closed. */
  idle(): Promise<void> {
    if ((!this.#running && this.queued === 0) || this.#closedWith) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#idleWaiters.push(resolve);
    return promise;
  }

  /** Stop: fail every queued and waiting caller with `reason`; later frames are refused. */
  close(reason: Error): void {
    if (this.#closedWith) return;
    this.#closedWith = reason;
    writeWatchdog.forget(this.#watch);
    for (let i = this.#batchStart; i < this.#queue.length; i++) this.#queue[i].reject?.(reason);
    this.#queue = [];
    this.#head = 0;
    this.#batchStart = 0;
    this.#copiedBytes = 0;
    for (const waiter of this.#roomWaiters.splice(0)) waiter.reject(reason);
    this.#wakeIdle();
  }

  #start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#run().finally(() => {
      this.#running = false;
      // A writer resumed by the last batch's resolve() may have queued a frame after #run saw
      // an empty queue but before this callback ran; without this it would wait for the next
      // unrelated frame (often the 30 s keepalive).
      if (this.#head < this.#queue.length && !this.#closedWith) {
        this.#start();
        return;
      }
      if (this.#lastBatch <= STAGING_IDLE_BATCH) this.#staging = undefined;
      this.#wakeIdle();
    });
  }

  async #run(): Promise<void> {
    try {
      while (this.#head < this.#queue.length && !this.#closedWith) {
        const staging = this.#staging ??= new Uint8Array(STAGING_SMALL);
        const first = this.#batchStart = this.#head;
        let used = 0;
        let overflowed = false;
        while (this.#head < this.#queue.length) {
          if (used + HEADER_SIZE > staging.length) {
            overflowed = true;
            break;
          }
          const frame = this.#queue[this.#head++];
          if (frame.pull) {
            if (staging.length - used - HEADER_SIZE < PULL_MIN && used > 0) {
              await this.#out(staging.subarray(0, used));
              used = 0;
            }
            const room = staging.length - used - HEADER_SIZE;
            const n = frame.length = frame.pull.take(staging, used + HEADER_SIZE, room);
            if (n === room) overflowed = true; // more may be waiting: a larger buffer next time
            if (n > 0 || frame.pull.flags !== 0) {
              writeHeader(staging, used, frame.type, frame.pull.flags, frame.streamId, n);
              used += HEADER_SIZE + n;
            }
            continue;
          }
          writeHeader(staging, used, frame.type, frame.flags, frame.streamId, frame.length);
          used += HEADER_SIZE;
          const body = frame.body;
          if (body === undefined || body.length === 0) continue;
          if (body.length <= staging.length - used) {
            staging.set(body, used);
            used += body.length;
          } else {
            overflowed = true;
            await this.#out(staging.subarray(0, used));
            used = 0;
            await this.#out(body);
          }
        }
        if (used > 0) await this.#out(staging.subarray(0, used));
        this.#lastBatch = overflowed ? staging.length : used;
        if (overflowed && staging.length < STAGING_LARGE) {
          this.#staging = new Uint8Array(STAGING_LARGE);
        }
        if (this.#closedWith) return;
        for (let i = first; i < this.#head; i++) {
          const frame = this.#queue[i];
          if (frame.copied) this.#copiedBytes -= frame.length;
          if (frame.pull) frame.pull.written(frame.length);
          else frame.resolve?.();
        }
        this.#batchStart = this.#head;
        this.#compact();
      }
    } catch (cause) {
      if (this.#closedWith) return;
      const reason = cause instanceof YamuxTimeoutError
        ? cause
        : new SessionClosedError("connection write failed", { cause });
      this.#fail(reason);
    }
  }

  async #out(bytes: Uint8Array): Promise<void> {
    if (this.#closedWith) throw this.#closedWith;
    const watch = this.#watch;
    watch.deadline = performance.now() + this.#options.writeTimeout;
    writeWatchdog.watch(watch);
    try {
      await writeAll(this.#conn, bytes);
    } finally {
      watch.deadline = Infinity;
    }
  }

  #fail(reason: Error): void {
    if (this.#closedWith) return;
    this.close(reason);
    this.#options.onFailure(reason);
  }

  #compact(): void {
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = this.#batchStart = 0;
    } else if (this.#head >= COMPACT_AFTER) {
      this.#queue.splice(0, this.#head);
      this.#head = this.#batchStart = 0;
    }
    while (this.#roomWaiters.length > 0 && this.hasRoom()) this.#roomWaiters.shift()!.resolve();
  }

  #wakeIdle(): void {
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}
