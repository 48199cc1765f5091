import { PubKey } from "../cipher/mod.ts";
import type { ByteStream } from "../conn/mod.ts";
import {
  type DmsgResponse,
  HttpClientConnection,
  type HttpClientConnectionOptions,
} from "./client_connection.ts";
import { DMSG_HTTP_PORT } from "./constants.ts";
import { DmsgUrlError } from "./errors.ts";

/** What {@linkcode dmsgFetch} needs of a dmsg client (`DmsgClient` has it). */
export interface DmsgStreamDialer {
  /** Open a stream to `addr`. */
  dialStream(
    addr: { pk: PubKey; port: number },
    options?: { signal?: AbortSignal },
  ): Promise<ByteStream>;
}

/** The parts of a `dmsg://PK:PORT/path?query` URL. */
export interface DmsgUrl {
  /** Public key of the visor or server. */
  pk: PubKey;
  /** dmsg port (default 80). */
  port: number;
  /** Path and query, e.g. `/health`. */
  target: string;
  /** `PK:PORT`, what the Host field carries (as Go's dmsghttp sends). */
  host: string;
}

/** Parse a `dmsg://` URL. Throws {@linkcode DmsgUrlError}. */
export function parseDmsgUrl(url: string): DmsgUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DmsgUrlError(`invalid URL "${url}"`);
  }
  if (parsed.protocol !== "dmsg:") {
    throw new DmsgUrlError(`want a dmsg:// URL, got "${parsed.protocol}//"`);
  }
  let pk: PubKey;
  try {
    pk = PubKey.fromHex(parsed.hostname.toLowerCase());
  } catch {
    throw new DmsgUrlError(`"${parsed.hostname}" is not a public key (66 hex characters)`);
  }
  if (pk.isNull()) throw new DmsgUrlError("the null public key cannot be dialled");
  const port = parsed.port === "" ? DMSG_HTTP_PORT : Number(parsed.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new DmsgUrlError(`invalid dmsg port "${parsed.port}"`);
  }
  if (parsed.username || parsed.password) throw new DmsgUrlError("dmsg URLs carry no user info");
  const target = (parsed.pathname || "/") + parsed.search;
  return { pk, port, target, host: `${pk.hex()}:${port}` };
}

/** {@linkcode dmsgFetch}'s options: Fetch's `RequestInit` plus connection limits. */
export interface DmsgFetchInit extends RequestInit, HttpClientConnectionOptions {}

/** The size of a body Fetch can measure, or `undefined` for a stream. */
async function bodyBytes(
  url: string,
  init: RequestInit,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const body = init.body;
  if (body === undefined || body === null || body instanceof ReadableStream) return undefined;
  if (body instanceof Uint8Array && body.buffer instanceof ArrayBuffer) {
    return body as Uint8Array<ArrayBuffer>;
  }
  // Strings, blobs, forms and buffers: let Fetch encode them (and set Content-Type).
  return new Uint8Array(await new Request(url, { method: init.method, body }).arrayBuffer());
}

/**
 * Fetch a `dmsg://PK:PORT/path` URL over dmsg HTTP: one dmsg stream per request (as Go's
 * `dmsghttp.HTTPTransport`), closed when the response body has been read or cancelled.
 * The body streams with backpressure. Redirects are returned, not followed. Errors: a
 * {@linkcode DmsgUrlError} for the URL, the dial's error, `HttpParseError` for a malformed
 * answer, `HttpTimeoutError` for a stalled one, or `init.signal`'s reason.
 */
export async function dmsgFetch(
  client: DmsgStreamDialer,
  url: string,
  init: DmsgFetchInit = {},
): Promise<DmsgResponse> {
  const target = parseDmsgUrl(url);
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();
  const bytes = await bodyBytes(url, init);
  const request = new Request(url, bytes ? { ...init, body: bytes } : init);
  const stream = await client.dialStream({ pk: target.pk, port: target.port }, { signal });
  const connection = new HttpClientConnection(stream, init);
  return await connection.request(request, {
    signal,
    host: target.host,
    target: target.target,
    bodyLength: bytes?.length,
    closeAfter: true,
  });
}
