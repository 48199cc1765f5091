import { type ByteStream, concatBytes, writeAll } from "../conn/mod.ts";
import { BODY_CHUNK_BYTES, BUFFERED_BODY_BYTES } from "./constants.ts";

/** A request or response to send. */
export interface OutgoingMessage {
  /** `GET /x HTTP/1.1` or `HTTP/1.1 200 OK`. */
  startLine: string;
  /** Header fields, without the framing ones (Content-Length, Transfer-Encoding, Connection). */
  fields: Array<[string, string]>;
  /** The body, if any. */
  body: ReadableStream<Uint8Array> | null;
  /** The body when it is bytes in memory already (then `body` is not read): one write. */
  bytes?: Uint8Array;
  /** A Content-Length the sender gave (trusted, then checked against the bytes sent). */
  declaredLength?: number;
  /** Send `Content-Length: 0` when there is no body (responses; requests that carry one). */
  emptyLength: boolean;
  /** False for a response to HEAD, 1xx, 204 and 304: the head only. */
  bodyAllowed: boolean;
  /** The peer reads chunked bodies (it spoke HTTP/1.1). */
  chunkedAllowed: boolean;
  /** Keep the connection for another message (else `Connection: close` is sent). */
  keepAlive: boolean;
}

const encoder = new TextEncoder();
// deno-lint-ignore no-control-regex -- ASCII test: control bytes are part of the range.
const ASCII = /^[\x00-\x7f]*$/;
const LAST_CHUNK = encoder.encode("0\r\n\r\n");

/** Head text to bytes, one byte per character (header values are byte strings). */
function latin1Bytes(text: string): Uint8Array {
  if (ASCII.test(text)) return encoder.encode(text);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function encodeHead(message: OutgoingMessage, framing: Array<[string, string]>): Uint8Array {
  let text = message.startLine + "\r\n";
  for (const [name, value] of message.fields) text += `${name}: ${value}\r\n`;
  for (const [name, value] of framing) text += `${name}: ${value}\r\n`;
  if (!message.keepAlive) text += "Connection: close\r\n";
  return latin1Bytes(text + "\r\n");
}

const STALLED = Symbol("stalled");

/**
 * The read's result if the body has it at hand (it settles before the next macrotask), else
 * {@linkcode STALLED}; the read stays pending and is awaited later.
 */
async function settledOrStalled<T>(reading: Promise<T>): Promise<T | typeof STALLED> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<typeof STALLED>((resolve) => {
    timer = setTimeout(() => resolve(STALLED), 0);
  });
  try {
    return await Promise.race([reading, stalled]);
  } finally {
    clearTimeout(timer);
  }
}

function checkChunk(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError("body chunks must be Uint8Array");
  return value;
}

/** Sends messages on one connection; owns a scratch buffer for chunk framing. */
export class MessageWriter {
  readonly #stream: ByteStream;
  #scratch: Uint8Array | undefined;

  /** Write to `stream`. */
  constructor(stream: ByteStream) {
    this.#stream = stream;
  }

