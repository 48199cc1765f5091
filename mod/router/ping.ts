import type { PubKey } from "../cipher/mod.ts";
import { readFull, writeAll } from "../conn/mod.ts";
import type { Logger } from "../log/mod.ts";
import { SKY_PING_PORT } from "./constants.ts";
import { RouteDialError, RouterError } from "./errors.ts";
import type { RouteDialer } from "./dialer.ts";
import type { RouteListener } from "./listener.ts";
import type { RouteConn } from "./route_conn.ts";
import type { Router } from "./router.ts";

/** Options for {@linkcode RoutePinger}. */
export interface RoutePingerOptions {
  /** Our router: the pinger listens on its ping port (48). */
  router: Router;
  /** Dials the loop routes. */
  dialer: RouteDialer;
  /** How long the far end of a loop may take to show up, ms (default 10 s). */
  acceptTimeoutMs?: number;
  /** Stray connections. */
  logger?: Logger;
}

/** Options of one {@linkcode RoutePinger.ping}. */
export interface PingOptions {
  /** Measurements (Go `-t`, default 1). */
  tries?: number;
  /** Message size in KiB (Go `-s`, default 2). */
  sizeKb?: number;
  /** Fewest hops of each half of the loop. */
  minHops?: number;
  /** Abort. */
  signal?: AbortSignal;
}

/** What one ping measured. */
export interface PingResult {
  /** One loop traversal per try, ms (Go's `Latency:`). */
  latenciesMs: number[];
  /** Hops of the loop route's forward path (out and back). */
  hops: number;
  /** Whether the route bytes were inside Noise. */
  encrypted: boolean;
}

/**
 * `visor ping` (Go `Visor.DialPing` + `Ping`): a loop route from us to our ping port (48, as Go 2024)
 * through the visor pinged, then, per try, one message of `sizeKb` KiB sent into the loop and
 * timed until all of it came out at our own end (one full loop, as Go measures). Both ends are
 * ours, so the message is plain bytes rather than Go's JSON exchange.
 */
export class RoutePinger {
  readonly #o: RoutePingerOptions;
  readonly #listener: RouteListener;
  readonly #waiting = new Map<number, (conn: RouteConn) => void>();
  // Far ends that arrived before their ping asked for them (the dial returns after the far end
  // may have finished its handshake), closed when nobody claims them in time.
  readonly #early = new Map<number, { conn: RouteConn; timer: ReturnType<typeof setTimeout> }>();
  readonly #loop: Promise<void>;

  /** Listen on the ping port of `options.router` (throws `RouterError` if taken). */
  constructor(options: RoutePingerOptions) {
    this.#o = options;
    this.#listener = options.router.listen(SKY_PING_PORT);
    this.#loop = this.#acceptLoop();
  }

  /** Pings waiting for the far end of their loop. */
  get pending(): number {
    return this.#waiting.size;
  }

  /** Ping `pk`; throws `RouteDialError` when no loop route could be made. */
  async ping(pk: PubKey, options: PingOptions = {}): Promise<PingResult> {
    const tries = options.tries ?? 1;
    const size = Math.max(16, Math.round((options.sizeKb ?? 2) * 1024));
    const near = await this.#o.dialer.dialLoop(pk, SKY_PING_PORT, {
      minHops: options.minHops,
      signal: options.signal,
    });
    let far: RouteConn | undefined;
    try {
      far = await this.#farEnd(near.localAddr.port, options.signal);
      const message = new Uint8Array(size);
      const received = new Uint8Array(size);
      const latenciesMs: number[] = [];
      for (let i = 0; i < tries; i++) {
        new DataView(message.buffer).setUint32(0, i);
        const start = performance.now();
        await Promise.all([writeAll(near, message), readFull(far, received, "ping message")]);
        latenciesMs.push(performance.now() - start);
        if (new DataView(received.buffer).getUint32(0) !== i) {
          throw new RouterError("ping message came back out of order");
        }
      }
      return { latenciesMs, hops: near.paths?.forward.length ?? 0, encrypted: near.encrypted };
    } finally {
      near.close();
      far?.close();
      await Promise.allSettled([near.closed, far?.closed]);
    }
  }

  /** Stop listening (pings in flight fail). */
  async close(): Promise<void> {
    this.#listener.close();
    await this.#loop;
  }

  #farEnd(port: number, signal?: AbortSignal): Promise<RouteConn> {
    const limit = this.#o.acceptTimeoutMs ?? 10_000;
    const early = this.#early.get(port);
    if (early) {
      this.#early.delete(port);
      clearTimeout(early.timer);
      return Promise.resolve(early.conn);
    }
    return new Promise<RouteConn>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (this.#waiting.get(port) === take) this.#waiting.delete(port);
      };
      const take = (conn: RouteConn) => {
        done();
        resolve(conn);
      };
      const onAbort = () => {
        done();
        reject(signal!.reason);
      };
      const timer = setTimeout(() => {
        done();
        reject(new RouteDialError("handshake", "the ping loop's far end never arrived"));
      }, limit);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.set(port, take);
    });
  }

  async #acceptLoop(): Promise<void> {
    for await (const conn of this.#listener) {
      const port = conn.remoteAddr.port;
      const ours = conn.remoteAddr.pk.equals(this.#o.router.pk);
      const take = ours ? this.#waiting.get(port) : undefined;
      if (take) {
        take(conn);
      } else if (ours && !this.#early.has(port)) {
        const timer = setTimeout(() => {
          if (this.#early.get(port)?.conn !== conn) return;
          this.#early.delete(port);
          conn.close();
        }, this.#o.acceptTimeoutMs ?? 10_000);
        this.#early.set(port, { conn, timer });
      } else {
        this.#o.logger?.debug("stray route group on the ping port closed", {
          remote: conn.remoteAddr.pk.hex(),
          port,
        });
        conn.close();
      }
    }
    for (const { conn, timer } of this.#early.values()) {
      clearTimeout(timer);
      conn.close();
    }
    this.#early.clear();
  }
}
