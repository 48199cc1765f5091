import type { ByteStream } from "../conn/mod.ts";
import type { Logger } from "../log/mod.ts";
import { MessageBody } from "./_body.ts";
import { bytesOf } from "./bytes_response.ts";
import { attachRequestBody } from "./request_body.ts";
import { HttpReader } from "./_reader.ts";
import { StreamWatchdog } from "./_watchdog.ts";
import { MessageWriter, type OutgoingMessage } from "./_write.ts";
import { DEFAULT_MAX_HEADER_BYTES, MAX_DISCARD_BYTES } from "./constants.ts";
import { HttpParseError } from "./errors.ts";
import { parseRequestHead, requestFraming, type RequestHead } from "./head.ts";
import { statusText } from "./status.ts";

/** Limits of one server connection. */
export interface HttpConnectionOptions {
  /** Where failures are logged (debug for peer mistakes, error for handler failures). */
  logger?: Logger;
  /** Largest request head, in bytes (default 64 KiB). */
  maxHeaderBytes?: number;
  /**
   * A request head must arrive in full within this, from its first byte; on a new connection,
   * from the connection's start, so a connection that never sends is not held (default 10 s).
   */
  headerTimeoutMs?: number;
  /**
   * A request body must arrive in full within this, from the end of its head, so a body that
   * trickles or never ends is not held (default 0: no limit beyond `ioTimeoutMs`).
   */
  bodyTimeoutMs?: number;
  /** A kept-alive connection with no new request is closed after this (default 60 s). */
  idleTimeoutMs?: number;
  /** Scheme of the request URLs handlers see: `https` when the stream is TLS (default `http`). */
  scheme?: "http" | "https";
  /** A body read or response write without progress for this long ends it (default 60 s). */
  ioTimeoutMs?: number;
  /** Answers some GET requests before a `Request` is made for the handler (see the type). */
  shortcut?: HttpShortcut;
}

/** An answer of bytes in memory, sent as it is (Content-Length and Date added). */
export interface ShortAnswer {
  /** The status. */
  status: number;
  /** Header fields besides the framing ones and Date, lowercase, in the order to send. */
  fields: ReadonlyArray<readonly [string, string]>;
  /** The body. */
  bytes: Uint8Array;
}

/**
 * Asked for each GET request without a body, before the handler: its answer, or `undefined` to
 * leave the request to the handler. For a service's hottest route answered from memory (a
 * lookup), where making the `Request`, routing it and making the `Response` cost more than the
 * answer. It must answer as the handler would, byte for byte.
 */
export type HttpShortcut = (head: RequestHead, stream: ByteStream) => ShortAnswer | undefined;

/** What a handler learns about the connection besides the request. */
export interface HttpConnectionInfo<S extends ByteStream = ByteStream> {
  /** The stream the request came on (a dmsg stream has `remoteAddr` and `localAddr`). */
  stream: S;
  /**
   * Settles when the answer to this request has been sent: resolves once it is written,
   * rejects with `Deno.errors.Interrupted` when it could not be (as `Deno.serve`'s does).
   */
  completed: Promise<void>;
}

/** Answers one request. */
export type HttpHandler<S extends ByteStream = ByteStream> = (
  request: Request,
  info: HttpConnectionInfo<S>,
) => Response | Promise<Response>;

