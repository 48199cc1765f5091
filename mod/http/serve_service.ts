/**
 * A discovery service's HTTP front: serve an app, log where it listens, and close it once
 * (then release what the service holds, e.g. its KV store) however many times close is called.
 *
 * @module
 */
import type { Logger } from "../log/mod.ts";
import { type HttpLimits, serveHttp, type ServeHttpOptions } from "./serve.ts";

/** Options for {@linkcode serveService}. */
export interface ServeServiceOptions {
  /** The service's name in its "NAME listening" and "NAME stopped" log lines. */
  name: string;
  /** Where those lines go. */
  logger: Logger;
  /** `host:port` (default `127.0.0.1:0`). */
  addr?: string;
  /** The app's handler. */
  fetch: ServeHttpOptions["fetch"];
  /** More fields for the "listening" line. */
  fields?: Record<string, unknown>;
  /** Run after the server has closed, and when it cannot bind (e.g. close the store). */
  release?: () => void;
  /** Connection limits to change from the defaults (timeouts, connections per IP). */
  limits?: Partial<HttpLimits>;
}

/** A served service. */
export interface ServedService {
  /** Base URL clients use. */
  readonly url: string;
  /** The address it listens on. */
  readonly hostname: string;
  /** The port it listens on. */
  readonly port: number;
  /** Stop listening, let requests in flight finish (briefly), then release. Idempotent. */
  close(): Promise<void>;
}

/** Serve `fetch` on `addr`; resolves once the port is bound. */
export async function serveService(options: ServeServiceOptions): Promise<ServedService> {
  const { logger, name } = options;
  let http;
  try {
    http = await serveHttp({
      addr: options.addr ?? "127.0.0.1:0",
      fetch: options.fetch,
      limits: options.limits,
    });
  } catch (error) {
    options.release?.();
    throw error;
  }
  logger.info(`${name} listening`, {
    addr: `${http.hostname}:${http.port}`,
    url: http.url,
    ...options.fields,
  });
  let closing: Promise<void> | undefined;
  return {
    url: http.url,
    hostname: http.hostname,
    port: http.port,
    close() {
      closing ??= (async () => {
        await http.close();
        options.release?.();
        logger.info(`${name} stopped`);
      })();
      return closing;
    },
  };
}
