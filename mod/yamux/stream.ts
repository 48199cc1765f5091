import type { ByteStream } from "../conn/mod.ts";
import { INITIAL_STREAM_WINDOW } from "./config.ts";
import { StreamClosedError, StreamResetError, YamuxError, YamuxProtocolError } from "./errors.ts";
import { Flag, FrameType } from "./frame.ts";
import { ReceiveBuffer } from "./_receive_buffer.ts";
import type { Timer } from "./_timer.ts";
import type { PullSource } from "./_frame_writer.ts";
import type { SpliceHooks, StreamHost } from "./_stream_host.ts";

export type { SpliceHooks, StreamHost } from "./_stream_host.ts";

// Largest data frame we send. Go sends up to the whole window in one frame; smaller frames let
// several streams interleave and fit the writer's staging buffer (see tests/bench/yamux_bench.ts).
const MAX_DATA_FRAME = 16 * 1024;

/**
 * One yamux stream: a {@linkcode ByteStream} multiplexed over a session.
 *
 * - `read` resolves `null` once the peer half-closed (FIN) and the buffer is drained, and
 *   throws {@linkcode StreamResetError} after a reset, or the session's error
 *   ({@linkcode SessionClosedError}) when the session ended before the peer's FIN.
 * - `write` writes all of `p`, in frames no larger than the peer's window, waiting for window
 *   updates when it is 0; it resolves once every frame is handed to the session's writer (small
 *   frames are copied, large ones written), so `p` may be reused as soon as it resolves.
 * - `closeWrite` sends FIN (half-close): the peer reads end of stream and may still write back.
 * - `close` sends FIN and stops reading (buffered and later data are dropped). The stream leaves
 *   the session when the peer FINs too, or is reset after `streamCloseTimeout`.
 * - `reset` sends RST and fails pending and later reads and writes.
 */
export interface Stream extends ByteStream {
  /** Stream id: odd when the client opened it, even for the server. */
  readonly id: number;
  /** Received bytes waiting to be read (never more than the receive window). */
  readonly bufferedBytes: number;
  /** Bytes the peer currently lets us send. */
  readonly sendWindow: number;
  /** Read into `p`; `null` at end of stream. One read at a time. */
  read(p: Uint8Array): Promise<number | null>;
  /** Write all of `p`; resolves to `p.length`. Concurrent writes are queued, not interleaved. */
  write(p: Uint8Array): Promise<number>;
  /** Half-close: send FIN. Idempotent. */
  closeWrite(): Promise<void>;
  /** Send FIN (if not sent) and release the stream. Idempotent. */
  close(): void;
  /** Abort the stream with RST. Idempotent. */
  reset(): void;
  /**
   * From now on, reset the stream instead of keeping more than `bytes` unread (the window
   * alone allows 256 KiB), and then call `onExceeded`; `Infinity` lifts the limit. Bytes
   * already buffered count at once. For a peer that must not send yet, e.g. a dmsg dialer
   * before its stream is answered.
   */
  setReceiveLimit(bytes: number, onExceeded?: () => void): void;
}

type StreamState =
  | "init"
  | "synSent"
  | "synReceived"
  | "established"
  | "localClose"
  | "remoteClose"
  | "closed"
  | "reset";

interface PendingRead {
  p: Uint8Array;
  resolve: (n: number | null) => void;
  reject: (reason: Error) => void;
}

/** The session's side of a {@linkcode Stream}; methods starting with `_` are for the session. */
export class SessionStream implements Stream {
  /** Stream id. */
  readonly id: number;
  readonly #host: StreamHost;
  #state: StreamState;
  #released = false;
  #remoteFin = false;
  #finished = false;
  #error: YamuxError | undefined;
  #recvWindow = INITIAL_STREAM_WINDOW;
  #receiveLimit = Infinity;
  #onLimitExceeded: (() => void) | undefined;
  #sendWindow = INITIAL_STREAM_WINDOW;
  readonly #buffer = new ReceiveBuffer();
  #pendingRead: PendingRead | undefined;
  #windowWaiter: (() => void) | undefined;
  #writing = false;
  #writeWaiters: Array<() => void> = [];
  #closeTimer: Timer | undefined;
  // Spliced: received bytes wait in the buffer for the splice; those it has taken but not yet
  // written on the other stream still count against the window and the session's budget.
  #splice: SpliceHooks | undefined;
  #inFlight = 0;

