import type { PubKey } from "../cipher/mod.ts";
import type { ByteStream } from "../conn/mod.ts";
import { type AnyRpcMethod, go, rpcMethod, RpcServer } from "../gob/mod.ts";
import type { Logger } from "../log/mod.ts";
import { ROUTER_RPC_NAME } from "../route_setup/mod.ts";
import { routingGob } from "../routing/mod.ts";
import {
  FailureCode,
  MAX_ROUTER_RPC_STREAMS,
  ROUTER_RPC_CALL_TIMEOUT_MS,
  ROUTER_RPC_STREAM_TIMEOUT_MS,
} from "./constants.ts";
import { RoutingFailure } from "./errors.ts";
import type { Router } from "./router.ts";

/**
 * The three `RPCGateway` methods a setup node calls, with Go's argument and reply types:
 * `ReserveIDs(uint8) → []RouteID`, `AddIntermediaryRules([]Rule) → bool`,
 * `AddEdgeRules(EdgeRules) → bool`. Failures come back as Go's `routing.Failure` text,
 * `failure code N (msg)`; a call running past `callTimeoutMs` fails the same way.
 */
export function routerRpcMethods(
  router: Router,
  options: { callTimeoutMs?: number } = {},
): Record<string, AnyRpcMethod> {
  const limit = options.callTimeoutMs ?? ROUTER_RPC_CALL_TIMEOUT_MS;
  return {
    ReserveIDs: rpcMethod(
      go.uint8,
      routingGob.RouteIDs,
      (n) => failAs(FailureCode.ReserveRtIDs, limit, () => router.reserveIds(n)),
    ),
    AddIntermediaryRules: rpcMethod(
      routingGob.Rules,
      go.bool,
      (rules) =>
        failAs(FailureCode.AddRules, limit, () => {
          router.addIntermediaryRules(rules);
          return true;
        }),
    ),
    AddEdgeRules: rpcMethod(
      routingGob.EdgeRules,
      go.bool,
      (edge) =>
        failAs(FailureCode.AddRules, limit, () => {
          router.introduceEdgeRules(edge);
          return true;
        }),
    ),
  };
}

async function failAs<T>(code: FailureCode, limitMs: number, work: () => T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(work),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`call timed out after ${limitMs} ms`)), limitMs);
      }),
    ]);
  } catch (error) {
    throw new RoutingFailure(code, error instanceof Error ? error.message : String(error));
  } finally {
    clearTimeout(timer);
  }
}

/** A stream a setup node opened to us (a dmsg stream to port 136 fits). */
export interface RouterRpcStream extends ByteStream {
  /** Who dialed. */
  readonly remoteAddr: { pk: PubKey };
}

/** Options for {@linkcode RouterRpcServer}. */
export interface RouterRpcServerOptions {
  /** The router the calls go to. */
  router: Router;
  /** Streams to serve (a dmsg listener on port 136); the server owns and closes it. */
  listener: AsyncIterable<RouterRpcStream> & { close(): void };
  /** Setup nodes allowed to call (config `routing.route_setup_nodes`); others are closed. */
  trusted: PubKey[];
  /** Streams served at once; more are closed at once (default 32). */
  maxStreams?: number;
  /** Limit of one call, ms (default 10 s). */
  callTimeoutMs?: number;
  /** Longest life of one stream, ms (default 60 s): a setup node that stalls is cut off. */
  streamTimeoutMs?: number;
  /** Refused streams and failures. */
  logger?: Logger;
}

/**
 * Serves `RPCGateway` to setup nodes (Go `router.serveSetup`): only streams from trusted
 * setup nodes are served, at most `maxStreams` at once (the slot is taken before the stream is
 * served; a stream over the limit is closed without reading), each for at most
 * `streamTimeoutMs`, each call for at most `callTimeoutMs`.
 */
export class RouterRpcServer {
  readonly #o: RouterRpcServerOptions;
  readonly #rpc: RpcServer;
  readonly #trusted: Set<string>;
  readonly #streams = new Set<ByteStream>();
  readonly #loop: Promise<void>;
  #refused = 0;
  #closed = false;

  /** Start serving `options.listener`. */
  constructor(options: RouterRpcServerOptions) {
    this.#o = options;
    this.#trusted = new Set(options.trusted.map((pk) => pk.hex()));
    this.#rpc = new RpcServer({ maxConcurrentCalls: 8, logger: options.logger });
    this.#rpc.register(
      ROUTER_RPC_NAME,
      routerRpcMethods(options.router, { callTimeoutMs: options.callTimeoutMs }),
    );
    this.#loop = this.#acceptLoop();
  }

  /** Streams being served now, and streams refused since the start. */
  stats(): { streams: number; refused: number } {
    return { streams: this.#streams.size, refused: this.#refused };
  }

  /** Stop: close the listener and every stream; resolves when all are released. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#o.listener.close();
    await this.#rpc.close();
    await this.#loop;
  }

  async #acceptLoop(): Promise<void> {
    const max = this.#o.maxStreams ?? MAX_ROUTER_RPC_STREAMS;
    for await (const stream of this.#o.listener) {
      const pk = stream.remoteAddr.pk.hex();
      if (this.#closed || !this.#trusted.has(pk) || this.#streams.size >= max) {
        this.#refused++;
        this.#o.logger?.warn("router rpc stream refused", {
          remote: pk,
          reason: this.#trusted.has(pk) ? "too many streams" : "untrusted setup node",
        });
        stream.close();
        continue;
      }
      this.#streams.add(stream);
      const timer = setTimeout(
        () => stream.close(),
        this.#o.streamTimeoutMs ?? ROUTER_RPC_STREAM_TIMEOUT_MS,
      );
      this.#rpc.serve(stream).finally(() => {
        clearTimeout(timer);
        this.#streams.delete(stream);
      });
    }
  }
}