const DEFAULT_HEADER_TIMEOUT_MS = 10_000;
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const DEFAULT_IO_TIMEOUT_MS = 60_000;
// After answering and deciding to close, unread input is drained this long before closing, so
// a TCP peer still sending gets the answer rather than a reset (Go's rstAvoidanceDelay).
const LINGER_MS = 500;
const LINGER_BYTES = 256 * 1024;
const CONTINUE = new TextEncoder().encode("HTTP/1.1 100 Continue\r\n\r\n");
// Fields the server frames itself; a handler's values for them are not passed on.
const FRAMING_FIELDS = new Set(["connection", "content-length", "transfer-encoding", "keep-alive"]);
const CONNECTION_CLOSED = Symbol("connection closed");
const HOST = /^[A-Za-z0-9._~!$&'()*+,;=:\[\]%-]*$/;

/** The host a request names: its Host field, or the stream's own address. */
function requestHost(head: RequestHead, stream: ByteStream): string {
  const host = head.headers.get("host");
  if (host === null) {
    // HTTP/1.1 requires Host (RFC 9112 §3.2); Go answers 400 without it, and so do we.
    if (head.version === "HTTP/1.1") throw new HttpParseError("missing required Host header");
  } else {
    if (!HOST.test(host)) throw new HttpParseError("malformed Host header");
    if (host !== "") return host;
  }
  const local = (stream as { localAddr?: { pk?: { hex(): string }; port?: number } }).localAddr;
  return local?.pk ? `${local.pk.hex()}:${local.port}` : "localhost";
}

function requestUrl(head: RequestHead, host: string, scheme: string): string {
  if (head.target.startsWith("/")) return `${scheme}://${host}${head.target}`;
  if (/^https?:\/\//i.test(head.target)) return head.target;
  if (head.target === "*" && head.method === "OPTIONS") return `${scheme}://${host}*`;
  throw new HttpParseError("malformed request target");
}

function wantsClose(headers: Headers): boolean {
  const value = headers.get("connection");
  return value !== null && value.toLowerCase().split(",").some((t) => t.trim() === "close");
}

async function sendError(writer: MessageWriter, status: number, message: string): Promise<void> {
  const body = new TextEncoder().encode(message + "\n");
  await writer.write({
    startLine: `HTTP/1.1 ${status} ${statusText(status)}`,
    fields: [["Content-Type", "text/plain; charset=utf-8"]],
    body: new Blob([body]).stream(),
    declaredLength: body.length,
    emptyLength: true,
    bodyAllowed: true,
    chunkedAllowed: false,
    keepAlive: false,
  });
}

function responseMessage(
  response: Response,
  head: RequestHead,
  keepAlive: boolean,
): OutgoingMessage {
  const status = response.status;
  const fields: Array<[string, string]> = [];
  let declared: number | undefined;
  for (const [name, value] of response.headers) {
    if (name === "content-length") {
      declared = /^\d{1,15}$/.test(value) ? Number(value) : undefined;
      continue;
    }
    if (FRAMING_FIELDS.has(name)) continue;
    if (name === "set-cookie") continue;
    fields.push([name, value]);
  }
  for (const cookie of response.headers.getSetCookie()) fields.push(["set-cookie", cookie]);
  if (!response.headers.has("date")) fields.push(["date", httpDate()]);
  const bodyAllowed = head.method !== "HEAD" && status >= 200 && status !== 204 &&
    status !== 304;
  // Bytes in memory go out in one write, unless a declared length disagrees with them.
  const bytes = bodyAllowed ? bytesOf(response) : undefined;
  if (bytes && (declared === undefined || declared === bytes.length)) {
    return {
      startLine: `HTTP/1.1 ${status} ${response.statusText || statusText(status)}`,
      fields,
      body: null,
      bytes,
      emptyLength: true,
      bodyAllowed,
      chunkedAllowed: head.version === "HTTP/1.1",
      keepAlive,
    };
  }
  return {
    startLine: `HTTP/1.1 ${status} ${response.statusText || statusText(status)}`,
    fields,
    body: response.body,
    // A HEAD answer keeps the length the handler gave; 204 and 304 carry none.
    declaredLength: bodyAllowed || head.method === "HEAD" ? declared : undefined,
    emptyLength: true,
    bodyAllowed,
    chunkedAllowed: head.version === "HTTP/1.1",
    keepAlive,
  };
}

// The Date field, made once a second (formatting it costs more than the rest of a short answer).
let dateSecond = -1;
let dateText = "";
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}

function shortMessage(answer: ShortAnswer, head: RequestHead, keepAlive: boolean): OutgoingMessage {
  return {
    startLine: `HTTP/1.1 ${answer.status} ${statusText(answer.status)}`,
    fields: [...answer.fields as Array<[string, string]>, ["date", httpDate()]],
    body: null,
    bytes: answer.bytes,
    emptyLength: true,
    bodyAllowed: true,
    chunkedAllowed: head.version === "HTTP/1.1",
    keepAlive,
  };
}

/**
 * Half-close, then read and drop what the peer still sends, briefly. `pending` is a wait for
 * data already in flight on `reader` (it must finish before another read starts).
 */
async function linger(
  watch: StreamWatchdog,
  reader: HttpReader,
  pending?: Promise<boolean>,
): Promise<void> {
  if (!watch.canCloseWrite) return;
  watch.deadline(LINGER_MS, "linger");
  try {
    await watch.closeWrite();
    if (pending && !(await pending)) return;
    const scratch = new Uint8Array(16 * 1024);
    for (let left = LINGER_BYTES; left > 0;) {
      const n = await reader.readInto(scratch);
      if (n === null) return;
      left -= n;
    }
  } catch {
    // The peer reset or the linger ran out: the stream is closed below either way.
  }
}

/** Whether the server is shutting down; checked between requests. */
export interface ConnectionControl {
  /** True once no further request should be read. */
  readonly stopping: boolean;
  /** Called when the connection starts or finishes a request (idle connections close first). */
  onState?(busy: boolean): void;
}

/**
 * Serve HTTP/1.1 on one stream until the peer closes it, a limit runs out, or a message cannot
 * be parsed (answered with its 4xx/5xx status, then closed). Keep-alive follows Go's net/http:
 * HTTP/1.1 connections stay open unless either side says `Connection: close`; an unread
 * request body up to 256 KiB is discarded to reach the next request. Resolves when the stream
 * is closed; never rejects.
 */
export async function serveHttpConnection<S extends ByteStream>(
  stream: S,
  handler: HttpHandler<S>,
  options: HttpConnectionOptions & { control?: ConnectionControl; watchdog?: StreamWatchdog } = {},
): Promise<void> {
  const logger = options.logger;
  const maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  const watch = options.watchdog ?? new StreamWatchdog(stream);
  const reader = new HttpReader(watch, (p) => watch.readQuietly(p));
  const writer = new MessageWriter(watch);
  // Aborts the signal of the request in progress when the connection goes away. One per
  // request: a request's signal follows it, and a follower stays registered with the signal
  // it follows, so one controller for a keep-alive connection kept every request it served.
  let aborter = new AbortController();
  // Settles the wait of the request in progress when the connection closes. Per request for
  // the same reason: a race against one connection-long promise leaves a reaction on it per
  // request, each holding that request's objects until the connection ends.
  let closedWait: ((value: typeof CONNECTION_CLOSED) => void) | undefined;
  let connectionEnded = false;
  watch.closed.then(() => {
    connectionEnded = true;
    closedWait?.(CONNECTION_CLOSED);
  });
  const headerTimeoutMs = options.headerTimeoutMs ?? DEFAULT_HEADER_TIMEOUT_MS;
  const ioTimeoutMs = options.ioTimeoutMs ?? DEFAULT_IO_TIMEOUT_MS;
  const bodyDeadline = (options.bodyTimeoutMs ?? 0) > 0;
  // Settles the `completed` promise of the request being answered.
  let answering: PromiseWithResolvers<void> | undefined;
  // Aborted when the peer goes away while its request is handled or answered.
  let responding = new AbortController();
  // Once a request is read in full, a read is left pending (Go's background read): its end of
  // stream means the peer went away, which aborts the request's signal and the answer's body
  // (an event stream stops at once). Otherwise it is the wait for the next request.
  let nextData: Promise<boolean> | undefined;
  const watchPeer = () => {
    if (nextData) return;
    const gone = () => {
      aborter.abort(new Error("the client went away"));
      responding.abort(new Error("the client went away"));
    };
    nextData = reader.waitForData(true);
    nextData.then((more) => more || gone(), gone);
  };
  try {
    for (let first = true;; first = false) {
      if (options.control?.stopping) return;
      // The first request is awaited as part of its head (Go's ReadHeaderTimeout); later
      // ones as an idle keep-alive connection.
      if (first) watch.deadline(headerTimeoutMs, "request head");
      else watch.deadline(options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, "idle connection");
      const more = nextData ?? reader.waitForData();
      nextData = undefined;
      if (!(await more)) return;
      responding = new AbortController();
      aborter = new AbortController();
      options.control?.onState?.(true);
      if (!first) watch.deadline(headerTimeoutMs, "request head");
      let head: RequestHead;
      let url: string;
      let body: MessageBody | undefined;
      try {
        const bytes = await reader.readHead(maxHeaderBytes, "request");
        if (bytes === null) return;
        head = parseRequestHead(bytes);
        const framing = requestFraming(head);
        url = requestUrl(head, requestHost(head, stream), options.scheme ?? "http");
        const expect = head.headers.get("expect");
        const expectContinue = expect?.toLowerCase() === "100-continue" &&
          head.version === "HTTP/1.1";
        if (expect !== null && !expectContinue) {
          throw new HttpParseError(`unsupported Expect "${expect}"`, 417);
        }
        if (framing.kind !== "none") {
          body = new MessageBody(reader, framing, {
            maxTrailerBytes: maxHeaderBytes,
            beforeFirstRead: expectContinue ? () => writer.raw(CONTINUE) : undefined,
            // Once the body is in, the rest of the exchange is watched for progress only.
            onEnd: (error) => {
              if (error) return;
              if (bodyDeadline) watch.inactivity(ioTimeoutMs, "request");
              watchPeer();
            },
          });
        }
      } catch (error) {
        if (!(error instanceof HttpParseError)) throw error;
        logger?.debug("malformed request; answering and closing", {
          status: error.status,
          error: error.message,
        });
        watch.inactivity(ioTimeoutMs, "error response");
        await sendError(writer, error.status, error.message);
        await linger(watch, reader);
        return;
      }
      if (body && bodyDeadline) watch.deadline(options.bodyTimeoutMs!, "request body");
      else watch.inactivity(ioTimeoutMs, "request");
      if (!body) watchPeer();
      // Fetch refuses a body on GET and HEAD; such a body is read past, not handed over.
      const passBody = body && head.method !== "GET" && head.method !== "HEAD";
      answering = Promise.withResolvers<void>();
      answering.promise.catch(() => {});
      let short: ShortAnswer | undefined;
      try {
        if (!body && head.method === "GET") short = options.shortcut?.(head, stream);
      } catch (error) {
        // The handler answers then, as it would without the shortcut.
        logger?.error("HTTP shortcut failed", { method: head.method, url, error });
      }
      let message: OutgoingMessage;
      if (short) {
        const keepAlive = head.version === "HTTP/1.1" && !wantsClose(head.headers) &&
          !options.control?.stopping;
        message = shortMessage(short, head, keepAlive);
      } else {
        let response: Response;
        const info: HttpConnectionInfo<S> = { stream, completed: answering.promise };
        try {
          // A `body` key, even null, costs Request's constructor a fifth more: only when needed.
          const init: RequestInit = {
            method: head.method,
            headers: head.fields,
            signal: aborter.signal,
          };
          if (passBody) init.body = body!.stream();
          const request = new Request(url, init);
          if (passBody) attachRequestBody(request, body!);
          const handled = Promise.resolve().then(() => handler(request, info));
          // A handler that never answers must not keep a closed connection (and shutdown) waiting.
          handled.catch(() => {});
          const closed = new Promise<typeof CONNECTION_CLOSED>((resolve) => {
            closedWait = resolve;
            if (connectionEnded) resolve(CONNECTION_CLOSED);
          });
          let outcome: Response | typeof CONNECTION_CLOSED;
          try {
            outcome = await Promise.race([handled, closed]);
          } finally {
            closedWait = undefined;
          }
          if (outcome === CONNECTION_CLOSED) return;
          response = outcome;
          if (!(response instanceof Response)) {
            throw new TypeError("handler did not return a Response");
          }
        } catch (error) {
          logger?.error("HTTP handler failed", { method: head.method, url, error });
          response = new Response("internal server error\n", {
            status: 500,
            headers: { "content-type": "text/plain; charset=utf-8" },
          });
        }
        let keepAlive = head.version === "HTTP/1.1" && !wantsClose(head.headers) &&
          !wantsClose(response.headers) && !options.control?.stopping;
        // A client waiting for 100 Continue may never send the body we did not ask for.
        if (body && !body.started && head.headers.has("expect")) keepAlive = false;
        message = responseMessage(response, head, keepAlive);
      }
      let keepAlive = await writer.write(message, responding.signal);
      if (responding.signal.aborted) keepAlive = false;
      answering.resolve();
      if (body && !body.complete && keepAlive) keepAlive = await body.discard(MAX_DISCARD_BYTES);
      else if (body && !body.complete) await body.discard(0);
      if (!keepAlive) {
        if (!options.control?.stopping) await linger(watch, reader, nextData);
        return;
      }
      reader.shrink();
      options.control?.onState?.(false);
    }
  } catch (error) {
    logger?.debug("HTTP connection ended", { error: watch.expired ?? error });
  } finally {
    answering?.reject(new Deno.errors.Interrupted("connection closed before the answer was sent"));
    options.control?.onState?.(false);
    watch.close();
    aborter.abort(new Error("HTTP connection closed"));
  }
}
