/**
 * Serving a service's app on a Go-style listen address (`:9091`, `127.0.0.1:0`, `[::1]:80`) and
 * stopping it within a bounded time.
 *
 * @module
 */
import { listenError, parseListenAddress, urlHost } from "../netutil/mod.ts";

/** A listening HTTP service. */
export interface HttpService {
  /** Base URL clients use, e.g. `http://127.0.0.1:9091` (loopback when bound to all). */
  readonly url: string;
  /** The address it listens on. */
  readonly hostname: string;
  /** The port it listens on. */
  readonly port: number;
  /** Stop listening and wait (at most the grace time) for requests in flight. Idempotent. */
  close(): Promise<void>;
}

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
}

const DEFAULT_GRACE_MS = 1_500;

/** Start serving and resolve once the port is bound. */
export async function serveHttp(options: ServeHttpOptions): Promise<HttpService> {
  const { hostname, port } = parseListenAddress(options.addr);
  const { promise: listening, resolve } = Promise.withResolvers<void>();
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({ hostname, port, onListen: () => resolve() }, options.fetch);
  } catch (error) {
    throw listenError(error, options.addr);
  }
  await listening;
  const bound = server.addr;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(bound.hostname)}:${bound.port}`,
    hostname: bound.hostname,
    port: bound.port,
    close() {
      closing ??= (async () => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const grace = new Promise<void>((done) => timer = setTimeout(done, graceMs));
        await Promise.race([server.shutdown(), grace]);
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}
