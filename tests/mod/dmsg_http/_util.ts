import type { ByteStream } from "../../../mod/conn/mod.ts";
import type {
  HttpHandler,
  HttpStreamListener,
  ServeHttpOptions,
} from "../../../mod/dmsg_http/mod.ts";
import { parseResponseHead, responseFraming, serveHttp } from "../../../mod/dmsg_http/mod.ts";
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

/** Serve `handler` on a fresh {@linkcode tcpListener} while `fn` runs with its port. */
export async function withServer(
  handler: HttpHandler<Deno.TcpConn>,
  fn: (port: number) => Promise<void>,
  options: ServeHttpOptions = {},
): Promise<void> {
  const { port, listener } = tcpListener();
  const server = serveHttp(listener, handler, options);
  try {
    await fn(port);
  } finally {
    await server.shutdown();
  }
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

/** SHA-256 of `data`, hex. */
export async function sha256Hex(data: Uint8Array | ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
