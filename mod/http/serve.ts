/**
 * Serving a service's app on a Go-style listen address (`:9091`, `127.0.0.1:0`, `[::1]:80`)
 * with limits that keep idle and slow clients from holding file descriptors: a request head
 * and body must arrive within their timeouts, idle keep-alive connections are closed, each
 * remote IP may hold a bounded number of connections, and the server as a whole too. At the
 * process's file limit (`EMFILE`) accepting backs off and goes on.
 *
 * `Deno.serve` has none of these knobs, so the server accepts TCP itself and speaks HTTP/1.1
 * with the in-process codec of `mod/dmsg_http` (the one dmsg HTTP uses). With `tls` each
 * accepted connection speaks TLS (node:tls on our own TCP connection, see `_tls_stream.ts`),
 * and its handshake has its own budget counted from the accept, so a client that opens TCP
 * and never finishes the handshake holds its socket and per-IP slot no longer than that.
 *
 * @module
 */
import type { HttpConnectionInfo, RequestHead, ShortAnswer } from "../dmsg_http/mod.ts";
import { serveHttp as serveStreams } from "../dmsg_http/serve.ts";
import type { Logger } from "../log/mod.ts";
import { listenError, parseListenAddress, urlHost } from "../netutil/mod.ts";
import type { TlsCredentials } from "../tls/mod.ts";
import { TlsFileError } from "../tls/errors.ts";
import { type AcceptorTls, TcpAcceptor, type TrackedConn } from "./_tcp_acceptor.ts";

/** A listening HTTP service. */
export interface HttpService {
  /**
   * Base URL clients use, e.g. `http://127.0.0.1:9091` (loopback when bound to all;
   * `https://` with TLS).
   */
  readonly url: string;
  /** The address it listens on. */
  readonly hostname: string;
  /** The port it listens on. */
  readonly port: number;
  /** Connections open now. */
  readonly connections: number;
  /** Stop listening and wait (at most the grace time) for requests in flight. Idempotent. */
  close(): Promise<void>;
}

/** The limits of {@linkcode serveHttp}; every field has a default. */
export interface HttpLimits {
  /** From a connection's start (or a request's first byte) to the end of the request head. */
  headerTimeoutMs: number;
  /** From the end of a request head to the end of its body. */
  bodyTimeoutMs: number;
  /** A kept-alive connection with no new request is closed after this. */
  idleTimeoutMs: number;
  /** A response write (or body read) without progress for this long ends the connection. */
  ioTimeoutMs: number;
  /**
   * With TLS: from the TCP accept to the end of the TLS handshake. The request head's
   * timeout runs from the accept too, so this is the tighter bound for a stalled handshake.
   */
  tlsHandshakeTimeoutMs: number;
  /** Largest request head in bytes. */
  maxHeaderBytes: number;
  /** Connections served at once; at the limit, new ones wait in the listen backlog. */
  maxConnections: number;
  /**
   * Connections one remote IP may hold; more are closed as they arrive. This host's own
   * address (127.0.0.1, ::1: local tools, a reverse proxy) is not capped.
   */
  maxConnectionsPerIp: number;
}

/**
 * Defaults: Go's dmsg-discovery allows 3 s for a request (`ReadHeaderTimeout`, `ReadTimeout`)
 * and 30 s idle; these are looser for slow links (a Raspberry Pi on a mobile uplink) and
 * still free a held socket within seconds.
 */
export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = {
  headerTimeoutMs: 5_000,
  bodyTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
  ioTimeoutMs: 30_000,
  // An ECDSA handshake is two round trips and well under a millisecond of CPU; this leaves
  // room for a slow mobile uplink.
  tlsHandshakeTimeoutMs: 3_000,
  maxHeaderBytes: 64 * 1024,
  maxConnections: 1024,
  maxConnectionsPerIp: 128,
};

