import { concatBytes } from "../conn/mod.ts";
import { BODY_CHUNK_BYTES, MAX_CHUNK_LINE_BYTES } from "./constants.ts";
import { HttpParseError } from "./errors.ts";
import { type BodyFraming, latin1 } from "./head.ts";
import type { HttpReader } from "./_reader.ts";

const CRLF = new Uint8Array([0x0d, 0x0a]);
// Read buffer of a body handed to a default reader: small, since a slow body holds it.
const SCRATCH_BYTES = 16 * 1024;
// 13 hex digits (52 bits) keep a chunk size an exact integer; no real chunk comes near it.
const CHUNK_SIZE = /^[0-9a-fA-F]{1,13}$/;

/** Reads one message body from the connection's reader, as its framing says. */
interface BodySource {
  /** Read body bytes into `p`; `null` at the end of the body. */
  read(p: Uint8Array): Promise<number | null>;
}

function lengthSource(reader: HttpReader, length: number): BodySource {
  let remaining = length;
  return {
    async read(p) {
      if (remaining === 0) return null;
      const n = await reader.readInto(p.length > remaining ? p.subarray(0, remaining) : p);
      if (n === null) {
        throw new HttpParseError(`stream ended ${remaining} bytes before the end of the body`);
      }
      remaining -= n;
      return n;
    },
  };
}

function chunkedSource(reader: HttpReader, maxTrailerBytes: number): BodySource {
  let remaining = 0;
  let done = false;
  const readTrailers = async () => {
    // Trailer fields are read and dropped (nothing here uses them), within a byte budget.
    let budget = maxTrailerBytes;
    for (;;) {
      const line = await reader.readLine(budget, "chunked trailer");
      if (line.length === 0) return;
      budget -= line.length + 2;
      if (budget < 0) throw new HttpParseError(`chunked trailer larger than ${maxTrailerBytes}`);
    }
  };
  return {
    async read(p) {
      while (!done) {
        if (remaining > 0) {
          const n = await reader.readInto(p.length > remaining ? p.subarray(0, remaining) : p);
          if (n === null) throw new HttpParseError("stream ended inside a chunk");
          remaining -= n;
          if (remaining === 0) await reader.expect(CRLF, "CRLF after chunk data");
          return n;
        }
        const line = latin1(await reader.readLine(MAX_CHUNK_LINE_BYTES, "chunk size line"));
        const semicolon = line.indexOf(";");
        const sizeText = (semicolon < 0 ? line : line.slice(0, semicolon)).trimEnd();
        if (!CHUNK_SIZE.test(sizeText)) throw new HttpParseError("malformed chunk size line");
        const size = parseInt(sizeText, 16);
        if (size === 0) {
          await readTrailers();
          done = true;
        } else {
          remaining = size;
        }
      }
      return null;
    },
  };
}

function closeSource(reader: HttpReader): BodySource {
  return { read: (p) => reader.readInto(p) };
}

/** Options for {@linkcode MessageBody}. */
export interface MessageBodyOptions {
  /** Limit for chunked trailers. */
  maxTrailerBytes: number;
  /** Runs before the first read (a server sends `100 Continue` there). */
  beforeFirstRead?: () => Promise<void>;
  /** Replaces a read error with the one the consumer should see (e.g. the abort reason). */
  mapError?: (error: unknown) => unknown;
  /** Runs once when the body has been read to its end (`undefined`) or failed/cancelled. */
  onEnd?: (error?: unknown) => void;
}

/**
 * One message body on a connection. Its {@linkcode MessageBody.stream} hands bytes to the
 * consumer with backpressure (nothing is read from the connection until the consumer pulls);
 * {@linkcode MessageBody.discard} lets the connection take the rest back, e.g. to reach the
 * next request on a kept-alive connection.
 */
export class MessageBody {
  readonly #source: BodySource;
  readonly #options: MessageBodyOptions;
  readonly #chunkBytes: number;
  // The body's length when its framing declares one.
  readonly #length: number | undefined;
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | undefined;
  #scratch: Uint8Array<ArrayBuffer> | undefined;
  #started = false;
  #complete = false;
  #ended = false;
  #detached = false;
  #inflight: Promise<unknown> | undefined;

  /** A body on `reader` delimited by `framing` (not `none`). */
  constructor(reader: HttpReader, framing: BodyFraming, options: MessageBodyOptions) {
    this.#options = options;
    switch (framing.kind) {
      case "length":
        this.#source = lengthSource(reader, framing.length);
        this.#chunkBytes = Math.min(framing.length, BODY_CHUNK_BYTES);
        this.#length = framing.length;
        break;
      case "chunked":
        this.#source = chunkedSource(reader, options.maxTrailerBytes);
        this.#chunkBytes = BODY_CHUNK_BYTES;
        break;
      case "close":
        this.#source = closeSource(reader);
        this.#chunkBytes = BODY_CHUNK_BYTES;
        break;
      default:
        throw new TypeError("a message without a body has no MessageBody");
    }
  }

  /** Whether anything asked for body bytes yet. */
  get started(): boolean {
    return this.#started;
  }

