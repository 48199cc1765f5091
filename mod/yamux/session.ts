import type { ByteStream } from "../conn/mod.ts";
import type { Logger } from "../log/mod.ts";
import {
  type AcceptOptions,
  type OpenOptions,
  resolveConfig,
  type SessionConfig,
  type SessionOptions,
} from "./config.ts";
import {
  RemoteGoAwayError,
  SessionClosedError,
  YamuxError,
  YamuxProtocolError,
  YamuxTimeoutError,
} from "./errors.ts";
import {
  decodeHeader,
  Flag,
  type FrameHeader,
  FrameType,
  GoAwayCode,
  HEADER_SIZE,
} from "./frame.ts";
import { FrameReader } from "./_frame_reader.ts";
import type { Timer } from "./_timer.ts";
import { FrameWriter } from "./_frame_writer.ts";
import { SessionStream, type Stream, type StreamHost } from "./stream.ts";
import type { SessionStats } from "./session_stats.ts";

export type { SessionStats } from "./session_stats.ts";

// Frames that may wait in the writer before writers wait for room (Go's send channel size).
const WRITE_QUEUE_FRAMES = 64;

// Highest stream id Go lets itself open (it refuses ids >= 2^32 - 2).
const MAX_STREAM_ID = 0xffffffff - 2;

type PendingPing = { resolve: () => void; reject: (reason: Error) => void; timer: Timer };
type Inflight = { stream: SessionStream; timer: Timer | undefined };

/**
 * A yamux session (hashicorp wire format) over a reliable byte stream, e.g. the TCP connection
 * of a dmsg session after its Noise handshake. It owns `conn` and closes it when it ends.
 *
 * Behaviour follows Go's yamux: the client opens odd stream ids and the server even ones; an
 * incoming stream is ACKed when it is accepted (or, accepted lazily, by its first frame; an open
 * may likewise leave its SYN to the first frame); more than `acceptBacklog` unaccepted streams are
 * reset; an opened stream without ACK for `streamOpenTimeout` closes the session; a peer that
 * exceeds a stream's window, FINs twice or reuses a live stream id gets GoAway(protocol error)
 * and the session closes; frames for unknown streams are dropped (payload skipped).
 */
export class Session {
  /** Client or server side. */
  readonly role: "client" | "server";
  /**
   * Settles once the session is fully closed (connection closed, every timer and stream
   * released). Resolves `undefined` after a local {@linkcode close}, else the
   * {@linkcode YamuxError} that ended it. Never rejects.
   */
  readonly closed: Promise<YamuxError | undefined>;

  readonly #conn: ByteStream;
  readonly #config: SessionConfig;
  readonly #log: Logger | undefined;
  readonly #reader: FrameReader;
  readonly #writer: FrameWriter;
  readonly #host: StreamHost;
  readonly #streams = new Map<number, SessionStream>();
  readonly #inflight = new Map<number, Inflight>();
  #openWaiters: Array<{ resolve: () => void; reject: (reason: Error) => void }> = [];
  #acceptQueue: SessionStream[] = [];
  #acceptWaiters: Array<{ resolve: (stream: Stream | null) => void; lazy?: boolean }> = [];
  readonly #pings = new Map<number, PendingPing>();
  #nextPingId = 0;
  #nextStreamId: number;
  #keepAliveTimer: Timer | undefined;
  #localGoAway = false;
  #remoteGoAway = false;
  #closing = false;
  #reason: YamuxError | undefined;
  #closedError: SessionClosedError | undefined;
  #resolveClosed!: (reason: YamuxError | undefined) => void;
  #receiving: Promise<void> = Promise.resolve();
  // Bytes waiting unread over all streams, and what they may add up to.
  #buffered = 0;
  #bufferBudget: number;