/** Options for {@linkcode serveHttp}. */
export interface ServeHttpOptions {
  /** `host:port` as Go takes it; an empty host is every interface. */
  addr: string;
  /** The handler, e.g. a Hono app's `fetch` (it receives Deno's handler info as `env`). */
  fetch: (
    request: Request,
    info: Deno.ServeHandlerInfo<Deno.NetAddr>,
  ) => Response | Promise<Response>;
  /** How long `close()` waits for requests in flight (default 1.5 s). */
  graceMs?: number;
  /** Limits to change from {@linkcode DEFAULT_HTTP_LIMITS}. */
  limits?: Partial<HttpLimits>;
  /** Where refused connections, accept failures and handler failures are logged. */
  logger?: Logger;
  /** Serve HTTPS with this certificate and key (read and checked by `mod/tls`). */
  tls?: TlsCredentials;
  /**
   * Answers some GET requests before `fetch` (from memory, byte for byte as `fetch` would),
   * or `undefined` to leave them to it: `mod/dmsg_http`'s `HttpShortcut` with the remote.
   */
  shortcut?: (head: RequestHead, remoteAddr: Deno.NetAddr) => ShortAnswer | undefined;
}

/**
 * What starts TLS on each accepted connection with `tls`, after rustls has accepted the pair
 * (node:tls in Deno defers every check to the first handshake; a start-time error naming the
 * file is what an operator needs).
 */
async function serverTls(tls: TlsCredentials): Promise<AcceptorTls["wrap"]> {
  try {
    Deno.createHttpClient({ cert: tls.cert, key: tls.key }).close();
  } catch (error) {
    throw new TlsFileError(
      tls.certFile,
      `cannot serve TLS with it and the key ${tls.keyFile}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  // node:tls and the node:stream modules under it (~1 MiB of a process) load only here: most
  // servers of a node never speak TLS.
  const [{ createSecureContext }, { TlsServerStream }] = await Promise.all([
    import("node:tls"),
    import("./_tls_stream.ts"),
  ]);
  const context = createSecureContext({ cert: tls.cert, key: tls.key });
  return (conn) => new TlsServerStream(conn, context);
}

const DEFAULT_GRACE_MS = 1_500;

/** Start serving and resolve once the port is bound. */
export async function serveHttp(options: ServeHttpOptions): Promise<HttpService> {
  const { hostname, port } = parseListenAddress(options.addr);
  const limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const wrap = options.tls && await serverTls(options.tls);
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ hostname, port, transport: "tcp" });
  } catch (error) {
    throw listenError(error, options.addr);
  }
  const bound = listener.addr;
  const acceptor = new TcpAcceptor(listener, {
    maxPerIp: limits.maxConnectionsPerIp,
    logger: options.logger,
    tls: wrap && { wrap, handshakeTimeoutMs: limits.tlsHandshakeTimeoutMs },
  });
  const scheme = options.tls ? "https" : "http";
  const handle = (request: Request, info: HttpConnectionInfo<TrackedConn>) =>
    options.fetch(request, { remoteAddr: info.stream.remoteAddr, completed: info.completed });
  const shortcut = options.shortcut;
  const server = serveStreams(acceptor, handle, {
    shortcut: shortcut &&
      ((head, stream) => shortcut(head, (stream as TrackedConn).remoteAddr)),
    logger: options.logger,
    maxHeaderBytes: limits.maxHeaderBytes,
    headerTimeoutMs: limits.headerTimeoutMs,
    bodyTimeoutMs: limits.bodyTimeoutMs,
    idleTimeoutMs: limits.idleTimeoutMs,
    ioTimeoutMs: limits.ioTimeoutMs,
    maxConnections: limits.maxConnections,
    scheme,
    shutdownGraceMs: options.graceMs ?? DEFAULT_GRACE_MS,
  });
  return {
    url: `${scheme}://${urlHost(bound.hostname)}:${bound.port}`,
    hostname: bound.hostname,
    port: bound.port,
    get connections() {
      return server.connections;
    },
    close: () => server.shutdown(),
  };
}
