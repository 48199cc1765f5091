/** Test visors: an stcp transport manager and a router each, on 127.0.0.1. */
import { generateKeyPair, type KeyPair, type PubKey } from "../../../mod/cipher/mod.ts";
import { RouteDialer, RoutePinger, Router, type RouterOptions } from "../../../mod/router/mod.ts";
import { createStcpNetwork, TransportManager } from "../../../mod/transport/mod.ts";
import { eventually } from "../transport/_peers.ts";
import { TestRouteFinder, TestSetup } from "./_setup.ts";

export { eventually };

/** One test visor. */
export interface TestVisor {
  keys: KeyPair;
  pk: PubKey;
  manager: TransportManager;
  router: Router;
  dialer: RouteDialer;
}

/** A set of test visors that can reach one another over stcp. */
export class TestRoutes implements AsyncDisposable {
  readonly table = new Map<string, string>();
  readonly visors: TestVisor[] = [];
  readonly finder = new TestRouteFinder([]);
  readonly setup = new TestSetup();
  readonly pingers: RoutePinger[] = [];

  /** Start a visor; `keepAliveMs` is the rule keep-alive its dials ask for. */
  async visor(
    { keepAliveMs, ...options }: Partial<RouterOptions> & { keepAliveMs?: number } = {},
  ): Promise<TestVisor> {
    const keys = generateKeyPair();
    const network = createStcpNetwork({
      keyPair: keys,
      pkTable: this.table,
      listeningAddress: "127.0.0.1:0",
    });
    const manager: TransportManager = new TransportManager({
      keyPair: keys,
      networks: [network],
      pingIntervalMs: 0,
      onPacket: (packet, tp) => router.handlePacket(packet, tp),
    });
    const router: Router = new Router({
      keyPair: keys,
      transports: manager,
      gcIntervalMs: 0,
      pingIntervalMs: 0,
      ...options,
    });
    await manager.start();
    this.table.set(keys.pk.hex(), `127.0.0.1:${network.listenAddr!.port}`);
    const dialer = new RouteDialer({
      router,
      routeFinder: this.finder,
      setup: this.setup,
      retryMs: 0,
      keepAliveMs,
    });
    const visor = { keys, pk: keys.pk, manager, router, dialer };
    this.visors.push(visor);
    this.finder.managers.push(manager);
    this.setup.routers.set(keys.pk.hex(), router);
    return visor;
  }

  /** A transport from `a` to `b`, up on both sides. */
  async link(a: TestVisor, b: TestVisor): Promise<string> {
    const tp = await a.manager.saveTransport(b.pk, "stcp");
    await eventually(() => b.manager.transport(tp.id)?.isUp === true, "transport up on both sides");
    return tp.id;
  }

  /** A pinger on `visor` (closed on dispose). */
  pinger(visor: TestVisor): RoutePinger {
    const pinger = new RoutePinger({ router: visor.router, dialer: visor.dialer });
    this.pingers.push(pinger);
    return pinger;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const pinger of this.pingers) await pinger.close();
    for (const visor of this.visors) await visor.router.close();
    for (const visor of this.visors) await visor.manager.close();
  }
}

/** Whether a router holds nothing for routes: no rules, groups, timers, ports (but listeners'). */
export function routerIdle(router: Router): boolean {
  const s = router.stats();
  return s.rules === 0 && s.groups === 0 && s.groupTimers === 0 && s.establishing === 0 &&
    s.pendingReservations === 0 && s.ports === s.listeners;
}