  /** Start a session on `conn`; the receive loop and keepalive start at once. */
  constructor(conn: ByteStream, options: SessionOptions) {
    this.#config = resolveConfig(options);
    this.role = this.#config.role;
    this.#log = this.#config.logger;
    this.#conn = conn;
    this.#nextStreamId = this.role === "client" ? 1 : 2;
    this.#bufferBudget = this.#config.maxBufferedBytes;
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
    this.#reader = new FrameReader(conn);
    this.#writer = new FrameWriter(conn, {
      capacity: WRITE_QUEUE_FRAMES,
      writeTimeout: this.#config.connectionWriteTimeout,
      onFailure: (reason) => this.#terminate(reason as YamuxError),
    });
    this.#host = {
      maxWindow: this.#config.maxStreamWindowSize,
      closeTimeout: this.#config.streamCloseTimeout,
      logger: this.#log,
      post: (type, flags, id, length) => this.#writer.post(type, flags, id, length),
      writeData: (streamId, flags, body) =>
        this.#writer.write({ type: FrameType.Data, flags, streamId, length: body.length, body }),
      pull: (streamId, source) => this.#writer.pull(streamId, source),
      defer: (task) => this.#reader.defer(task),
      finished: (stream) => this.#streamFinished(stream),
      // Once the session is closing nothing more arrives: the budget is no longer kept.
      buffered: (delta) => {
        if (!this.#closing) this.#buffered += delta;
      },
    };
    this.#receiveLoop();
    if (this.#config.enableKeepAlive) this.#scheduleKeepAlive();
  }

  /** Streams known to the session (Go's `NumStreams`). */
  get numStreams(): number {
    return this.#streams.size;
  }

  /** Whether the session is closed or closing. */
  get isClosed(): boolean {
    return this.#closing;
  }

  /**
   * Change the budget of bytes all streams may hold unread (see `maxBufferedBytes`), e.g. once
   * the peer is known. Streams already over it keep what they hold.
   */
  setBufferBudget(bytes: number): void {
    if (!(bytes > 0)) throw new RangeError("the buffer budget must be positive");
    this.#bufferBudget = bytes;
  }

  /** Counters for leak tests and diagnostics. */
  stats(): SessionStats {
    // The writer's deadline is kept by the process-wide watchdog (see _write_watchdog.ts).
    let timers = (this.#keepAliveTimer !== undefined ? 1 : 0) + this.#pings.size;
    for (const stream of this.#streams.values()) {
      if (stream._hasTimer) timers++;
    }
    for (const entry of this.#inflight.values()) if (entry.timer !== undefined) timers++;
    return {
      streams: this.#streams.size,
      acceptQueue: this.#acceptQueue.length,
      inflightOpens: this.#inflight.size,
      pendingPings: this.#pings.size,
      bufferedBytes: this.#closing ? 0 : this.#buffered,
      queuedFrames: this.#writer.queued,
      timers,
    };
  }

  /**
   * Open a stream (sends SYN; with `lazy` its first frame does, see {@linkcode OpenOptions}).
   * Waits while `acceptBacklog` opens are un-ACKed. Throws {@linkcode SessionClosedError},
   * {@linkcode RemoteGoAwayError} after the peer's GoAway, or {@linkcode YamuxError} when
   * stream ids are exhausted.
   */
  async open(options: OpenOptions = {}): Promise<Stream> {
    for (;;) {
      if (this.#closing) throw this.#sessionClosedError();
      if (this.#remoteGoAway) throw new RemoteGoAwayError(GoAwayCode.Normal);
      if (this.#inflight.size < this.#config.acceptBacklog) break;
      const { promise, resolve, reject } = Promise.withResolvers<void>();
      this.#openWaiters.push({ resolve, reject });
      await promise;
    }
    let id = this.#nextStreamId;
    while (this.#streams.has(id)) id += 2; // a peer may have squatted on our parity (Go allows it)
    if (id > MAX_STREAM_ID) throw new YamuxError("yamux stream ids exhausted");
    this.#nextStreamId = id + 2;
    const stream = new SessionStream(this.#host, id, true);
    this.#streams.set(id, stream);
    const entry: Inflight = { stream, timer: undefined };
    if (this.#config.streamOpenTimeout > 0) {
      entry.timer = setTimeout(() => {
        entry.timer = undefined;
        if (this.#inflight.get(id) !== entry || !stream._awaitingAck) return;
        this.#log?.error("stream open not acknowledged in time, closing session", { stream: id });
        this.#terminate(new YamuxTimeoutError("open", "yamux stream open timed out (no ACK)"));
      }, this.#config.streamOpenTimeout);
    }
    this.#inflight.set(id, entry);
    if (!options.lazy) stream._announce();
    return stream;
  }

  /**
   * Wait for the peer's next stream and ACK it (`lazy`: see {@linkcode AcceptOptions}).
   * Resolves `null` once the session is closed (streams still waiting in the backlog are
   * dropped with the session); never rejects.
   */
  accept(options: AcceptOptions = {}): Promise<Stream | null> {
    const queued = this.#acceptQueue.shift();
    if (queued && !options.lazy) queued._announce();
    if (queued) return Promise.resolve(queued);
    if (this.#closing) return Promise.resolve(null);
    return new Promise((resolve) => this.#acceptWaiters.push({ resolve, lazy: options.lazy }));
  }

  /**
   * Measure the round trip (ms) with a Ping frame. Throws {@linkcode YamuxTimeoutError} when no
   * answer comes within `connectionWriteTimeout`, {@linkcode SessionClosedError} when closed.
   */
  async ping(): Promise<number> {
    if (this.#closing) throw this.#sessionClosedError();
    const id = this.#nextPingId;
    this.#nextPingId = (id + 1) >>> 0;
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const timer = setTimeout(() => {
      if (this.#pings.get(id)?.timer !== timer) return;
      this.#pings.delete(id);
      reject(new YamuxTimeoutError("ping"));
    }, this.#config.connectionWriteTimeout);
    this.#pings.set(id, { resolve, reject, timer });
    const start = performance.now();
    this.#writer.post(FrameType.Ping, Flag.SYN, 0, id);
    await promise;
    return performance.now() - start;
  }

  /**
   * Tell the peer we accept no more streams (GoAway normal); new incoming streams are reset from
   * now on, existing streams go on. Resolves once the frame is written.
   */
  async goAway(): Promise<void> {
    if (this.#closing) throw this.#sessionClosedError();
    this.#localGoAway = true;
    await this.#writer.write({ type: FrameType.GoAway, flags: 0, streamId: 0, length: 0 });
  }

  /**
   * Close the session: every stream ends, frames already queued (data, FINs) are flushed, then
   * GoAway(normal) is sent and the connection closed. Resolves when everything is released
   * (same as {@linkcode closed}). Idempotent.
   */
  async close(): Promise<void> {
    this.#terminate(undefined, GoAwayCode.Normal);
    await this.closed;
  }

  #sessionClosedError(): SessionClosedError {
    return this.#closedError ??= this.#reason instanceof SessionClosedError
      ? this.#reason
      : new SessionClosedError("yamux session closed", { cause: this.#reason });
  }

  // Ends the session exactly once. `goAway` (a code) is sent after the frames already queued;
  // then the connection is closed and `closed` settles when the receive loop has stopped.
  #terminate(reason: YamuxError | undefined, goAway?: number): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#reason = reason;
    if (reason) this.#log?.debug("yamux session closing", { reason: reason.message });
    const closedError = this.#sessionClosedError();
    if (this.#keepAliveTimer !== undefined) clearTimeout(this.#keepAliveTimer);
    this.#keepAliveTimer = undefined;
    for (const ping of this.#pings.values()) {
      clearTimeout(ping.timer);
      ping.reject(closedError);
    }
    this.#pings.clear();
    for (const waiter of this.#openWaiters.splice(0)) waiter.reject(closedError);
    for (const waiter of this.#acceptWaiters.splice(0)) waiter.resolve(null);
    for (const entry of this.#inflight.values()) {
      if (entry.timer !== undefined) clearTimeout(entry.timer);
    }
    this.#inflight.clear();
    for (const stream of this.#streams.values()) stream._sessionClosed(closedError);
    this.#streams.clear();
    this.#acceptQueue = [];
    this.#shutdown(closedError, goAway).then(() => this.#resolveClosed(reason));
  }

  async #shutdown(closedError: SessionClosedError, goAway?: number): Promise<void> {
    if (goAway !== undefined) {
      // Ours is the last frame; the writer's watchdog bounds how long this can take.
      this.#writer.post(FrameType.GoAway, 0, 0, goAway);
      await this.#writer.idle();
    }
    this.#writer.close(closedError);
    try {
      this.#conn.close();
    } catch {
      // Already closed by the peer or by a failed write: nothing left to release.
    }
    await this.#receiving;
  }

  #receiveLoop(): void {
    this.#receiving = this.#receiveFrames().catch((err) => {
      if (this.#closing) return;
      if (err instanceof YamuxProtocolError) {
        this.#log?.warn("yamux protocol error", { error: err.message });
        this.#terminate(err, GoAwayCode.ProtocolError);
      } else if (err instanceof YamuxError) {
        this.#terminate(err);
      } else {
        this.#log?.error("yamux internal error", { error: err });
        this.#terminate(
          new YamuxError("yamux internal error", { cause: err }),
          GoAwayCode.InternalError,
        );
      }
    });
  }

  async #receiveFrames(): Promise<void> {
    const reader = this.#reader;
    while (!this.#closing) {
      if (reader.buffered < HEADER_SIZE && !(await reader.fill(HEADER_SIZE))) {
        if (!this.#closing) this.#terminate(new SessionClosedError("connection closed by peer"));
        return;
      }
      const header = decodeHeader(reader.buffer, reader.start);
      reader.start += HEADER_SIZE;
      switch (header.type) {
        case FrameType.Data:
        case FrameType.WindowUpdate: {
          const waiting = this.#onStreamFrame(header);
          if (waiting) await waiting;
          break;
        }
        case FrameType.Ping:
          await this.#onPing(header);
          break;
        case FrameType.GoAway:
          this.#onGoAway(header.length);
          break;
      }
    }
  }

  // Frames whose payload is already buffered (in bulk, nearly all) are handled without an
  // await: a promise only when the frame must wait (an accept, bytes still to come).
  #onStreamFrame(header: FrameHeader): Promise<void> | undefined {
    if (header.flags & Flag.SYN) {
      return this.#incomingStream(header.streamId).then((stream) =>
        this.#onKnownFrame(header, stream)
      );
    }
    return this.#onKnownFrame(header, this.#streams.get(header.streamId));
  }

  #onKnownFrame(header: FrameHeader, stream?: SessionStream): Promise<void> | undefined {
    const { type, flags, streamId, length } = header;
    if (!stream) {
      if (type === FrameType.Data && length > 0) {
        this.#log?.debug("dropping data for unknown stream", { stream: streamId, length });
        return this.#reader.skip(length);
      }
      this.#log?.debug("frame for unknown stream", { stream: streamId, type, flags });
      return;
    }
    if (flags & Flag.ACK) this.#acknowledged(stream);
    if (type === FrameType.Data) {
      if (length > stream._receiveWindow) {
        throw new YamuxProtocolError(
          `receive window exceeded on stream ${streamId}: ${length} > ${stream._receiveWindow}`,
        );
      }
      const receiving = length > 0 ? this.#receivePayload(stream, length) : undefined;
      if (receiving) return receiving.then(() => this.#applyFlags(stream, flags));
    } else {
      stream._addSendWindow(length);
    }
    this.#applyFlags(stream, flags);
  }

  #applyFlags(stream: SessionStream, flags: number): void {
    const error = stream._applyRemoteFlags(flags);
    if (error) throw error;
  }

  #receivePayload(stream: SessionStream, length: number): Promise<void> | undefined {
    const reader = this.#reader;
    stream._consumeReceiveWindow(length);
    if (!stream._wantsData || stream._refuses(length, this.#bufferBudget - this.#buffered)) {
      return this.#reader.skip(length);
    }
    // Small payloads are gathered in the read buffer and copied out; larger ones are read
    // straight into a chunk of their own.
    if (length <= reader.buffered) {
      stream._deliver(reader.take(length), false);
    } else if (length <= reader.capacity) {
      return this.#fillOrThrow(length).then(() => stream._deliver(reader.take(length), false));
    } else {
      // Checked against the window above, so this allocation is bounded by maxStreamWindowSize.
      const chunk = new Uint8Array(length);
      return reader.readInto(chunk).then(() => stream._deliver(chunk, true));
    }
  }

  async #fillOrThrow(n: number): Promise<void> {
    if (!(await this.#reader.fill(n))) {
      throw new SessionClosedError("connection closed by peer in the middle of a frame");
    }
  }

  async #incomingStream(id: number): Promise<SessionStream | undefined> {
    if (this.#localGoAway) {
      await this.#postAfterRoom(FrameType.WindowUpdate, Flag.RST, id, 0);
      return undefined;
    }
    if (this.#streams.has(id)) throw new YamuxProtocolError(`duplicate stream id ${id}`);
    const stream = new SessionStream(this.#host, id, false);
    const waiter = this.#acceptWaiters.shift();
    if (waiter) {
      this.#streams.set(id, stream);
      if (!waiter.lazy) stream._announce();
      waiter.resolve(stream);
      return stream;
    }
    if (this.#acceptQueue.length >= this.#config.acceptBacklog) {
      this.#log?.warn("accept backlog full, resetting new stream", { stream: id });
      await this.#postAfterRoom(FrameType.WindowUpdate, Flag.RST, id, 0);
      return undefined;
    }
    this.#streams.set(id, stream);
    this.#acceptQueue.push(stream);
    return stream;
  }

  // Answers generated by the receive loop wait for room in the writer, so a peer that floods
  // pings or SYNs without reading is slowed down instead of growing our queue.
  async #postAfterRoom(type: number, flags: number, id: number, length: number): Promise<void> {
    if (!this.#writer.hasRoom()) await this.#writer.waitForRoom();
    this.#writer.post(type, flags, id, length);
  }

  #acknowledged(stream: SessionStream): void {
    stream._acknowledged();
    this.#releaseInflight(stream);
  }

  #releaseInflight(stream: SessionStream): void {
    const entry = this.#inflight.get(stream.id);
    if (!entry || entry.stream !== stream) return;
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    this.#inflight.delete(stream.id);
    this.#openWaiters.shift()?.resolve();
  }

  #streamFinished(stream: SessionStream): void {
    if (this.#streams.get(stream.id) === stream) this.#streams.delete(stream.id);
    this.#releaseInflight(stream);
    if (this.#acceptQueue.length === 0) return;
    const queued = this.#acceptQueue.indexOf(stream);
    if (queued >= 0) this.#acceptQueue.splice(queued, 1);
  }

  async #onPing(header: FrameHeader): Promise<void> {
    if (header.flags & Flag.SYN) {
      await this.#postAfterRoom(FrameType.Ping, Flag.ACK, 0, header.length);
      return;
    }
    const ping = this.#pings.get(header.length);
    if (!ping) return;
    this.#pings.delete(header.length);
    clearTimeout(ping.timer);
    ping.resolve();
  }

  #onGoAway(code: number): void {
    if (code === GoAwayCode.Normal) {
      this.#remoteGoAway = true;
      for (const waiter of this.#openWaiters.splice(0)) {
        waiter.reject(new RemoteGoAwayError(code));
      }
      return;
    }
    this.#log?.warn("peer closed the session with GoAway", { code });
    this.#terminate(new RemoteGoAwayError(code));
  }

  #scheduleKeepAlive(): void {
    this.#keepAliveTimer = setTimeout(async () => {
      this.#keepAliveTimer = undefined;
      try {
        await this.ping();
      } catch (err) {
        if (this.#closing) return;
        this.#log?.warn("yamux keepalive failed", { error: err });
        this.#terminate(new YamuxTimeoutError("keepalive", "yamux keepalive ping failed"));
        return;
      }
      if (!this.#closing) this.#scheduleKeepAlive();
    }, this.#config.keepAliveInterval);
  }
}
