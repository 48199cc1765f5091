/**
 * A route setup node (Go `router.Node` with its `SetupRPCGateway`): takes streams (dmsg port
 * 36), serves gob net/rpc `SetupRPCGateway.DialRouteGroup` on each, and sets routes up through
 * {@linkcode createRouteGroup}. Transport-agnostic: the listener and the hop dialer are given
 * (the dmsg server passes its own port-36 listener and a dialer over its sessions).
 *
 * @module
 */
import type { ByteStream } from "../conn/mod.ts";
import { GobTypeRegistry, RpcInvalidRequest, rpcMethod, RpcServer } from "../gob/mod.ts";
import type { Logger } from "../log/mod.ts";
import { routingGob } from "../routing/mod.ts";
import {
  CONNECTION_IDLE_MS,
  HOP_TIMEOUT_MS,
  MAX_CONCURRENT_SETUPS,
  REQUEST_TIMEOUT_MS,
  SETUP_RPC_NAME,
} from "./constants.ts";
import { createRouteGroup, type HopDialer } from "./create_route_group.ts";
import { RouteSetupError } from "./errors.ts";
import { Slots } from "./_slots.ts";

/** Where a setup node takes its connections from (a `DmsgListener` fits). */
export interface SetupListener {
  /** The next connection; `null` once the listener is closed. */
  accept(): Promise<(ByteStream & { readonly remoteAddr?: { pk: { hex(): string } } }) | null>;
  /** Stop listening. */
  close(): void;
}

/** Options for {@linkcode SetupNode}. */
export interface SetupNodeOptions {
  /** How visors are reached on dmsg port 136, from the node's key. */
  dial: HopDialer;
  /** Connections (each runs at most one set-up at a time) served at once; default 20. */
  maxConcurrent?: number;
  /** Limit of each dial and call to a visor, ms; default 10 s. */
  hopTimeoutMs?: number;
  /** Limit of one whole set-up, ms; default 30 s. */
  requestTimeoutMs?: number;
  /** A connection with no call running is closed after this long, ms; default 10 s. */
  idleTimeoutMs?: number;
  /** One line per set-up (info), failures at warn. */
  logger?: Logger;
}

/** Counters for leak tests and diagnostics. */
export interface SetupNodeStats {
  /** Slots taken by connections being served (not the one an accept loop waits with). */
  slots: number;
  /** Connections open. */
  connections: number;
  /** Set-ups running. */
  running: number;
  /** Set-ups that succeeded. */
  succeeded: number;
  /** Set-ups that failed. */
  failed: number;
  /** Armed timers (idle and request). */
  timers: number;
}

/** The text a cascade request gets (Go 2026 visors with `enable_cascade_route_setup`). */
export const CASCADE_UNSUPPORTED =
  "cascade route setup is not supported by this setup node (set routing.enable_cascade_route_setup to false)";
// Go 2026's cascade and oracle calls; answered with CASCADE_UNSUPPORTED, not "can't find method".
const CASCADE_METHODS = ["CascadeSignReserve", "CascadeSignInstall", "SignTransportQuery"];

interface Connection {
  stream: ByteStream;
  idle?: ReturnType<typeof setTimeout>;
}

/**
 * Serves route set-ups. At most `maxConcurrent` connections are served at once: the slot is
 * taken before a connection is accepted, so extra requests wait in the listener's bounded
 * queue; each connection runs one call at a time, so set-ups never exceed the slots.
 */
export class SetupNode {
  readonly #o: SetupNodeOptions;
  readonly #log: Logger | undefined;
  readonly #slots: Slots;
  readonly #closing = new AbortController();
  readonly #connections = new Set<Connection>();
  readonly #tasks = new Set<Promise<void>>();
  readonly #listeners = new Set<SetupListener>();
  // One type table for every connection, as Go's is per process (ids from 64, Go ≥ 1.21):
  // what the node sends a visor is then byte for byte what Go's setup node sends.
  readonly #registry = new GobTypeRegistry({ firstTypeId: 64 });
  #running = 0;
  // Slots an accept loop holds while it waits for its next connection.
  #acceptSlots = 0;
  #requestTimers = 0;
  #succeeded = 0;
  #failed = 0;
  #closed = false;

  /** Create a node; {@linkcode serve} gives it connections. */
  constructor(options: SetupNodeOptions) {
    this.#o = options;
    this.#log = options.logger;
    this.#slots = new Slots(options.maxConcurrent ?? MAX_CONCURRENT_SETUPS);
  }

