/**
 * Routes between our visor and Go skywire 2024 visors (issue 11), on the services of
 * `skywire up` (our dmsg discovery, our dmsg server with the setup node inside, our transport
 * discovery, address resolver and route finder):
 *
 * - (a) a Go visor pings our visor (`skywire-cli visor ping`: the loop runs out through ours,
 *   which relays it) and ours pings it (`skywire cli visor ping`: the Go visor relays), over a
 *   dmsg and an stcpr transport; then our visor dials route groups to the Go visor's own
 *   listeners (its ping port 48 and its sky-forwarding port 47): the Handshake, Noise KK inside
 *   the route and the close loop with Go's route-group code, and an HTTP exchange forwarded by
 *   the Go visor to a local server; and the Go visor dials a route group to our listener
 *   (Go's `Connect`, what `skywire-cli rev` calls), so we answer the handshake as responder.
 * - (d) a 2-hop route (`min_hops 2`) from one Go visor to another with our visor as the only
 *   relay (`skywire-cli rev` → Go's sky-forwarding, HTTP through it), and a 2-hop route between
 *   two of our visors with a Go visor as the relay.
 *
 * Binaries: `SKYWIRE_GO_REF_BIN=/dir` with `skywire-visor` and `skywire-cli`; without them the
 * tests are ignored with the reason. Figures are printed as one JSON line per test.
 */
import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { cipherGob, generateKeyPair, PubKey } from "../../mod/cipher/mod.ts";
import { readFull, writeAll } from "../../mod/conn/mod.ts";
import { createLogger, type LogLevel } from "../../mod/log/mod.ts";
import { go, type GobType, RpcClient, RpcInvalidRequest } from "../../mod/gob/mod.ts";
import { type RouteConn, SKY_PING_PORT } from "../../mod/router/mod.ts";
import { routingGob, RuleType } from "../../mod/routing/mod.ts";
import { startUp, type UpNetwork } from "../../services/up/mod.ts";
import { ControlClient, startVisor, type Visor } from "../../services/visor/mod.ts";
import { seededBytes } from "../_util/prng.ts";
import { tempDir } from "../_util/temp_dir.ts";
import { freePort } from "./_go_ref.ts";
import { type GoVisor, goVisorSkip, startGoVisor } from "./_go_visor.ts";

const bin = Deno.env.get("SKYWIRE_GO_REF_BIN");
const skip = await goVisorSkip(bin);
if (skip) console.log(`route visor interop tests ignored: ${skip}`);

const quiet = (name: string) =>
  createLogger({
    level: (Deno.env.get("SKYWIRE_TEST_LOG") ?? "fatal") as LogLevel,
    component: name,
  });
const round = (x: number) => Math.round(x * 100) / 100;
const text = new TextEncoder(), untext = new TextDecoder();

