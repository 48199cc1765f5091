/**
 * Our visor and Go skywire 2024 visors making transports with each other, each pair shown in
 * both visors' lists and in the transport discovery with the same id, with routing packets
 * flowing through Go's router:
 *
 * - (a) dmsg, Go → ours (`skywire-cli visor tp add -t dmsg`) and ours → Go (our control API);
 * - (b) stcpr, both ways;
 * - (c) two Go visors making dmsg and stcpr transports using only the services of
 *   `skywire up` (our dmsg discovery and server, transport discovery, address resolver);
 * - (d) our visors registering in Go's transport discovery and resolving through Go's address
 *   resolver (behind a PROXY-protocol shim: Go's resolver binds public IPs only).
 *
 * Packets: Go 2024 visors send routing packets only along routes, so the test installs Go
 * intermediary-forward rules (`skywire-cli visor route add-rule intfwd`) and sends Data packets
 * from our visor; Go's router forwards each back (or on to the other Go visor and back), and our
 * visor checks every payload. Go's transport log (`transport_logs/<day>.csv`) counts them too.
 *
 * Binaries: `SKYWIRE_GO_REF_BIN=/dir` with `skywire-visor` and `skywire-cli` (plus
 * `transport-discovery` and `address-resolver` for (d)); without them the tests are ignored
 * with the reason. Figures (set-up times, round trips) are printed as one JSON line per test.
 */
import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { generateKeyPair, makeTransportId, PubKey } from "../../mod/cipher/mod.ts";
import { generateConfig } from "../../mod/config/mod.ts";
import { createLogger, type LogLevel } from "../../mod/log/mod.ts";
import { PacketType } from "../../mod/routing/mod.ts";
import { TransportDiscoveryClient } from "../../mod/transport/mod.ts";
import { startTransportDiscovery } from "../../services/transport_discovery/mod.ts";
import { startUp } from "../../services/up/mod.ts";
import { ControlClient, startVisor, type Visor } from "../../services/visor/mod.ts";
import { tempDir } from "../_util/temp_dir.ts";
import { loopbackNetwork } from "../mod/dmsg_http/_network.ts";
import { ChildProcess, freePort } from "./_go_ref.ts";
import { type GoVisor, goVisorSkip, startGoVisor } from "./_go_visor.ts";
import { startProxyShim } from "./_proxy_shim.ts";

const bin = Deno.env.get("SKYWIRE_GO_REF_BIN");
const skip = await goVisorSkip(bin);
const servicesSkip = skip ?? await (async () => {
  for (const name of ["transport-discovery", "address-resolver"]) {
    if (!(await Deno.stat(join(bin!, name)).catch(() => undefined))?.isFile) {
      return `SKYWIRE_GO_REF_BIN=${bin} lacks ${name}`;
    }
  }
})();
if (skip) console.log(`visor transport interop tests ignored: ${skip}`);
else if (servicesSkip) console.log(`visor transport interop test (d) ignored: ${servicesSkip}`);

const quiet = (name: string) =>
  createLogger({
    level: (Deno.env.get("SKYWIRE_TEST_LOG") ?? "fatal") as LogLevel,
    component: name,
  });

