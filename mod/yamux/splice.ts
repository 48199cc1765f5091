import { pipe, type PipeResult } from "../conn/mod.ts";
import type { PullSource } from "./_frame_writer.ts";
import { SessionStream, type SpliceHooks, type Stream } from "./stream.ts";

/** Options for {@linkcode splice}. */
export interface SpliceOptions {
  /** Copy buffer per direction when the streams cannot be spliced (see `pipe`). */
  bufferSize?: number;
}

/**
 * Relay two yamux streams into each other (of the same session or of two), with the semantics
 * of `pipe` from mod/conn: end of stream on one side half-closes the other, an error (reset,
 * session gone) on either side closes both, and both are closed when it resolves.
 *
 * Bytes are not read through the streams: each arriving payload waits in its stream's buffer
 * and the other stream's session writer takes whatever has gathered when it packs the next
 * frame, straight into its staging buffer. So a burst of small frames leaves as one large
 * frame, and a byte is copied twice in all. Backpressure is the window: the bytes a splice
 * holds (buffered, or taken and not yet written) count against the receiving stream's window
 * and its session's buffer budget until they are written onward, so a slow reader on one side
 * stops the sender on the other. Streams that are not yamux streams go through `pipe`.
 * Neither stream may be read or written by anyone else meanwhile.
 */
export function splice(a: Stream, b: Stream, options: SpliceOptions = {}): Promise<PipeResult> {
  if (!(a instanceof SessionStream) || !(b instanceof SessionStream) || a === b) {
    return pipe(a, b, { bufferSize: options.bufferSize });
  }
  return new Splice(a, b).done;
}

/** One direction: `src`'s received bytes written on `dst`. */
class Direction implements PullSource {
  readonly src: SessionStream;
  readonly dst: SessionStream;
  readonly #splice: Splice;
  flags = 0;
  moved = 0;
  finished = false;
  #queued = false;
  #deferred = false;
  readonly #deferredKick = () => {
    this.#deferred = false;
    this.kick();
  };

  constructor(src: SessionStream, dst: SessionStream, splice: Splice) {
    this.src = src;
    this.dst = dst;
    this.#splice = splice;
  }

  // Kick once `src`'s session has handled the frames it already read: they leave together.
  soon(): void {
    if (this.#deferred || this.finished) return;
    this.#deferred = true;
    this.src._defer(this.#deferredKick);
  }

  // Queue a pulled frame on `dst` when there is something to move and room to send it; at the
  // end of `src`'s bytes, half-close `dst`.
  kick(): void {
    if (this.finished || this.#queued) return;
    if (this.src.bufferedBytes > 0) {
      if (!this.dst._writable) return this.#splice.fail();
      if (this.dst.sendWindow === 0) return; // windowGrew() kicks again
      this.#queued = true;
      this.dst._pull(this);
      return;
    }
    if (this.src._remoteEnded) {
      this.finished = true;
      this.dst.closeWrite();
      this.#splice.directionDone();
    } else if (this.src._failed) {
      this.#splice.fail();
    }
  }

  take(out: Uint8Array, offset: number, max: number): number {
    this.flags = 0;
    if (this.finished || !this.dst._writable) return 0;
    const n = Math.min(max, this.src.bufferedBytes, this.dst.sendWindow);
    if (n <= 0) return 0;
    this.src._takeBuffered(out.subarray(offset, offset + n));
    this.flags = this.dst._spend(n);
    return n;
  }

  written(n: number): void {
    this.#queued = false;
    this.moved += n;
    this.src._credit(n);
    this.kick();
  }

  failed(): void {
    this.#queued = false;
    this.#splice.fail();
  }
}

class Splice implements SpliceHooks {
  readonly done: Promise<PipeResult>;
  readonly #a: SessionStream;
  readonly #b: SessionStream;
  readonly #aToB: Direction;
  readonly #bToA: Direction;
  #resolve!: (result: PipeResult) => void;
  #over = false;

  constructor(a: SessionStream, b: SessionStream) {
    this.#a = a;
    this.#b = b;
    this.#aToB = new Direction(a, b, this);
    this.#bToA = new Direction(b, a, this);
    this.done = new Promise((resolve) => this.#resolve = resolve);
    a._setSplice(this);
    b._setSplice(this);
    // Bytes (or a FIN, or an error) that came before the splice.
    this.#aToB.kick();
    this.#bToA.kick();
  }

  received(stream: SessionStream): void {
    (stream === this.#a ? this.#aToB : this.#bToA).soon();
  }

  windowGrew(stream: SessionStream): void {
    (stream === this.#a ? this.#bToA : this.#aToB).kick();
  }

  // The stream's own buffered bytes still go out (as `pipe` drains a read buffer first); the
  // direction writing to it cannot go on.
  ended(stream: SessionStream): void {
    if (stream === this.#a) {
      this.#aToB.kick();
      if (!this.#bToA.finished) this.fail();
    } else {
      this.#bToA.kick();
      if (!this.#aToB.finished) this.fail();
    }
  }

  directionDone(): void {
    if (this.#aToB.finished && this.#bToA.finished) this.#end();
  }

  fail(): void {
    this.#aToB.finished = this.#bToA.finished = true;
    this.#end();
  }

  #end(): void {
    if (this.#over) return;
    this.#over = true;
    this.#a._setSplice(undefined);
    this.#b._setSplice(undefined);
    this.#a.close();
    this.#b.close();
    this.#resolve({ aToB: this.#aToB.moved, bToA: this.#bToA.moved });
  }
}
