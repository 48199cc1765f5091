import type { ByteStream } from "../conn/mod.ts";
import { VERSION } from "../version/mod.ts";
import { MessageBody } from "./_body.ts";
import { HttpReader } from "./_reader.ts";
import { StreamWatchdog } from "./_watchdog.ts";
import { MessageWriter } from "./_write.ts";
import { DEFAULT_MAX_HEADER_BYTES } from "./constants.ts";
import { HttpParseError } from "./errors.ts";
import { contentLength, parseResponseHead, responseFraming, type ResponseHead } from "./head.ts";

/**
 * A response read from a dmsg HTTP connection: a `Response` whose body can also be read straight
 * from the connection with {@linkcode DmsgResponse.readInto}, for a bulk download (`dmsg curl`)
 * that would otherwise pay the web stream's reader and pulls on every read.
 */
export class DmsgResponse extends Response {
  readonly #body: MessageBody | undefined;

  /** The response to `body` (none for a message without one). */
  constructor(body: MessageBody | undefined, init: ResponseInit) {
    super(body?.stream() ?? null, init);
    this.#body = body;
  }

  /**
   * Read body bytes into `p`, straight from the connection; `null` at the end of the body (at
   * once when there is none). Read the body either this way, one read at a time, or through
   * `body`, not both.
   */
  readInto(p: Uint8Array): Promise<number | null> {
    return this.#body ? this.#body.readInto(p) : Promise.resolve(null);
  }
}

/** Options for {@linkcode HttpClientConnection}. */
export interface HttpClientConnectionOptions {
  /** Largest response head, in bytes (default 64 KiB). */
  maxHeaderBytes?: number;
  /**
   * Close the connection when a read or write makes no progress for this long, from sending
   * the request to the end of the response body (default 60 s; 0 = no limit).
   */
  timeoutMs?: number;
}

/** Per-request options. */
export interface HttpRequestOptions {
  /** Abort the request; the connection is closed. */
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 60_000;
// Fields this client frames itself.
const FRAMING_FIELDS = new Set(["connection", "content-length", "transfer-encoding", "keep-alive"]);
const METHODS_WITH_BODY = new Set(["POST", "PUT", "PATCH"]);
// Statuses a Fetch Response must have without a body.
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

function wantsClose(headers: Headers): boolean {
  const value = headers.get("connection");
  return value !== null && value.toLowerCase().split(",").some((t) => t.trim() === "close");
}

/**
 * HTTP/1.1 client side of one stream: requests go out one at a time; a response must be read
 * to its end (or cancelled) before the next request. Redirects are not followed.
 */
export class HttpClientConnection {
  readonly #watch: StreamWatchdog;
  readonly #reader: HttpReader;
  readonly #writer: MessageWriter;
  readonly #maxHeaderBytes: number;
  readonly #timeoutMs: number;
  #busy = false;
  #reusable = true;
  #closed = false;
  readonly #closeListeners: Array<() => void> = [];

