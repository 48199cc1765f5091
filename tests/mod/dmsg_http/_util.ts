import type { ByteStream } from "../../../mod/conn/mod.ts";
import type { HttpStreamListener } from "../../../mod/dmsg_http/mod.ts";
import { parseResponseHead, responseFraming } from "../../../mod/dmsg_http/mod.ts";
import { HttpReader } from "../../../mod/dmsg_http/_reader.ts";
import { MessageBody } from "../../../mod/dmsg_http/_body.ts";
import { mulberry32 as seededRandom } from "../../_util/prng.ts";
export { seededRandom };

/** A TCP listener on 127.0.0.1 with an ephemeral port, in the shape `serveHttp` takes. */
export function tcpListener(): { port: number; listener: HttpStreamListener<Deno.TcpConn> } {
  const inner = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let closed = false;
  return {
    port: inner.addr.port,
    listener: {
      async accept() {
        if (closed) return null;
        try {
          return await inner.accept();
        } catch (error) {
          if (closed) return null;
          throw error;
        }
      },
      close() {
        if (closed) return;
        closed = true;
        inner.close();
      },
    },
  };
}

/** Connect to 127.0.0.1:`port`. */
export function connect(port: number): Promise<Deno.TcpConn> {
  return Deno.connect({ hostname: "127.0.0.1", port });
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Write text (or bytes) to a stream. */
export async function send(stream: ByteStream, data: string | Uint8Array): Promise<void> {
  let bytes = typeof data === "string" ? encoder.encode(data) : data;
  while (bytes.length > 0) bytes = bytes.subarray(await stream.write(bytes));
}

/** A response read off a raw connection. */
export interface RawResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
  text: string;
}

/** Reads responses off a raw connection (several in a row for keep-alive tests). */
export class RawResponseReader {
  readonly #reader: HttpReader;

  constructor(stream: ByteStream) {
    this.#reader = new HttpReader(stream);
  }

  /** The next response; `null` when the connection ended first. */
  async next(method = "GET"): Promise<RawResponse | null> {
    const bytes = await this.#reader.readHead(64 * 1024, "response");
    if (bytes === null) return null;
    const head = parseResponseHead(bytes);
    const framing = responseFraming(head, method);
    let body = new Uint8Array(0);
    if (framing.kind !== "none") {
      const stream = new MessageBody(this.#reader, framing, { maxTrailerBytes: 64 * 1024 })
        .stream();
      body = new Uint8Array(await new Response(stream).arrayBuffer());
    }
    return { status: head.status, headers: head.headers, body, text: decoder.decode(body) };
  }

  /** Whether the connection ends (EOF or reset) with no further bytes. */
  async ended(): Promise<boolean> {
    try {
      return !(await this.#reader.waitForData());
    } catch {
      return true;
    }
  }
}

/**
 * Two connected in-memory byte streams. Each direction holds at most `capacity` unread bytes:
 * a writer waits until the reader has taken them, so backpressure is exact.
 */
export function memoryPipe(capacity = 64 * 1024): [ByteStream, ByteStream] {
  const ab = new Channel(capacity);
  const ba = new Channel(capacity);
  const end = (read: Channel, write: Channel): ByteStream => ({
    read: (p) => read.read(p),
    write: (p) => write.write(p),
    closeWrite: () => {
      write.end();
      return Promise.resolve();
    },
    close: () => {
      write.end();
      read.abort();
    },
  });
  return [end(ba, ab), end(ab, ba)];
}

class Channel {
  readonly #capacity: number;
  readonly #chunks: Uint8Array[] = [];
  #size = 0;
  #ended = false;
  #aborted = false;
  #readWaiter: (() => void) | undefined;
  #writeWaiter: (() => void) | undefined;
  /** Bytes written in total (for backpressure assertions). */
  written = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  async read(p: Uint8Array): Promise<number | null> {
    while (this.#size === 0) {
      if (this.#aborted) throw new Error("stream closed");
      if (this.#ended) return null;
      await new Promise<void>((resolve) => this.#readWaiter = resolve);
    }
    let n = 0;
    while (n < p.length && this.#chunks.length > 0) {
      const chunk = this.#chunks[0];
      const take = Math.min(chunk.length, p.length - n);
      p.set(chunk.subarray(0, take), n);
      n += take;
      if (take === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(take);
    }
    this.#size -= n;
    this.#wakeWriter();
    return n;
  }

  async write(p: Uint8Array): Promise<number> {
    while (this.#size >= this.#capacity) {
      if (this.#aborted || this.#ended) throw new Error("stream closed");
      await new Promise<void>((resolve) => this.#writeWaiter = resolve);
    }
    if (this.#aborted || this.#ended) throw new Error("stream closed");
    const n = Math.min(p.length, this.#capacity - this.#size);
    this.#chunks.push(p.slice(0, n));
    this.#size += n;
    this.written += n;
    this.#wakeReader();
    return n;
  }

  end(): void {
    this.#ended = true;
    this.#wakeReader();
    this.#wakeWriter();
  }

  abort(): void {
    this.#aborted = true;
    this.#wakeReader();
    this.#wakeWriter();
  }

  #wakeReader(): void {
    const wake = this.#readWaiter;
    this.#readWaiter = undefined;
    wake?.();
  }

  #wakeWriter(): void {
    const wake = this.#writeWaiter;
    this.#writeWaiter = undefined;
    wake?.();
  }
}

/** A seeded PRNG (mulberry32): the same seed gives the same inputs on every run. */

/** `n` bytes from a seeded PRNG. */
export function seededBytes(n: number, seed = 1): Uint8Array<ArrayBuffer> {
  const random = seededRandom(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 4) {
    const word = Math.floor(random() * 4294967296);
    out[i] = word;
    if (i + 1 < n) out[i + 1] = word >>> 8;
    if (i + 2 < n) out[i + 2] = word >>> 16;
    if (i + 3 < n) out[i + 3] = word >>> 24;
  }
  return out;
}

/** SHA-256 of `data`, hex. */
export async function sha256Hex(data: Uint8Array | ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