async function eventually(what: string, check: () => Promise<boolean> | boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => Math.round(x * 100) / 100;

/**
 * Send `count` Data packets from `visor` on transport `tpId` with route id `rid` and wait for
 * each to come back with route id `backRid` (through Go's forwarding rules), payloads intact.
 * Resolves the payload bytes sent and the median round trip, ms.
 */
async function roundTrips(
  visor: Visor,
  tpId: string,
  rid: number,
  backRid: number,
  count = 20,
): Promise<{ bytes: number; rttMs: number }> {
  const tp = visor.transports.manager.transport(tpId);
  assert(tp?.isUp, `transport ${tpId} is up on our visor`);
  const pending = new Map<string, { sentAt: number; done: () => void }>();
  const rtts: number[] = [];
  visor.transports.setPacketHandler((packet) => {
    if (packet.type !== PacketType.Data || packet.routeId !== backRid) return;
    const key = new TextDecoder().decode(packet.payload);
    const waiting = pending.get(key);
    if (!waiting) return;
    pending.delete(key);
    rtts.push(performance.now() - waiting.sentAt);
    waiting.done();
  });
  let bytes = 0;
  try {
    for (let i = 0; i < count; i++) {
      const text = `${tpId}/${rid}/${i}/${"x".repeat(i * 37)}`;
      const back = new Promise<void>((done) =>
        pending.set(text, { sentAt: performance.now(), done })
      );
      const payload = new TextEncoder().encode(text);
      await tp.writePacket({ type: PacketType.Data, routeId: rid, payload });
      bytes += payload.length;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) =>
        timer = setTimeout(
          () => reject(new Error(`packet ${i} on ${tpId} did not come back`)),
          10_000,
        )
      );
      try {
        await Promise.race([back, late]);
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    visor.transports.setPacketHandler(undefined);
  }
  return { bytes, rttMs: median(rtts) };
}

Deno.test({
  name: "interop (a)(b)(c): our visor and Go visors on the services of skywire up",
  ignore: skip !== undefined,
  async fn(t) {
    await using dir = await tempDir("skywire-visor-interop-");
    const up = await startUp({
      dataDir: join(dir.path, "up"),
      discoveryPort: 0,
      serverPort: 0,
      transportDiscoveryPort: 0,
      addressResolverPort: 0,
      cliPort: 0,
      uiPort: 0,
      logger: quiet("up"),
    });
    const goVisors: GoVisor[] = [];
    const figures: Record<string, unknown> = {};
    try {
      const services = {
        dmsgDiscovery: up.info.discovery,
        transportDiscovery: up.info.transport_discovery,
        addressResolver: up.info.address_resolver,
      };
      const started = performance.now();
      const [g1, g2] = await Promise.all(
        ["go-1", "go-2"].map((name) => startGoVisor({ bin: bin!, dir: dir.path, name, services })),
      );
      goVisors.push(g1, g2);
      figures.go_visors_start_ms = round(performance.now() - started);
      const ours = up.visor;
      const U = ours.pk.hex();
      const cli = new ControlClient({ addr: up.info.visor.cli_addr });
      const tpd = new TransportDiscoveryClient({
        url: up.info.transport_discovery,
        keys: generateKeyPair(),
      });
      // Both Go visors bound stcpr at our resolver (from 127.0.0.1: it runs in test mode).
      for (const go of [g1, g2]) {
        await eventually(
          `${go.pk}'s stcpr binding`,
          () =>
            ours.transports.resolver!.resolve(PubKey.fromHex(go.pk)).then(() => true, () => false),
        );
      }
      let rid = 1000;

      /** The transport `id` is in both lists and in the discovery, with both edges. */
      const listedEverywhere = async (id: string, type: string, a: string, b: string) => {
        const lists = async () => {
          const onOurs = (await cli.transports.list()).find((tp) => tp.id === id);
          const onGo = [g1, g2].filter((go) => go.pk === a || go.pk === b);
          const goLists = await Promise.all(onGo.map((go) => go.transports()));
          const oursNeeded = a === U || b === U;
          return (!oursNeeded || onOurs?.is_up === true) &&
            goLists.every((list) => list.some((tp) => tp.id === id && tp.type === type));
        };
        await eventually(`${type} transport ${id} in both lists`, lists);
        const entry = await tpd.getById(id);
        assertEquals(entry?.type, type);
        assertEquals(entry?.edges.map((e) => e.hex()).sort(), [a, b].sort());
      };
      const goneEverywhere = async (id: string, pks: string[]) => {
        await eventually(`transport ${id} gone`, async () => {
          const onOurs = ours.transports.manager.transport(id);
          const goLists = await Promise.all(
            [g1, g2].filter((go) => pks.includes(go.pk)).map((go) => go.transports()),
          );
          return !onOurs && goLists.every((list) => !list.some((tp) => tp.id === id)) &&
            (await tpd.getById(id)) === undefined;
        });
      };

      for (const [step, type] of [["(a)", "dmsg"], ["(b)", "stcpr"]] as const) {
        await t.step(`${step} ${type}: Go → ours and ours → Go`, async () => {
          const id = makeTransportId(ours.pk, PubKey.fromHex(g1.pk), type);
          // Go dials ours.
          const before = await g1.transportLog(id);
          const added = await g1.addTransport(U, type);
          assertEquals([added.tp.id, added.tp.type, added.tp.remote_pk], [id, type, U]);
          await listedEverywhere(id, type, U, g1.pk);
          const goSetup = g1.setupTimes(U, type).at(-1)!;
          const back1 = rid++, fwd1 = rid++;
          await g1.forward(fwd1, back1, id);
          const flow1 = await roundTrips(ours, id, fwd1, back1);
          await g1.removeAll();
          await goneEverywhere(id, [g1.pk]);
          // Go's own transport log counted what its router got and sent back.
          await eventually("Go's transport log", async () => {
            const after = await g1.transportLog(id);
            return after.recv - before.recv >= flow1.bytes &&
              after.sent - before.sent >= flow1.bytes;
          }, 10_000);

          // Ours dials Go.
          const t0 = performance.now();
          const mine = await cli.transports.add({ remote_pk: g1.pk, type });
          const oursSetup = performance.now() - t0;
          assertEquals(mine.id, id);
          await listedEverywhere(id, type, U, g1.pk);
          const back2 = rid++, fwd2 = rid++;
          await g1.forward(fwd2, back2, id);
          const flow2 = await roundTrips(ours, id, fwd2, back2);
          await cli.transports.remove(id);
          await goneEverywhere(id, [g1.pk]);
          figures[`${step}_${type}`] = {
            id,
            go_to_ours_setup_ms: round(goSetup),
            go_to_ours_cli_wall_ms: round(added.ms),
            ours_to_go_setup_ms: round(oursSetup),
            packets_each_way: 20,
            rtt_via_go_router_ms: [round(flow1.rttMs), round(flow2.rttMs)],
          };
        });
      }

      await t.step("(c) two Go visors, dmsg and stcpr, on up's services only", async () => {
        // A transport from our visor to go-1 carries the test packets in and out.
        const entry = (await cli.transports.add({ remote_pk: g1.pk, type: "dmsg" })).id;
        const result: Record<string, unknown> = {};
        for (const type of ["dmsg", "stcpr"]) {
          const id = makeTransportId(PubKey.fromHex(g1.pk), PubKey.fromHex(g2.pk), type);
          const added = await g1.addTransport(g2.pk, type);
          assertEquals(added.tp.id, id);
          await listedEverywhere(id, type, g1.pk, g2.pk);
          // ours → go-1 → go-2 → go-1 → ours: the packets cross the Go-Go transport twice.
          const r1 = rid++, r2 = rid++, r3 = rid++, r4 = rid++;
          await g1.forward(r1, r2, id);
          await g2.forward(r2, r3, id);
          await g1.forward(r3, r4, entry);
          const before = await g2.transportLog(id);
          const flow = await roundTrips(ours, entry, r1, r4);
          result[type] = {
            id,
            go_setup_ms: round(g1.setupTimes(g2.pk, type).at(-1)!),
            cli_wall_ms: round(added.ms),
            rtt_via_two_go_routers_ms: round(flow.rttMs),
          };
          await g1.cli(["tp", "rm", "-i", id]);
          await goneEverywhere(id, [g1.pk, g2.pk]);
          const after = await g2.transportLog(id);
          assert(after.recv - before.recv >= flow.bytes, "go-2 counted the packets");
        }
        await cli.transports.remove(entry);
        await goneEverywhere(entry, [g1.pk]);
        figures["(c)"] = result;
      });
    } finally {
      console.log(`visor interop figures: ${JSON.stringify(figures)}`);
      await Promise.all(goVisors.map((go) => go[Symbol.asyncDispose]()));
      await up.close();
    }
  },
});

/** A Go service in test mode (`-t -a ADDR`) on a free port, answering /health. */
async function startGoService(name: string): Promise<ChildProcess & { url: string; port: number }> {
  const port = freePort();
  const child = new ChildProcess(join(bin!, name), ["-t", "-a", `127.0.0.1:${port}`], { name });
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    `${name} /health`,
    () =>
      fetch(`${url}/health`).then((r) => r.body?.cancel().then(() => r.ok) ?? r.ok, () => false),
  );
  return Object.assign(child, { url, port });
}

