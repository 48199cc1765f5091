import { type KeyPair, PubKey } from "../../mod/cipher/mod.ts";
import { parseDuration, type SkywireConfig } from "../../mod/config/mod.ts";
import type { DmsgClient } from "../../mod/dmsg/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";
import {
  RouteDialer,
  RouteFinderClient,
  RoutePinger,
  Router,
  RouterRpcServer,
  SetupClient,
} from "../../mod/router/mod.ts";
import { AWAIT_SETUP_PORT } from "../../mod/route_setup/mod.ts";
import type { VisorTransports } from "./transports.ts";

/** Knobs for tests; a config has no say in them. */
export interface VisorRoutingTuning {
  /** Idle-rule sweep period, ms (default 10 s). */
  gcIntervalMs?: number;
  /** Route-group latency probe period, ms (default 3 s). */
  pingIntervalMs?: number;
}

/** Options for {@linkcode startVisorRouting}. */
export interface VisorRoutingOptions {
  /** The visor's config: its `routing` section. */
  config: SkywireConfig;
  /** The visor's keys. */
  keyPair: KeyPair;
  /** The visor's dmsg client: setup nodes reach port 136 through it, and we reach them. */
  dmsg: DmsgClient;
  /** The visor's transports: the router takes their packets. */
  transports: VisorTransports;
  /** Where routing logs. */
  logger: Logger;
  /** Test knobs. */
  tuning?: VisorRoutingTuning;
}

/** The routing side of a running visor. */
export interface VisorRouting {
  /** The router: rules, route groups, relaying. */
  readonly router: Router;
  /** Dials routes for apps (route finder, then setup node, then the handshake). */
  readonly dialer: RouteDialer;
  /** `visor ping`: loop routes to route port 48. */
  readonly pinger: RoutePinger;
  /** `RPCGateway` on dmsg port 136 for the trusted setup nodes. */
  readonly rpc: RouterRpcServer;
  /** Stop: the ping listener, the RPC, every route group, then packets are no longer taken. */
  close(): Promise<void>;
}

/**
 * The routing side of a visor (Go's `initRouter`): a router over the visor's transports (its
 * packets handler), `RPCGateway` on dmsg port 136 for `routing.route_setup_nodes`, a route
 * dialer using `routing.route_finder` (`route_finder_timeout`) and those setup nodes, with
 * `routing.min_hops` as the default, and the ping listener on route port 48 (Go 2024's).
 * `routing.no_transit` makes the router refuse intermediary rules. `enable_cascade_route_setup`
 * is accepted and not run: dials use the legacy setup path.
 */
export function startVisorRouting(options: VisorRoutingOptions): VisorRouting {
  const { config, dmsg, transports, tuning = {} } = options;
  const logger = options.logger.child("routing");
  const setupNodes = (config.routing.route_setup_nodes ?? []).map((pk) => PubKey.fromHex(pk));
  const router = new Router({
    keyPair: options.keyPair,
    transports: transports.manager,
    noTransit: config.routing.no_transit ?? false,
    gcIntervalMs: tuning.gcIntervalMs,
    pingIntervalMs: tuning.pingIntervalMs,
    logger,
  });
  transports.setPacketHandler((packet, transport) => router.handlePacket(packet, transport));
  const rpc = new RouterRpcServer({
    router,
    listener: dmsg.listen(AWAIT_SETUP_PORT),
    trusted: setupNodes,
    logger: logger.child("rpc"),
  });
  const timeout = parseDuration(config.routing.route_finder_timeout ?? "");
  const dialer = new RouteDialer({
    router,
    routeFinder: new RouteFinderClient({
      url: config.routing.route_finder,
      timeoutMs: timeout && timeout > 0 ? timeout : undefined,
    }),
    setup: new SetupClient({ dialer: dmsg, setupNodes, logger }),
    minHops: config.routing.min_hops,
    logger,
  });
  const pinger = new RoutePinger({ router, dialer, logger });
  if (config.routing.enable_cascade_route_setup) {
    logger.info(
      "routing.enable_cascade_route_setup is set; this visor sets routes up the legacy way",
    );
  }
  logger.info("router started", {
    setup_nodes: setupNodes.length,
    route_finder: config.routing.route_finder || "none",
    min_hops: config.routing.min_hops,
    no_transit: router.noTransit,
  });
  let closing: Promise<void> | undefined;
  return {
    router,
    dialer,
    pinger,
    rpc,
    close: () =>
      closing ??= (async () => {
        await pinger.close();
        await rpc.close();
        await router.close();
        transports.setPacketHandler(undefined);
      })(),
  };
}