  /** Whether the body has been read to its end. */
  get complete(): boolean {
    return this.#complete;
  }

  #end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#options.onEnd?.(error);
  }

  async #read(p: Uint8Array): Promise<number | null> {
    if (!this.#started) {
      this.#started = true;
      await this.#options.beforeFirstRead?.();
    }
    const n = await this.#source.read(p);
    if (n === null) {
      this.#complete = true;
      this.#end();
    }
    return n;
  }

  /** The body as a byte stream (created once). Reads fail after {@linkcode discard}. */
  stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    this.#stream ??= new ReadableStream({
      type: "bytes",
      pull: async (controller) => {
        if (this.#detached) {
          controller.error(new HttpParseError("body no longer readable: the response was sent"));
          return;
        }
        // A reader that brings its own buffer (BYOB) is filled in place; other readers get an
        // exact-size copy of what one read from a scratch buffer brought. (Chunks in
        // auto-allocated buffers would each pin a whole buffer: a body dripped a byte at a
        // time would hold 64 KiB per byte until it ends.)
        const request = controller.byobRequest;
        const view = request?.view;
        const p = view
          ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
          : (this.#scratch ??= new Uint8Array(Math.min(this.#chunkBytes, SCRATCH_BYTES)));
        const filling = this.#read(p).then((n) => {
          if (n === null) {
            controller.close();
            request?.respond(0);
          } else if (request) {
            request.respond(n);
          } else {
            controller.enqueue(p.slice(0, n));
          }
        });
        try {
          await this.#guard(filling);
        } catch (error) {
          controller.error(error);
        }
      },
      cancel: (reason) => this.#end(reason ?? new Error("body cancelled")),
    });
    return this.#stream;
  }

  /**
   * Read body bytes straight from the connection into `p`, without the stream's reader and
   * pulls in between (they cost a bulk download ~10 µs a read); `null` at the end of the body.
   * For a consumer that reads the whole body this way, one read at a time, and never through
   * the stream: it throws once the stream has a reader or the body was taken back.
   */
  async readInto(p: Uint8Array): Promise<number | null> {
    if (this.#detached || this.#stream?.locked) {
      throw new HttpParseError("body not readable here: its stream has a reader");
    }
    return await this.#guard(this.#read(p));
  }

  // `reading` as the read in flight (a stream's pull, readInto, readAll); a failure ends the
  // body with the error mapError gives.
  async #guard<T>(reading: Promise<T>): Promise<T> {
    this.#inflight = reading;
    try {
      return await reading;
    } catch (caught) {
      const error = this.#options.mapError?.(caught) ?? caught;
      this.#end(error);
      throw error;
    } finally {
      this.#inflight = undefined;
    }
  }

  /**
   * The whole body read straight from the connection, without the stream's reader, pulls and
   * chunk copies in between (a declared length is read into one buffer of that size). More
   * than `limit` bytes end the body as a cancelled stream would and throw `tooLarge()`; a
   * failed read ends it and throws. `undefined` when the stream was handed to a reader or
   * reading has begun: then the body is the stream's.
   */
  readAll(limit: number, tooLarge: () => Error): Promise<Uint8Array> | undefined {
    if (this.#started || this.#ended || this.#detached || this.#stream?.locked) return undefined;
    return this.#guard(this.#readAll(limit, tooLarge));
  }

  async #readAll(limit: number, tooLarge: () => Error): Promise<Uint8Array> {
    if (this.#length !== undefined) {
      // A declared length fills one buffer of that size; the read after it sees the end.
      if (this.#length > limit) throw tooLarge();
      const buf = new Uint8Array(this.#length);
      for (let filled = 0;;) {
        const n = await this.#read(buf.subarray(filled));
        if (n === null) return buf;
        filled += n;
      }
    }
    const parts: Uint8Array[] = [];
    let size = 0;
    const scratch = new Uint8Array(Math.min(this.#chunkBytes, SCRATCH_BYTES));
    for (;;) {
      const n = await this.#read(scratch);
      if (n === null) break;
      size += n;
      if (size > limit) throw tooLarge();
      parts.push(scratch.slice(0, n));
    }
    return parts.length === 1 ? parts[0] : concatBytes(parts, size);
  }

  /**
   * Take the body back from its consumer and read the rest into nothing, up to `limit` bytes.
   * Resolves `true` when the body was read to its end within the limit.
   */
  async discard(limit: number): Promise<boolean> {
    this.#detached = true;
    if (this.#ended) return this.#complete;
    await this.#inflight?.catch(() => {});
    if (this.#ended) return this.#complete;
    if (limit <= 0) {
      this.#end(new Error("body not read to its end"));
      return false;
    }
    const scratch = new Uint8Array(Math.min(16 * 1024, Math.max(1, limit)));
    let left = limit;
    try {
      while (left >= 0) {
        const n = await this.#read(scratch);
        if (n === null) return true;
        left -= n;
      }
    } catch (error) {
      this.#end(error);
      return false;
    }
    this.#end(new Error("body not read to its end"));
    return false;
  }
}