async function eventually(what: string, check: () => Promise<boolean> | boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function upNetwork(dir: string): Promise<UpNetwork> {
  return await startUp({
    dataDir: join(dir, "up"),
    discoveryPort: 0,
    serverPort: 0,
    transportDiscoveryPort: 0,
    addressResolverPort: 0,
    routeFinderPort: 0,
    cliPort: 0,
    uiPort: 0,
    logger: quiet("up"),
  });
}

function goServices(up: UpNetwork) {
  return {
    dmsgDiscovery: up.info.discovery,
    transportDiscovery: up.info.transport_discovery,
    addressResolver: up.info.address_resolver,
    routeFinder: up.info.route_finder,
    routeSetupNodes: [up.info.setup_node],
  };
}

/** Another visor of ours on up's services (up's config with its own keys and directory). */
async function ourVisor(up: UpNetwork, dir: string, name: string): Promise<Visor> {
  const keys = generateKeyPair();
  const config = structuredClone(up.visorConfig);
  config.pk = keys.pk.hex();
  config.sk = keys.sk.hex();
  config.local_path = join(dir, name);
  config.cli_addr = "127.0.0.1:0";
  config.transport.stcpr_port = 0;
  delete config.hypervisor;
  // Not up's proxy client and its transport to up's exit visor: routes here must go where the
  // test puts transports.
  config.persistent_transports = null;
  config.launcher.apps = [];
  const visor = await startVisor({
    config,
    pk: keys.pk,
    sk: keys.sk,
    logger: quiet(name),
    transportTuning: { stcprHostname: "127.0.0.1" },
  });
  await visor.ready(AbortSignal.timeout(20_000));
  await eventually(`${name}'s stcpr binding`, () => visor.transports.binding?.bound === true);
  return visor;
}

/**
 * One call to a Go visor's own RPC (`app-visor.*`, gob net/rpc on its cli_addr): `skywire-cli
 * fwd` and `rev` cannot name a visor (they always use localhost:3435), so the test calls what
 * they call.
 */
async function goVisorRpc<A, R>(
  visor: GoVisor,
  method: string,
  args: A,
  types: [GobType<A>, GobType<R>],
): Promise<R> {
  const [hostname, port] = visor.rpc.split(":");
  const client = new RpcClient(await Deno.connect({ hostname, port: Number(port) }));
  try {
    return await client.call(`app-visor.${method}`, {
      args,
      argsType: types[0],
      replyType: types[1],
      signal: AbortSignal.timeout(40_000),
    });
  } finally {
    await client.close();
  }
}

/** Go `visor.ConnectIn`: what `skywire-cli rev` sends. */
const ConnectIn = go.struct("visor.ConnectIn", {
  RemotePK: cipherGob.PubKey,
  RemotePort: go.int,
  LocalPort: go.int,
});

/** `skywire-cli fwd -p PORT`: the Go visor may forward route connections to local `port`. */
function registerHttpPort(visor: GoVisor, port: number): Promise<unknown> {
  return goVisorRpc(visor, "RegisterHTTPPort", BigInt(port), [go.int, RpcInvalidRequest]);
}

/** An HTTP server on 127.0.0.1 whose every answer names `who`. */
function httpServer(port: number, who: string): Deno.HttpServer {
  return Deno.serve(
    { hostname: "127.0.0.1", port, onListen() {} },
    (req) => new Response(`hello from ${who}: ${new URL(req.url).pathname}`),
  );
}

/** Read one HTTP/1.1 response with a Content-Length from `conn`. */
async function readHttpResponse(conn: RouteConn): Promise<{ status: number; body: string }> {
  let head = "";
  const one = new Uint8Array(1);
  while (!head.endsWith("\r\n\r\n")) {
    await readFull(conn, one, "http response head");
    head += String.fromCharCode(one[0]);
  }
  const length = Number(head.match(/content-length: *(\d+)/i)?.[1] ?? "0");
  const body = new Uint8Array(length);
  await readFull(conn, body, "http response body");
  return { status: Number(head.split(" ")[1]), body: untext.decode(body) };
}

Deno.test({
  name: "interop (a): a Go visor and ours ping each other; our route groups to Go's listeners",
  ignore: skip !== undefined,
  async fn(t) {
    await using dir = await tempDir("skywire-route-visor-interop-");
    const up = await upNetwork(dir.path);
    let go: GoVisor | undefined;
    const figures: Record<string, unknown> = {};
    try {
      go = await startGoVisor({ bin: bin!, dir: dir.path, name: "go", services: goServices(up) });
      const ours = up.visor;
      const U = ours.pk.hex(), G = go.pk;
      const cli = new ControlClient({ addr: up.info.visor.cli_addr });
      const relayed = () => ours.routing.router.stats().packets.forwarded;

      for (const type of ["dmsg", "stcpr"]) {
        await t.step(`${type}: Go pings ours, ours pings Go`, async () => {
          await go!.removeAll();
          await cli.transports.removeAll();
          const { tp } = await go!.addTransport(U, type);
          // Go's ping takes any loop route: with this one transport it must run through ours.
          assertEquals((await go!.transports()).map((x) => x.id), [tp.id]);
          const before = relayed();
          const goPings = await go!.ping(U, 3);
          assert(relayed() - before >= 6, "our visor relayed Go's loop");
          const ourPing = await cli.routes.ping({ pk: G, tries: 3 });
          assertEquals([ourPing.hops, ourPing.encrypted], [2, true]);
          await eventually("our routes released", () => ours.routing.router.stats().groups === 0);
          figures[type] = {
            go_pings_ours_ms: goPings,
            ours_pings_go_ms: ourPing.latencies_ms.map(round),
          };
        });
      }

      await t.step(
        "our route group to Go's ping port: Handshake, Noise KK, close loop",
        async () => {
          const started = performance.now();
          const conn = await ours.routing.dialer.dial(PubKey.fromHex(G), SKY_PING_PORT);
          figures.dial_go_route_group_ms = round(performance.now() - started);
          assert(conn.encrypted, "Go offered encryption and so did we: Noise KK inside the route");
          // Go's ping handler: a JSON size message in one read, answered with "ok".
          await writeAll(conn, text.encode(JSON.stringify({ Size: 64 })));
          const ok = new Uint8Array(2);
          await readFull(conn, ok, "Go's ok");
          assertEquals(untext.decode(ok), "ok");
          conn.close();
          await conn.closed;
          assertEquals(ours.routing.router.stats().rules, 0);
        },
      );

      await t.step(
        "our route group to Go's sky-forwarding port: HTTP through the Go visor",
        async () => {
          const port = freePort();
          await using server = httpServer(port, "go's side");
          await registerHttpPort(go!, port);
          const conn = await ours.routing.dialer.dial(PubKey.fromHex(G), 47);
          await writeAll(conn, text.encode(JSON.stringify({ port })));
          const reply = new Uint8Array(64);
          const n = (await conn.read(reply))!;
          assertEquals(JSON.parse(untext.decode(reply.subarray(0, n))), {});
          const request =
            "GET /through/route HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n";
          const t0 = performance.now();
          await writeAll(conn, text.encode(request));
          const response = await readHttpResponse(conn);
          figures.http_over_route_ms = round(performance.now() - t0);
          assertEquals(response, { status: 200, body: "hello from go's side: /through/route" });
          conn.close();
          await conn.closed;
          void server;
        },
      );
      await t.step("Go dials a route group to our listener: Go's rev to our port 47", async () => {
        // Go's sky-forwarding client protocol, served by us: {"port":N} → {} → HTTP.
        const listener = ours.routing.router.listen(47);
        const serving = (async () => {
          for await (const conn of listener) {
            const buf = new Uint8Array(4096);
            const n = (await conn.read(buf))!;
            const { port } = JSON.parse(untext.decode(buf.subarray(0, n)));
            await writeAll(conn, text.encode("{}"));
            let head = "";
            while (!head.includes("\r\n\r\n")) {
              const m = await conn.read(buf);
              if (m === null) break;
              head += untext.decode(buf.subarray(0, m));
            }
            const path = head.split(" ")[1];
            const body = `hello from ours (port ${port}): ${path}`;
            await writeAll(
              conn,
              text.encode(
                `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n` +
                  `Content-Type: text/plain\r\n\r\n${body}`,
              ),
            );
          }
        })();
        const local = freePort();
        const t1 = performance.now();
        await goVisorRpc(go!, "Connect", {
          RemotePK: ours.pk,
          RemotePort: 8080n,
          LocalPort: BigInt(local),
        }, [ConnectIn, routingGob.UUID]);
        figures.go_dials_ours_ms = round(performance.now() - t1);
        const groups = ours.routing.router.routeGroups();
        assertEquals(groups.length, 1);
        assertEquals([groups[0].initiator, groups[0].local.port], [false, 47]);
        const response = await fetch(`http://127.0.0.1:${local}/from/go`);
        assertEquals(await response.text(), "hello from ours (port 8080): /from/go");
        listener.close();
        await serving;
      });
      console.log(JSON.stringify({ interop: "route (a)", ...figures }));
    } finally {
      await go?.[Symbol.asyncDispose]();
      await up.close();
    }
  },
});

Deno.test({
  name: "interop (d): 2-hop routes (min_hops 2): ours relays between Go visors, Go between ours",
  ignore: skip !== undefined,
  async fn(t) {
    await using dir = await tempDir("skywire-route-visor-interop-");
    const up = await upNetwork(dir.path);
    const goVisors: GoVisor[] = [];
    const figures: Record<string, unknown> = {};
    let second: Visor | undefined;
    try {
      const services = goServices(up);
      const [ga, gb] = await Promise.all(["go-a", "go-b"].map((name) =>
        startGoVisor({
          bin: bin!,
          dir: dir.path,
          name,
          services,
          edit: (conf) => conf.routing.min_hops = 2,
        })
      ));
      goVisors.push(ga, gb);
      const ours = up.visor;
      const U = ours.pk.hex();
      // Multi-hop routes leave dmsg transports out: stcpr both sides of our visor.
      for (const go of [ga, gb]) {
        await eventually(
          `${go.pk}'s stcpr binding`,
          () =>
            ours.transports.resolver!.resolve(PubKey.fromHex(go.pk)).then(() => true, () => false),
        );
        await go.addTransport(U, "stcpr");
      }

      await t.step(
        "Go → ours → Go: sky-forwarding HTTP over a route through our visor",
        async () => {
          const port = freePort(), local = freePort();
          await using server = httpServer(port, "go-b");
          await registerHttpPort(gb, port);
          const before = ours.routing.router.stats().packets.forwarded;
          const t1 = performance.now();
          await goVisorRpc(ga, "Connect", {
            RemotePK: PubKey.fromHex(gb.pk),
            RemotePort: BigInt(port),
            LocalPort: BigInt(local),
          }, [ConnectIn, routingGob.UUID]);
          const connectMs = performance.now() - t1;
          const inter = ours.routing.router.rules().filter((r) =>
            r.type === RuleType.IntermediaryForward
          );
          assertEquals(inter.length, 2, "our visor relays both directions");
          const t0 = performance.now();
          const response = await fetch(`http://127.0.0.1:${local}/via/ours`);
          assertEquals(await response.text(), "hello from go-b: /via/ours");
          figures.go_to_go_via_ours = {
            connect_ms: round(connectMs),
            http_ms: round(performance.now() - t0),
            packets_relayed_by_ours: ours.routing.router.stats().packets.forwarded - before,
          };
          void server;
        },
      );

      await t.step("ours → Go → ours: a 2-hop route group through a Go relay", async () => {
        second = await ourVisor(up, dir.path, "ours-2");
        const S = second.pk.hex();
        await eventually(
          "ours-2 resolvable",
          () => ours.transports.resolver!.resolve(second!.pk).then(() => true, () => false),
        );
        await ga.addTransport(S, "stcpr");
        const listener = second.routing.router.listen(9);
        const started = performance.now();
        const [conn, accepted] = await Promise.all([
          ours.routing.dialer.dial(second.pk, 9, { minHops: 2 }),
          listener.accept(),
        ]);
        figures.ours_via_go_dial_ms = round(performance.now() - started);
        assertEquals(conn.paths?.forward.map((h) => h.To.hex()), [ga.pk, S]);
        const rules = (await ga.cli<Array<{ type: string }>>(["route", "ls-rules"])).output;
        assertEquals(
          rules.filter((r) => r.type === "IntermediaryForward").length,
          2,
          "the Go visor relays both directions",
        );
        const data = seededBytes(256 * 1024, 9), got = new Uint8Array(data.length);
        const t0 = performance.now();
        await Promise.all([writeAll(conn, data), readFull(accepted!, got)]);
        const ms = performance.now() - t0;
        assertEquals(got, data);
        figures.ours_via_go = {
          bytes: data.length,
          ms: round(ms),
          mbit_s: round(data.length * 8 / 1e6 / (ms / 1000)),
        };
        conn.close();
        await Promise.all([conn.closed, accepted!.closed]);
        listener.close();
      });
      console.log(JSON.stringify({ interop: "route (d)", ...figures }));
    } finally {
      await Promise.all(goVisors.map((v) => v[Symbol.asyncDispose]()));
      await second?.close();
      await up.close();
    }
  },
});