/** A public IPv4 address of this host's interfaces (Go's resolver binds only public ones). */
function publicInterfaceIp(): string | undefined {
  return Deno.networkInterfaces().find((iface) =>
    iface.family === "IPv4" &&
    !/^(127\.|10\.|192\.168\.|169\.254\.|172\.(1[6-9]|2\d|3[01])\.)/.test(iface.address)
  )?.address;
}

Deno.test({
  name:
    "interop (d): our visors register in Go's transport discovery and resolve through Go's address resolver",
  ignore: servicesSkip !== undefined,
  async fn(t) {
    await using dir = await tempDir("skywire-visor-interop-d-");
    await using dmsg = await loopbackNetwork();
    const server = await dmsg.server();
    await using goTpd = await startGoService("transport-discovery");
    await using goAr = await startGoService("address-resolver");
    // A host without a public interface address still runs our half: the shim claims a
    // documentation address that our visors announce; Go visors announce only real ones.
    const hostIp = publicInterfaceIp();
    const claimed = hostIp ?? "203.0.113.7";
    await using shim = await startProxyShim({ upstreamPort: goAr.port, claimedIp: claimed });
    // Go's transport discovery has no /v4/update: a Go visor's uptime tracker is ours.
    const ut = await startTransportDiscovery({
      storePath: join(dir.path, "ut.kv"),
      testMode: true,
      logger: quiet("ut"),
    });
    const visors: Visor[] = [];
    const figures: Record<string, unknown> = {};
    let go: GoVisor | undefined;
    const ourVisor = async (name: string) => {
      const keys = generateKeyPair();
      const config = generateConfig({
        keys,
        localPath: join(dir.path, name),
        services: {
          dmsgDiscovery: dmsg.discovery.url,
          transportDiscovery: goTpd.url,
          addressResolver: shim.url,
          transportSetup: [],
        },
      });
      config.dmsg.servers = [{ static: server.pk.hex(), server: { address: server.address } }];
      config.cli_addr = "";
      config.updater = { ...config.updater, enabled: false };
      const visor = await startVisor({
        config,
        pk: keys.pk,
        sk: keys.sk,
        logger: quiet(name),
        transportTuning: {
          stcprHostname: "127.0.0.1",
          stcprLocalAddresses: () => ["127.0.0.1", claimed],
        },
      });
      visors.push(visor);
      await visor.ready(AbortSignal.timeout(20_000));
      await eventually(
        `${name}'s stcpr binding at Go's resolver`,
        () => visor.transports.binding!.bound,
      );
      return visor;
    };
    try {
      const x = await ourVisor("ours-x");
      const y = await ourVisor("ours-y");
      const goTpdReader = new TransportDiscoveryClient({ url: goTpd.url, keys: generateKeyPair() });

      await t.step(
        "ours → ours over stcpr: resolved by Go's AR, registered in Go's TPD",
        async () => {
          const t0 = performance.now();
          const tp = await x.transports.manager.saveTransport(y.pk, "stcpr");
          figures.ours_to_ours_stcpr_setup_ms = round(performance.now() - t0);
          const entry = await goTpdReader.getById(tp.id);
          assertEquals(entry?.edges.map((e) => e.hex()).sort(), [x.pk.hex(), y.pk.hex()].sort());
          assert((await tp.ping()) >= 0);
          await x.transports.manager.deleteTransport(tp.id);
          await eventually(
            "Go's TPD to drop it",
            async () => (await goTpdReader.getById(tp.id)) === undefined,
          );
        },
      );

      if (hostIp === undefined) {
        console.log("interop (d): no public interface address; the Go visor half is left out");
        return;
      }
      go = await startGoVisor({
        bin: bin!,
        dir: dir.path,
        name: "go-d",
        services: {
          dmsgDiscovery: dmsg.discovery.url,
          transportDiscovery: goTpd.url,
          addressResolver: shim.url,
          uptimeTracker: ut.url,
        },
      });
      const g = go;
      await eventually(
        "the Go visor's stcpr binding",
        () => x.transports.resolver!.resolve(PubKey.fromHex(g.pk)).then(() => true, () => false),
      );

      await t.step("Go ↔ ours over stcpr and dmsg, in Go's TPD", async () => {
        for (const type of ["stcpr", "dmsg"]) {
          const id = makeTransportId(x.pk, PubKey.fromHex(g.pk), type);
          // Go dials ours: it resolves us through Go's AR; we accept and register in Go's TPD.
          const added = await g.addTransport(x.pk.hex(), type);
          assertEquals(added.tp.id, id);
          await eventually(
            "ours to list it",
            () => x.transports.manager.transport(id)?.isUp === true,
          );
          assertEquals((await goTpdReader.getById(id))?.type, type);
          const goSetup = g.setupTimes(x.pk.hex(), type).at(-1)!;
          await g.forward(7001, 7002, id);
          const flow = await roundTrips(x, id, 7001, 7002);
          await g.removeAll();
          await eventually("ours to drop it", () => !x.transports.manager.transport(id));
          // Ours dials Go: we resolve it through Go's AR; Go registers.
          const t0 = performance.now();
          await x.transports.manager.saveTransport(PubKey.fromHex(g.pk), type);
          const oursSetup = performance.now() - t0;
          await eventually(
            "Go to list it",
            async () => (await g.transports()).some((tp) => tp.id === id),
          );
          assertEquals((await goTpdReader.getById(id))?.type, type);
          await x.transports.manager.deleteTransport(id);
          await eventually(
            "Go's TPD to drop it",
            async () => (await goTpdReader.getById(id)) === undefined,
          );
          figures[`go_ours_${type}`] = {
            id,
            go_to_ours_setup_ms: round(goSetup),
            ours_to_go_setup_ms: round(oursSetup),
            rtt_via_go_router_ms: round(flow.rttMs),
          };
        }
      });
    } finally {
      console.log(`visor interop (d) figures: ${JSON.stringify(figures)}`);
      await go?.[Symbol.asyncDispose]();
      await Promise.all(visors.map((visor) => visor.close()));
      await ut.close();
    }
  },
});