  /** Speak HTTP on `stream` (the connection owns it from now on). */
  constructor(stream: ByteStream, options: HttpClientConnectionOptions = {}) {
    this.#watch = new StreamWatchdog(stream);
    this.#reader = new HttpReader(this.#watch);
    this.#writer = new MessageWriter(this.#watch);
    this.#maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Whether another request can be sent now (idle, open, and kept alive). */
  get reusable(): boolean {
    return !this.#busy && this.#reusable && !this.#closed && !this.#reader.ended;
  }

  /** Whether the connection is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Run `listener` once when the connection closes. */
  onClose(listener: () => void): void {
    if (this.#closed) listener();
    else this.#closeListeners.push(listener);
  }

  /** Close the stream. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#watch.close();
    for (const listener of this.#closeListeners.splice(0)) listener();
  }

  /**
   * Send `request` and resolve with the response once its head has arrived. The body streams
   * from the connection as it is read. `target` is the request target to send (default the
   * URL's path and query), `host` the Host field (default the URL's host), `bodyLength` the
   * body's size when known, and `closeAfter` closes the stream once the response has been read.
   */
  async request(
    request: Request,
    options: HttpRequestOptions & {
      host?: string;
      target?: string;
      bodyLength?: number;
      closeAfter?: boolean;
    } = {},
  ): Promise<DmsgResponse> {
    if (!this.reusable) throw new Error("HTTP connection is busy or closed");
    this.#busy = true;
    const signal = options.signal;
    const onAbort = () => this.close();
    if (signal?.aborted) throw signal.reason;
    signal?.addEventListener("abort", onAbort, { once: true });
    let handedOver = false;
    try {
      this.#watch.inactivity(this.#timeoutMs, "HTTP request");
      const url = new URL(request.url);
      const method = request.method;
      const fields: Array<[string, string]> = [["Host", options.host ?? url.host]];
      if (!request.headers.has("user-agent")) fields.push(["User-Agent", `skywire/${VERSION}`]);
      let declared = options.bodyLength;
      for (const [name, value] of request.headers) {
        if (name === "content-length") {
          declared ??= contentLength(request.headers);
          continue;
        }
        if (FRAMING_FIELDS.has(name) || name === "host") continue;
        fields.push([name, value]);
      }
      const keepAlive = !wantsClose(request.headers);
      this.#reusable = keepAlive && !options.closeAfter;
      // The response is read while the body is still going out, as Go's transport does: a
      // server may answer (or echo) before it has read the whole request body.
      let writeError: unknown;
      let written = false;
      const writing = this.#writer.write({
        startLine: `${method} ${options.target ?? url.pathname + url.search} HTTP/1.1`,
        fields,
        body: request.body,
        declaredLength: declared,
        emptyLength: METHODS_WITH_BODY.has(method),
        bodyAllowed: true,
        chunkedAllowed: true,
        keepAlive,
      }).then((reusable) => {
        written = true;
        if (!reusable) this.#reusable = false;
      }, (error) => {
        writeError = error;
        this.#reusable = false;
      });
      let head: ResponseHead;
      try {
        head = await this.#readFinalHead();
      } catch (error) {
        this.close();
        await writing;
        throw writeError ?? error;
      }
      const response = this.#response(head, method, signal, onAbort, () => written);
      handedOver = true;
      return response;
    } catch (error) {
      this.close();
      if (signal?.aborted) throw signal.reason;
      throw this.#watch.expired ?? error;
    } finally {
      if (!handedOver) {
        signal?.removeEventListener("abort", onAbort);
        this.#busy = false;
      }
    }
  }

  async #readFinalHead(): Promise<ResponseHead> {
    for (;;) {
      const bytes = await this.#reader.readHead(this.#maxHeaderBytes, "response");
      if (bytes === null) throw new HttpParseError("connection closed before a response");
      const head = parseResponseHead(bytes);
      if (head.status === 101) throw new HttpParseError("protocol switch (101) not supported");
      // Interim answers (100 Continue, 103 Early Hints) precede the real one.
      if (head.status >= 200) return head;
    }
  }

  #response(
    head: ResponseHead,
    method: string,
    signal: AbortSignal | undefined,
    onAbort: () => void,
    requestWritten: () => boolean,
  ): DmsgResponse {
    if (head.status > 599) throw new HttpParseError(`unsupported status ${head.status}`);
    if (head.version === "HTTP/1.0" || wantsClose(head.headers)) this.#reusable = false;
    const framing = responseFraming(head, method);
    const finish = (error?: unknown) => {
      signal?.removeEventListener("abort", onAbort);
      this.#busy = false;
      // A request body still going out when the response ended: the server will not read it.
      if (error !== undefined || !this.#reusable || !requestWritten()) this.close();
    };
    if (framing.kind === "close") this.#reusable = false;
    let messageBody: MessageBody | undefined;
    if (framing.kind === "none") {
      finish();
    } else if (NULL_BODY_STATUSES.has(head.status)) {
      // A body where Fetch allows none (205 with content): drop the connection instead.
      this.#reusable = false;
      finish();
    } else {
      messageBody = new MessageBody(this.#reader, framing, {
        maxTrailerBytes: this.#maxHeaderBytes,
        onEnd: (error) => finish(error),
        mapError: (error) => signal?.aborted ? signal.reason : this.#watch.expired ?? error,
      });
    }
    return new DmsgResponse(messageBody, {
      status: head.status,
      statusText: head.statusText,
      headers: head.headers,
    });
  }
}
