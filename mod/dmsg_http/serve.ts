import type { ByteStream } from "../conn/mod.ts";
import type { Logger } from "../log/mod.ts";
import { StreamWatchdog } from "./_watchdog.ts";
import { type HttpConnectionOptions, type HttpHandler, serveHttpConnection } from "./server.ts";

/** Where streams come from: a `DmsgListener` fits, so does an adapted TCP listener. */
export interface HttpStreamListener<S extends ByteStream> {
  /** The next stream; `null` once the listener is closed. */
  accept(): Promise<S | null>;
  /** Stop accepting. */
  close(): void;
}

/** Options for {@linkcode serveHttp}. */
export interface ServeHttpOptions extends HttpConnectionOptions {
  /** Where the server logs. */
  logger?: Logger;
  /** Aborting it shuts the server down (as {@linkcode HttpServer.shutdown}). */
  signal?: AbortSignal;
  /**
   * Connections served at once (default 256). At the limit no stream is accepted, so the
   * listener's own backlog pushes back on dialers instead of this process queueing them.
   */
  maxConnections?: number;
  /** How long shutdown lets requests in flight finish before closing them (default 1 s). */
  shutdownGraceMs?: number;
}

/** A running server. */
export interface HttpServer extends AsyncDisposable {
  /** Resolves when the server has stopped and every connection is closed. */
  readonly finished: Promise<void>;
  /** Connections open now. */
  readonly connections: number;
  /**
   * Stop: close the listener and idle connections, let requests in flight finish within the
   * grace period, then close the rest. Idempotent.
   */
  shutdown(): Promise<void>;
}

interface Connection {
  watch: StreamWatchdog;
  busy: boolean;
}

const DEFAULT_MAX_CONNECTIONS = 256;
const DEFAULT_SHUTDOWN_GRACE_MS = 1_000;

/**
 * Serve HTTP/1.1 on every stream `listener` accepts (for dmsg: plain HTTP/1.1 on a dmsg stream,
 * as Go's dmsghttp; usually port 80). The server owns the listener from now on and closes it
 * on shutdown. Each stream is served by {@linkcode serveHttpConnection}.
 */
export function serveHttp<S extends ByteStream>(
  listener: HttpStreamListener<S>,
  handler: HttpHandler<S>,
  options: ServeHttpOptions = {},
): HttpServer {
  const logger = options.logger;
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const connections = new Set<Connection>();
  const slotWaiters: Array<() => void> = [];
  const running = new Set<Promise<void>>();
  let stopping = false;
  let shutdownPromise: Promise<void> | undefined;

  const serveOne = async (stream: S, connection: Connection) => {
    try {
      await serveHttpConnection(stream, handler, {
        ...options,
        watchdog: connection.watch,
        control: {
          get stopping() {
            return stopping;
          },
          onState(busy) {
            connection.busy = busy;
          },
        },
      });
    } finally {
      connections.delete(connection);
      slotWaiters.shift()?.();
    }
  };

  const acceptLoop = async () => {
    for (;;) {
      // The slot is taken before the stream is accepted: the limit bounds work, not a queue.
      while (connections.size >= maxConnections && !stopping) {
        await new Promise<void>((resolve) => slotWaiters.push(resolve));
      }
      if (stopping) break;
      let stream: S | null;
      try {
        stream = await listener.accept();
      } catch (error) {
        if (!stopping) logger?.warn("HTTP listener failed; no longer accepting", { error });
        break;
      }
      if (stream === null) break;
      if (stopping) {
        stream.close();
        break;
      }
      const connection: Connection = { watch: new StreamWatchdog(stream), busy: false };
      connections.add(connection);
      const served = serveOne(stream, connection);
      running.add(served);
      served.finally(() => running.delete(served));
    }
  };
  const loop = acceptLoop();

  const shutdown = () => {
    shutdownPromise ??= (async () => {
      stopping = true;
      for (const wake of slotWaiters.splice(0)) wake();
      try {
        listener.close();
      } catch {
        // Already closed.
      }
      await loop;
      for (const connection of connections) if (!connection.busy) connection.watch.close();
      if (running.size > 0) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const grace = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
        });
        await Promise.race([Promise.all(running), grace]);
        clearTimeout(timer);
      }
      for (const connection of connections) connection.watch.close();
      await Promise.all(running);
    })();
    return shutdownPromise;
  };

  const signal = options.signal;
  const onAbort = () => void shutdown();
  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });

  // `finished` also covers a listener that ends on its own (closed by its owner).
  const finished = loop.then(() => shutdown()).finally(() => {
    signal?.removeEventListener("abort", onAbort);
  });

  return {
    finished,
    get connections() {
      return connections.size;
    },
    shutdown: async () => {
      await shutdown();
      await finished;
    },
    [Symbol.asyncDispose]: async () => {
      await shutdown();
      await finished;
    },
  };
}