  /** {@inheritDoc SetupNodeStats} */
  stats(): SetupNodeStats {
    let idle = 0;
    for (const conn of this.#connections) if (conn.idle !== undefined) idle++;
    return {
      slots: this.#slots.used - this.#acceptSlots,
      connections: this.#connections.size,
      running: this.#running,
      succeeded: this.#succeeded,
      failed: this.#failed,
      timers: idle + this.#requestTimers,
    };
  }

  /**
   * Serve the connections of `listener` (owned from now: closed with the node) until it
   * closes. Resolves when its accept loop has ended; never rejects.
   */
  serve(listener: SetupListener): Promise<void> {
    if (this.#closed) {
      listener.close();
      return Promise.resolve();
    }
    this.#listeners.add(listener);
    const loop = this.#acceptLoop(listener).finally(() => this.#listeners.delete(listener));
    this.#track(loop);
    return loop;
  }

  /** Stop: close the listeners and connections, abandon running set-ups, wait for them. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#slots.close();
      this.#closing.abort(new RouteSetupError("closed", "the setup node is closing"));
      for (const listener of this.#listeners) listener.close();
      for (const conn of this.#connections) closeQuietly(conn.stream);
    }
    while (this.#tasks.size > 0) await Promise.all([...this.#tasks]);
  }

  #track(task: Promise<void>): void {
    this.#tasks.add(task);
    task.finally(() => this.#tasks.delete(task));
  }

  async #acceptLoop(listener: SetupListener): Promise<void> {
    for (;;) {
      if (!(await this.#slots.acquire())) return;
      let stream;
      this.#acceptSlots++;
      try {
        stream = await listener.accept();
      } catch (error) {
        this.#slots.release();
        this.#log?.warn("setup listener failed", { error });
        return;
      } finally {
        this.#acceptSlots--;
      }
      if (stream === null || this.#closed) {
        if (stream) closeQuietly(stream);
        this.#slots.release();
        return;
      }
      const requester = stream.remoteAddr?.pk.hex() ?? "";
      this.#track(this.#serveConnection(stream, requester).finally(() => this.#slots.release()));
    }
  }

  async #serveConnection(stream: ByteStream, requester: string): Promise<void> {
    const conn: Connection = { stream };
    this.#connections.add(conn);
    const idleMs = this.#o.idleTimeoutMs ?? CONNECTION_IDLE_MS;
    const arm = () => {
      clearTimeout(conn.idle);
      conn.idle = setTimeout(() => {
        conn.idle = undefined;
        this.#log?.debug("idle setup connection closed", { requester });
        closeQuietly(stream);
      }, idleMs);
    };
    const disarm = () => {
      clearTimeout(conn.idle);
      conn.idle = undefined;
    };
    const rpc = new RpcServer({
      maxConcurrentCalls: 1,
      registry: this.#registry,
      logger: this.#log,
    });
    const refuseCascade = rpcMethod(RpcInvalidRequest, RpcInvalidRequest, () => {
      throw new RouteSetupError("cascade_unsupported", CASCADE_UNSUPPORTED);
    });
    rpc.register(SETUP_RPC_NAME, {
      DialRouteGroup: rpcMethod(
        routingGob.BidirectionalRoute,
        routingGob.EdgeRules,
        async (route, context) => {
          disarm();
          try {
            return await this.#setUp(route, context.signal, requester);
          } finally {
            if (this.#connections.has(conn)) arm();
          }
        },
      ),
      ...Object.fromEntries(CASCADE_METHODS.map((name) => [name, refuseCascade])),
    });
    arm();
    try {
      await rpc.serve(stream);
    } finally {
      disarm();
      this.#connections.delete(conn);
    }
  }

  async #setUp(
    route: routingGob.BidirectionalRoute,
    connection: AbortSignal,
    requester: string,
  ): Promise<routingGob.EdgeRules> {
    const requestMs = this.#o.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    const deadline = new AbortController();
    const timer = setTimeout(() => {
      deadline.abort(
        new RouteSetupError("timeout", `route setup did not finish within ${requestMs} ms`),
      );
    }, requestMs);
    this.#requestTimers++;
    this.#running++;
    const started = performance.now();
    try {
      const rules = await createRouteGroup(route, {
        dial: this.#o.dial,
        hopTimeoutMs: this.#o.hopTimeoutMs ?? HOP_TIMEOUT_MS,
        signal: AbortSignal.any([connection, deadline.signal, this.#closing.signal]),
        registry: this.#registry,
        logger: this.#log,
      });
      this.#succeeded++;
      this.#log?.info("route set up", {
        requester,
        forward_hops: route.Forward.length,
        reverse_hops: route.Reverse.length,
        ms: Math.round(performance.now() - started),
      });
      return rules;
    } catch (error) {
      this.#failed++;
      // The deadline's own text beats the "cancelled" of the step it interrupted.
      const reason = deadline.signal.aborted ? deadline.signal.reason : error;
      this.#log?.warn("route setup failed", { requester, error: (reason as Error).message });
      throw reason;
    } finally {
      clearTimeout(timer);
      this.#requestTimers--;
      this.#running--;
    }
  }
}

function closeQuietly(stream: ByteStream): void {
  try {
    stream.close();
  } catch {
    // Already closed.
  }
}
