import { type HttpLimits, serveHttp } from "../mod/http/mod.ts";
import { joinHostPort, parseListenAddress } from "../mod/netutil/mod.ts";
import type { TlsCredentials } from "../mod/tls/mod.ts";
import type { UiApp, UiAppOptions } from "./app.ts";

/** Options for {@linkcode serveUi}. */
export interface ServeUiOptions extends Omit<UiAppOptions, "remoteAddress"> {
  /** `host:port` as in `hypervisor.http_addr` (an empty host is every interface). */
  addr: string;
  /**
   * Listen on a non-loopback `addr` as given (`hypervisor.allow_remote`). Without it such an
   * address is narrowed to 127.0.0.1 (same port) and the log says so: exposing the UI to the
   * network is an explicit choice.
   */
  allowRemote?: boolean;
  /** When the port is taken, listen on a free one instead (`skywire up`); else throw. */
  portFallback?: boolean;
  /**
   * Serve over HTTPS with this pair (`hypervisor.enable_tls`): the URL says `https://` and
   * the UI's cookies get `Secure`.
   */
  tls?: TlsCredentials;
  /** Limits of the HTTP server to change (tests: a short TLS handshake budget). */
  limits?: Partial<HttpLimits>;
}

/** A listening UI. */
export interface UiServer {
  /** The URL to open (loopback when it listens on every interface; `https://` with TLS). */
  readonly url: string;
  /** SHA-256 fingerprint of the certificate it serves, with TLS. */
  readonly certSha256?: string;
  /** The address other machines reach it at, when it listens beyond loopback. */
  readonly remoteAddress?: string;
  /** The app, made at the first request or call (its pages and routes load then). */
  app(): Promise<UiApp>;
  /** End live streams, stop listening, wait briefly for requests in flight. Idempotent. */
  close(): Promise<void>;
}

/** Whether `hostname` is a loopback address (or `localhost`). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

// A certificate that ends within this is named at start, while there is time to replace it.
const EXPIRY_WARNING_MS = 30 * 24 * 60 * 60 * 1000;

function addressInUse(error: unknown): boolean {
  return error instanceof Deno.errors.AddrInUse ||
    (error instanceof Error && /address already in use/i.test(error.message));
}

/**
 * Serve the web UI on `addr`. Loopback unless `allowRemote`; with it, the log (warn) and every
 * page say that the UI listens beyond this machine. Throws `Deno.errors.AddrInUse` when the
 * port is taken and `portFallback` is off, `RangeError` for a malformed address, and
 * `TlsFileError` (naming the file) for a TLS pair rustls refuses.
 */
export async function serveUi(options: ServeUiOptions): Promise<UiServer> {
  const { logger } = options;
  const asked = parseListenAddress(options.addr);
  let hostname = asked.hostname;
  const remote = !isLoopbackHost(hostname);
  if (remote && !options.allowRemote) {
    logger.warn(
      "the web UI address is not a loopback address; listening on 127.0.0.1 only (set " +
        "hypervisor.allow_remote to true to serve it to other machines)",
      { http_addr: options.addr },
    );
    hostname = "127.0.0.1";
  }
  const remoteAddress = remote && options.allowRemote ? options.addr : undefined;
  // The pages, routes and their libraries load at the first request, not with the node: a
  // node runs for weeks with nobody looking at its UI.
  let made: Promise<UiApp> | undefined;
  let closed = false;
  const app = () =>
    made ??= import("./app.ts").then(({ createUiApp }) =>
      createUiApp({ ...options, remoteAddress })
    );
  const listen = (port: number) =>
    serveHttp({
      addr: joinHostPort(hostname, port),
      fetch: async (request, info) => {
        if (closed) return new Response("shutting down", { status: 503 });
        return (await app()).app.fetch(request, info);
      },
      graceMs: 500,
      tls: options.tls,
      limits: options.limits,
      logger,
    });
  let http;
  try {
    http = await listen(asked.port);
  } catch (error) {
    if (!(options.portFallback && asked.port !== 0 && addressInUse(error))) throw error;
    logger.warn(`port ${asked.port} is taken; the web UI uses a free port instead`);
    http = await listen(0);
  }
  if (remoteAddress) {
    logger.warn(
      "the web UI listens beyond this machine: anyone who can reach it can try to " +
        "log in",
      { http_addr: joinHostPort(http.hostname, http.port) },
    );
  }
  const certSha256 = options.tls?.fingerprint;
  const notAfter = options.tls?.notAfter;
  if (notAfter && notAfter.getTime() - Date.now() < EXPIRY_WARNING_MS) {
    const expired = notAfter.getTime() <= Date.now();
    logger.warn(
      `the web UI's TLS certificate ${expired ? "expired" : "expires"} on ` +
        `${notAfter.toISOString()}: browsers refuse an expired one; replace it (for a ` +
        "self-signed one: skywire cli visor hv cert --force)",
      { cert: options.tls!.certFile },
    );
  }
  logger.info("web UI", {
    url: http.url,
    ...(options.tls ? { cert: options.tls.certFile, sha256: certSha256 } : {}),
  });
  let closing: Promise<void> | undefined;
  const server = http;
  return {
    url: server.url,
    certSha256,
    remoteAddress: remoteAddress ? joinHostPort(http.hostname, http.port) : undefined,
    app,
    close() {
      closing ??= (async () => {
        closed = true;
        // A UI whose modules failed to load has nothing to close.
        await made?.then((ui) => ui.close(), () => {});
        await server.close();
      })();
      return closing;
    },
  };
}
