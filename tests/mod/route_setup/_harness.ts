// A test router answering RPCGateway from a real RoutingTable, the way a visor's router does
// (modes make it silent or refusing for the failure tests), served over dmsg port 136 or over
// any stream; and a setup node on a dmsg server's port 36.
import type { ByteStream } from "../../../mod/conn/mod.ts";
import type { DmsgClient, DmsgServer } from "../../../mod/dmsg/mod.ts";
import { go, rpcMethod, RpcServer } from "../../../mod/gob/mod.ts";
import { createLogger } from "../../../mod/log/mod.ts";
import {
  AWAIT_SETUP_PORT,
  ROUTER_RPC_NAME,
  SETUP_PORT,
  SetupNode,
  type SetupNodeOptions,
} from "../../../mod/route_setup/mod.ts";
import { routingGob, RoutingTable, Rule } from "../../../mod/routing/mod.ts";
import { testLogger } from "../dmsg/_harness.ts";

/** How a test router answers. */
export type RouterMode = "ok" | "silent" | "refuse";

/** A test router, not bound to any transport. */
export interface TestRouter {
  table: RoutingTable;
  edges: routingGob.EdgeRules[];
  intermediary: Uint8Array[][];
  /** Bytes the setup node wrote to us, per connection. */
  received: Uint8Array[][];
  /** Connections served. */
  connections: number;
  mode: RouterMode;
  /** Serve RPCGateway on `stream` until it ends. */
  serve(stream: ByteStream): void;
  close(): Promise<void>;
}

/** A test router on a dmsg client's port 136. */
export interface DmsgTestRouter extends TestRouter {
  client: DmsgClient;
}

/** A stream that keeps a copy of everything read from it. */
function recording(stream: ByteStream, into: Uint8Array[]): ByteStream {
  return {
    read: async (p) => {
      const n = await stream.read(p);
      if (n !== null) into.push(p.slice(0, n));
      return n;
    },
    write: (p) => stream.write(p),
    close: () => stream.close(),
  };
}

const quiet = createLogger({ level: "fatal" });

/** A router whose route ids start at `firstRouteId`. */
export function createTestRouter(
  options: { mode?: RouterMode; firstRouteId?: number } = {},
): TestRouter {
  const table = new RoutingTable({ gcIntervalMs: 0, firstRouteId: options.firstRouteId });
  const streams = new Set<ByteStream>();
  // A silent router holds the call until its connection goes away.
  const never = (signal: AbortSignal) =>
    new Promise<never>((_, reject) =>
      signal.addEventListener("abort", () => reject(new Error("gone")), { once: true })
    );
  const refuse = (what: string) => {
    throw new Error(`test router refuses ${what}`);
  };
  const rpc = new RpcServer({ logger: quiet });
  const router: TestRouter = {
    table,
    edges: [],
    intermediary: [],
    received: [],
    connections: 0,
    mode: options.mode ?? "ok",
    serve(stream) {
      router.connections++;
      const log: Uint8Array[] = [];
      router.received.push(log);
      const wrapped = recording(stream, log);
      streams.add(wrapped);
      rpc.serve(wrapped).finally(() => streams.delete(wrapped));
    },
    async close() {
      for (const s of streams) s.close();
      await rpc.close();
      table.close();
    },
  };
  rpc.register(ROUTER_RPC_NAME, {
    ReserveIDs: rpcMethod(go.uint8, routingGob.RouteIDs, (n, { signal }) => {
      if (router.mode === "silent") return never(signal);
      if (router.mode === "refuse") refuse("ReserveIDs");
      return table.reserveIds(n);
    }),
    AddIntermediaryRules: rpcMethod(routingGob.Rules, go.bool, (rules, { signal }) => {
      if (router.mode === "silent") return never(signal);
      router.intermediary.push(rules);
      for (const bytes of rules) table.saveRule(Rule.fromBytes(bytes));
      return router.mode === "ok";
    }),
    AddEdgeRules: rpcMethod(routingGob.EdgeRules, go.bool, (rules, { signal }) => {
      if (router.mode === "silent") return never(signal);
      router.edges.push(rules);
      table.saveRule(Rule.fromBytes(rules.Forward));
      table.saveRule(Rule.fromBytes(rules.Reverse));
      return router.mode === "ok";
    }),
  });
  return router;
}

/** Serve a test router on `client`'s port 136. */
export function serveTestRouter(
  client: DmsgClient,
  options: { mode?: RouterMode; firstRouteId?: number } = {},
): DmsgTestRouter {
  const router = createTestRouter(options);
  const listener = client.listen(AWAIT_SETUP_PORT);
  const loop = (async () => {
    for await (const stream of listener) router.serve(stream);
  })();
  const close = router.close;
  return Object.assign(router, {
    client,
    async close() {
      listener.close();
      await loop;
      await close();
    },
  });
}

/** A setup node serving the dmsg server's port 36 over its own sessions (as the service does). */
export function serverSetupNode(
  server: DmsgServer,
  options: Partial<SetupNodeOptions> = {},
): SetupNode {
  const node = new SetupNode({
    dial: (pk, signal) => server.dial({ pk, port: AWAIT_SETUP_PORT }, { signal }),
    logger: testLogger("setup_node"),
    ...options,
  });
  node.serve(server.listen(SETUP_PORT));
  return node;
}