  /** Create a stream; `opened` when we are opening it, otherwise it arrived with SYN. */
  constructor(host: StreamHost, id: number, opened: boolean) {
    this.#host = host;
    this.id = id;
    this.#state = opened ? "init" : "synReceived";
  }

  /** {@inheritDoc Stream.bufferedBytes} */
  get bufferedBytes(): number {
    return this.#buffer.length;
  }

  /** {@inheritDoc Stream.sendWindow} */
  get sendWindow(): number {
    return this.#sendWindow;
  }

  /** Bytes the peer may still send before our next window update. */
  get _receiveWindow(): number {
    return this.#recvWindow;
  }

  /** Whether the close timer runs (for leak checks). */
  get _hasTimer(): boolean {
    return this.#closeTimer !== undefined;
  }

  /** Whether we sent SYN and no ACK (nor anything ending the stream) came back yet. */
  get _awaitingAck(): boolean {
    return this.#state === "synSent";
  }

  /** {@inheritDoc Stream.read} */
  read(p: Uint8Array): Promise<number | null> {
    if (this.#state === "reset") return Promise.reject(this.#error);
    if (this.#released) return Promise.resolve(null);
    if (this.#splice) return Promise.reject(new YamuxError("read on a spliced yamux stream"));
    if (p.length === 0) return Promise.resolve(0);
    if (this.#buffer.length > 0) {
      const n = this.#buffer.read(p);
      this.#host.buffered(-n);
      this.#sendWindowUpdate();
      return Promise.resolve(n);
    }
    if (this.#remoteFin) return Promise.resolve(null);
    if (this.#error) return Promise.reject(this.#error);
    if (this.#pendingRead) {
      return Promise.reject(new YamuxError("concurrent read on a yamux stream"));
    }
    const { promise, resolve, reject } = Promise.withResolvers<number | null>();
    this.#pendingRead = { p, resolve, reject };
    return promise;
  }

  /** {@inheritDoc Stream.write} */
  async write(p: Uint8Array): Promise<number> {
    if (this.#writing) await new Promise<void>((resolve) => this.#writeWaiters.push(resolve));
    this.#writing = true;
    try {
      let off = 0;
      while (off < p.length) {
        this.#checkWritable();
        if (this.#sendWindow === 0) {
          await new Promise<void>((resolve) => this.#windowWaiter = resolve);
          continue;
        }
        const n = Math.min(this.#sendWindow, p.length - off, MAX_DATA_FRAME);
        this.#sendWindow -= n;
        await this.#host.writeData(this.id, this.#takeOpenFlags(), p.subarray(off, off + n));
        off += n;
      }
      return p.length;
    } finally {
      const next = this.#writeWaiters.shift();
      if (next) next();
      else this.#writing = false;
    }
  }

  /** {@inheritDoc Stream.closeWrite} */
  closeWrite(): Promise<void> {
    this.#sendFin();
    return Promise.resolve();
  }

  /** {@inheritDoc Stream.close} */
  close(): void {
    if (this.#released) return;
    this.#sendFin();
    this.#released = true;
    this.#dropBuffer();
    this.#settleRead(null);
    this.#wakeWriter();
  }

  /** {@inheritDoc Stream.reset} */
  reset(): void {
    this.#released = true;
    if (this.#finished || this.#state === "closed" || this.#state === "reset") return;
    // The peer has not heard of a lazily opened stream that sent nothing yet.
    if (this.#state !== "init") this.#host.post(FrameType.WindowUpdate, Flag.RST, this.id, 0);
    this.#abort(new StreamResetError("stream reset locally"));
  }

  /** {@inheritDoc Stream.setReceiveLimit} */
  setReceiveLimit(bytes: number, onExceeded?: () => void): void {
    this.#receiveLimit = bytes;
    this.#onLimitExceeded = onExceeded;
    if (this.#buffer.length > bytes) this.#limitExceeded();
  }

  /**
   * Whether `n` arriving bytes would leave more than the stream's receive limit unread, or take
   * more than `sessionRoom` (what the session's budget has left); if so the stream is reset here
   * and the caller drops the payload unread.
   */
  _refuses(n: number, sessionRoom = Infinity): boolean {
    if (this.#receiveLimit === Infinity && sessionRoom === Infinity) return false;
    // A read in progress takes its share at once; only the rest would wait.
    const direct = this.#pendingRead && this.#buffer.length === 0
      ? Math.min(n, this.#pendingRead.p.length)
      : 0;
    const kept = n - direct;
    if (this.#buffer.length + kept <= this.#receiveLimit && kept <= sessionRoom) return false;
    this.#limitExceeded(kept > sessionRoom ? "session" : "stream");
    return true;
  }

  #limitExceeded(which: "session" | "stream" = "stream"): void {
    this.#host.logger?.debug(`${which} receive limit exceeded, resetting the stream`, {
      stream: this.id,
      limit: which === "stream" ? this.#receiveLimit : undefined,
    });
    this.reset();
    const notify = this.#onLimitExceeded;
    this.#onLimitExceeded = undefined;
    notify?.();
  }

  /** Send our SYN (opening) or ACK (accepting) with the initial window delta. */
  _announce(): void {
    this.#sendWindowUpdate(true);
  }

  /** Whether data for this stream should be kept (not after a local `close()`). */
  get _wantsData(): boolean {
    return !this.#released;
  }

  /** Count `n` incoming data bytes against the receive window (checked by the session). */
  _consumeReceiveWindow(n: number): void {
    this.#recvWindow -= n;
  }

  /** Hand received payload to the reader; `owned` chunks are kept without a copy. */
  _deliver(data: Uint8Array, owned: boolean): void {
    if (this.#released || this.#finished) return;
    if (this.#splice) {
      if (owned) this.#buffer.appendOwned(data);
      else this.#buffer.append(data, true);
      this.#host.buffered(data.length);
      this.#splice.received(this);
      return;
    }
    const pending = this.#pendingRead;
    if (pending && this.#buffer.length === 0) {
      const n = Math.min(pending.p.length, data.length);
      pending.p.set(data.subarray(0, n));
      this.#pendingRead = undefined;
      pending.resolve(n);
      data = data.subarray(n);
    }
    if (owned) this.#buffer.appendOwned(data);
    else this.#buffer.append(data);
    this.#host.buffered(data.length);
    if (pending) this.#sendWindowUpdate();
  }

  /** The peer ACKed our SYN. */
  _acknowledged(): void {
    if (this.#state === "synSent") this.#state = "established";
  }

  /** Apply the peer's FIN/RST flags; returns a protocol error for a FIN that makes no sense. */
  _applyRemoteFlags(flags: number): YamuxProtocolError | undefined {
    // Reset or closed locally while its payload was being read: the peer has not seen that yet.
    if (this.#finished) return undefined;
    if (flags & Flag.FIN) {
      switch (this.#state) {
        case "synSent":
        case "synReceived":
        case "established":
          this.#state = "remoteClose";
          this.#remoteFin = true;
          if (this.#buffer.length === 0) this.#settleRead(null);
          break;
        case "localClose":
          this.#state = "closed";
          this.#remoteFin = true;
          if (this.#buffer.length === 0) this.#settleRead(null);
          this.#finish();
          break;
        default:
          return new YamuxProtocolError(`unexpected FIN on stream ${this.id} (${this.#state})`);
      }
      this.#splice?.received(this);
    }
    if (flags & Flag.RST) this.#abort(new StreamResetError("stream reset by peer"));
    return undefined;
  }

  /** The peer granted `delta` more bytes. */
  _addSendWindow(delta: number): void {
    this.#sendWindow += delta;
    this.#wakeWriter();
    if (delta > 0) this.#splice?.windowGrew(this);
  }

  /** Hand this stream to a splice (or take it back with `undefined`); no reads meanwhile. */
  _setSplice(hooks: SpliceHooks | undefined): void {
    this.#splice = hooks;
  }

  /** Whether the peer half-closed the stream. */
  get _remoteEnded(): boolean {
    return this.#remoteFin;
  }

  /** Whether the stream was reset or its session ended before the peer's FIN. */
  get _failed(): boolean {
    return this.#error !== undefined && !this.#remoteFin;
  }

  /** Whether data may still be sent (not reset, not ended, not half-closed by us). */
  get _writable(): boolean {
    return !this.#error && !this.#released && this.#state !== "reset" &&
      this.#state !== "localClose" && this.#state !== "closed";
  }

  /**
   * Move up to `out.length` buffered bytes into `out` for a splice; they stay counted against
   * the window and the session's budget until {@linkcode SessionStream._credit} frees them.
   */
  _takeBuffered(out: Uint8Array): number {
    const n = this.#buffer.read(out);
    this.#inFlight += n;
    return n;
  }

  /** `n` bytes taken by `_takeBuffered` were written onward: free them (window, budget). */
  _credit(n: number): void {
    const freed = Math.min(n, this.#inFlight);
    if (freed === 0) return;
    this.#inFlight -= freed;
    this.#host.buffered(-freed);
    this.#sendWindowUpdate();
  }

  /** Run `task` once the frames its session has already read are handled. */
  _defer(task: () => void): void {
    this.#host.defer(task);
  }

  /** Queue a frame on this stream whose body `source` fills when it is packed. */
  _pull(source: PullSource): void {
    this.#host.pull(this.id, source);
  }

  /** `n` bytes of the send window were used by a pulled frame; returns its flags. */
  _spend(n: number): number {
    this.#sendWindow -= n;
    return this.#takeOpenFlags();
  }

  /** The session ended: fail what waits (reads drain the buffer first). No frames are sent. */
  _sessionClosed(reason: YamuxError): void {
    if (this.#state !== "reset") this.#state = "closed";
    this.#error ??= reason;
    this.#finished = true;
    this.#clearCloseTimer();
    this.#settleRead(this.#remoteFin ? null : reason);
    this.#wakeWriter();
    this.#splice?.ended(this, reason);
  }

  #sendFin(): void {
    // A lazily opened or accepted stream that sent no frame yet has its SYN/ACK on the FIN.
    const open = this.#takeOpenFlags();
    switch (this.#state) {
      case "synSent":
      case "synReceived":
      case "established":
        this.#state = "localClose";
        this.#host.post(FrameType.WindowUpdate, Flag.FIN | open, this.id, 0);
        this.#armCloseTimer();
        break;
      case "remoteClose":
        this.#state = "closed";
        this.#host.post(FrameType.WindowUpdate, Flag.FIN, this.id, 0);
        this.#finish();
        break;
      default:
        return;
    }
    this.#wakeWriter();
  }

  // Go's rule: tell the peer about freed space once it reaches half the window (or when a
  // SYN/ACK has to go out now); a lazy stream's SYN/ACK rides on an update only when one is due.
  #sendWindowUpdate(announce = false): void {
    if (this.#released && !announce) return;
    const max = this.#host.maxWindow;
    const delta = max - this.#buffer.length - this.#inFlight - this.#recvWindow;
    if (delta < max / 2 && !announce) return;
    this.#recvWindow += delta;
    this.#host.post(FrameType.WindowUpdate, this.#takeOpenFlags(), this.id, delta);
  }

  #takeOpenFlags(): number {
    if (this.#state === "init") {
      this.#state = "synSent";
      return Flag.SYN;
    }
    if (this.#state === "synReceived") {
      this.#state = "established";
      return Flag.ACK;
    }
    return 0;
  }

  #checkWritable(): void {
    if (this.#state === "reset" || this.#error) throw this.#error;
    if (this.#released || this.#state === "localClose" || this.#state === "closed") {
      throw new StreamClosedError();
    }
  }

  #armCloseTimer(): void {
    if (this.#host.closeTimeout <= 0 || this.#closeTimer !== undefined) return;
    this.#closeTimer = setTimeout(() => {
      this.#closeTimer = undefined;
      this.#host.logger?.debug("stream close timed out, resetting", { stream: this.id });
      this.#host.post(FrameType.WindowUpdate, Flag.RST, this.id, 0);
      this.#abort(new StreamResetError("stream close timed out"));
    }, this.#host.closeTimeout);
  }

  #clearCloseTimer(): void {
    if (this.#closeTimer !== undefined) clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
  }

  #abort(reason: StreamResetError): void {
    this.#state = "reset";
    this.#error = reason;
    this.#dropBuffer();
    this.#settleRead(reason);
    this.#wakeWriter();
    this.#finish();
    this.#splice?.ended(this, reason);
  }

  #finish(): void {
    this.#clearCloseTimer();
    if (this.#finished) return;
    this.#finished = true;
    this.#host.finished(this);
  }

  #dropBuffer(): void {
    // Bytes a splice still has in flight are released with the buffer: its later credit is 0.
    const held = this.#buffer.length + this.#inFlight;
    this.#inFlight = 0;
    this.#buffer.clear();
    if (held > 0) this.#host.buffered(-held);
  }

  #settleRead(result: number | null | Error): void {
    const pending = this.#pendingRead;
    if (!pending) return;
    this.#pendingRead = undefined;
    if (result instanceof Error) pending.reject(result);
    else pending.resolve(result);
  }

  #wakeWriter(): void {
    const wake = this.#windowWaiter;
    this.#windowWaiter = undefined;
    wake?.();
  }
}