  /** Write raw bytes (e.g. `100 Continue`). */
  async raw(bytes: Uint8Array): Promise<void> {
    await writeAll(this.#stream, bytes);
  }

  async #chunk(data: Uint8Array): Promise<void> {
    // Size line, data and CRLF go out in one write: one frame on the dmsg stream, not three.
    this.#scratch ??= new Uint8Array(BODY_CHUNK_BYTES + 32);
    for (let offset = 0; offset < data.length; offset += BODY_CHUNK_BYTES) {
      const piece = data.subarray(offset, offset + BODY_CHUNK_BYTES);
      const { written } = encoder.encodeInto(`${piece.length.toString(16)}\r\n`, this.#scratch);
      this.#scratch.set(piece, written);
      this.#scratch[written + piece.length] = 0x0d;
      this.#scratch[written + piece.length + 1] = 0x0a;
      await writeAll(this.#stream, this.#scratch.subarray(0, written + piece.length + 2));
    }
  }

  /**
   * Send `message`. Resolves whether the connection can carry another message: `false` when
   * the body had to be delimited by closing, or did not match its declared length.
   * Throws when the stream or the body stream fails (the connection is then unusable); the
   * body stream is cancelled then, and when `signal` aborts (the peer went away), so that its
   * producer stops.
   */
  async write(message: OutgoingMessage, signal?: AbortSignal): Promise<boolean> {
    const { body } = message;
    if (!message.bodyAllowed) {
      const framing: Array<[string, string]> = message.declaredLength !== undefined
        ? [["Content-Length", String(message.declaredLength)]]
        : [];
      await writeAll(this.#stream, encodeHead(message, framing));
      await body?.cancel().catch(() => {});
      return message.keepAlive;
    }
    if (message.bytes !== undefined) {
      const bytes = message.bytes;
      const head = encodeHead(message, [["Content-Length", String(bytes.length)]]);
      if (bytes.length <= BUFFERED_BODY_BYTES) {
        await writeAll(this.#stream, concatBytes([head, bytes], head.length + bytes.length));
      } else {
        await writeAll(this.#stream, head);
        await writeAll(this.#stream, bytes);
      }
      return message.keepAlive;
    }
    if (body === null) {
      const framing: Array<[string, string]> = message.emptyLength ? [["Content-Length", "0"]] : [];
      await writeAll(this.#stream, encodeHead(message, framing));
      return message.keepAlive;
    }
    const reader = body.getReader();
    const stop = () => void reader.cancel(signal?.reason).catch(() => {});
    if (signal?.aborted) stop();
    else signal?.addEventListener("abort", stop, { once: true });
    try {
      if (message.declaredLength !== undefined) {
        return await this.#writeDeclared(message, reader, message.declaredLength);
      }
      return await this.#writeUndeclared(message, reader);
    } catch (error) {
      await reader.cancel(error).catch(() => {});
      throw error;
    } finally {
      signal?.removeEventListener("abort", stop);
      reader.releaseLock();
    }
  }

  // One body write may be in flight while the next chunk is read: the source's read latency
  // (a file read goes through a thread pool) overlaps the network instead of adding to it.
  // At most one chunk is held beyond the one being written, so backpressure stays bounded.
  #send(bytes: Uint8Array): Promise<void> {
    const sending = writeAll(this.#stream, bytes);
    // Awaited by the caller later; until then a failure must not count as unhandled.
    sending.catch(() => {});
    return sending;
  }

  async #writeDeclared(
    message: OutgoingMessage,
    reader: ReadableStreamDefaultReader<Uint8Array>,
    length: number,
  ): Promise<boolean> {
    const head = encodeHead(message, [["Content-Length", String(length)]]);
    let sent = 0;
    let first = true;
    let writing: Promise<void> | undefined;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        let chunk = checkChunk(value);
        if (sent + chunk.length > length) chunk = chunk.subarray(0, length - sent);
        // The previous write must be done before this chunk queues behind it: one in flight.
        await writing;
        if (first && chunk.length <= BUFFERED_BODY_BYTES) {
          writing = this.#send(concatBytes([head, chunk], head.length + chunk.length));
        } else {
          if (first) await writeAll(this.#stream, head);
          writing = this.#send(chunk);
        }
        first = false;
        sent += chunk.length;
        if (sent === length) {
          // More than declared: the rest cannot be framed; the connection must close.
          const extra = await reader.read();
          await writing;
          if (!extra.done) {
            await reader.cancel().catch(() => {});
            return false;
          }
          return message.keepAlive;
        }
      }
      await writing;
    } catch (error) {
      await writing?.catch(() => {});
      throw error;
    }
    if (first) await writeAll(this.#stream, head);
    // Fewer bytes than declared: the peer would wait for the rest; only closing ends it.
    return sent === length && message.keepAlive;
  }

  async #writeUndeclared(
    message: OutgoingMessage,
    reader: ReadableStreamDefaultReader<Uint8Array>,
  ): Promise<boolean> {
    // Small bodies are collected and sent with a Content-Length, as Go's server does; a body
    // that stalls before its end (a stream of events) goes out chunked with what it has, as
    // Go's does when a handler flushes, so that nothing waits for bytes that may never come.
    const buffered: Uint8Array[] = [];
    let size = 0;
    let done = false;
    let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
    while (size < BUFFERED_BODY_BYTES) {
      const reading = reader.read();
      const next = await settledOrStalled(reading);
      if (next === STALLED) {
        // Awaited below; if the connection fails first, the lock's release rejects it unseen.
        reading.catch(() => {});
        pending = reading;
        break;
      }
      if (next.done) {
        done = true;
        break;
      }
      const chunk = checkChunk(next.value);
      buffered.push(chunk);
      size += chunk.length;
    }
    if (done) {
      const head = encodeHead(message, [["Content-Length", String(size)]]);
      await writeAll(this.#stream, concatBytes([head, ...buffered], head.length + size));
      return message.keepAlive;
    }
    if (message.chunkedAllowed) {
      await writeAll(this.#stream, encodeHead(message, [["Transfer-Encoding", "chunked"]]));
      for (const chunk of buffered) await this.#chunk(chunk);
      let writing: Promise<void> | undefined;
      try {
        for (;;) {
          const next = await (pending ?? reader.read());
          pending = undefined;
          await writing;
          if (next.done) break;
          const chunk = checkChunk(next.value);
          if (chunk.length > 0) {
            writing = this.#chunk(chunk);
            writing.catch(() => {});
          }
        }
      } catch (error) {
        await writing?.catch(() => {});
        throw error;
      }
      await writeAll(this.#stream, LAST_CHUNK);
      return message.keepAlive;
    }
    // An HTTP/1.0 peer: the body ends when the connection does.
    await writeAll(this.#stream, encodeHead({ ...message, keepAlive: false }, []));
    for (const chunk of buffered) await writeAll(this.#stream, chunk);
    for (;;) {
      const next = await (pending ?? reader.read());
      pending = undefined;
      if (next.done) break;
      await writeAll(this.#stream, checkChunk(next.value));
    }
    return false;
  }
}
