/**
 * The hypervisor link with Go skywire 2024 visors, on the services of `skywire up`:
 *
 * - (a) a Go `skywire-visor` whose `hypervisors` lists our node joins our fleet; its summary,
 *   health, transports and apps are read over Go's visor RPC, and a transport is added to it
 *   through the fleet;
 * - (b) our visor listing a Go hypervisor (`skywire-cli config gen -i`, auth off) appears in
 *   Go's `/api/visors`, and Go's `/api/visors/{pk}/summary` (and its transports and apps pages)
 *   answer 200 from our visor's RPC.
 *
 * The Go visor of (a) also lists a second key, where the test takes its link by hand and
 * records the raw reply bytes of each call; with `SKYWIRE_CAPTURE_GO_RPC=<file>` they are written
 * there (that is how `tests/testdata/go-visor-rpc-2024.json` was made).
 *
 * Binaries: `SKYWIRE_GO_REF_BIN=/dir` with `skywire-visor` and `skywire-cli`; without them the
 * test is ignored with the reason. Figures are printed as one JSON line.
 */
import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { bytesToHex, generateKeyPair, PubKey } from "../../mod/cipher/mod.ts";
import { generateConfig } from "../../mod/config/mod.ts";
import type { ByteStream } from "../../mod/conn/mod.ts";
import { go, type GobType, RpcClient } from "../../mod/gob/mod.ts";
import { createLogger, type LogLevel } from "../../mod/log/mod.ts";
import { startUp } from "../../services/up/mod.ts";
import { hvGob as hv, startVisor, type Visor } from "../../services/visor/mod.ts";
import { tempDir } from "../_util/temp_dir.ts";
import { freePort } from "./_go_ref.ts";
import { type GoVisor, goVisorSkip, startGoVisor } from "./_go_visor.ts";

const bin = Deno.env.get("SKYWIRE_GO_REF_BIN");
const skip = await goVisorSkip(bin);
if (skip) console.log(`fleet interop test ignored: ${skip}`);

const quiet = (name: string) =>
  createLogger({
    level: (Deno.env.get("SKYWIRE_TEST_LOG") ?? "fatal") as LogLevel,
    component: name,
  });

async function eventually(what: string, check: () => Promise<boolean> | boolean, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The key route id of the rule saved on the Go visor (any id its table has free). */
const GO_RULE_ID = 4242;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => Math.round(x * 100) / 100;

/** A stream that keeps a copy of every byte read from it. */
function tap(stream: ByteStream, into: Uint8Array[]): ByteStream {
  return {
    async read(p) {
      const n = await stream.read(p);
      if (n) into.push(p.slice(0, n));
      return n;
    },
    write: (p) => stream.write(p),
    close: () => stream.close(),
  };
}

/** The calls recorded from a Go visor, in order (their replies are the recorded bytes). */
const CAPTURED_CALLS: Array<[string, GobType<unknown>, unknown, GobType<unknown>]> = [
  ["Summary", hv.Empty, {}, hv.Summary],
  ["Overview", hv.Empty, {}, hv.Overview],
  ["Health", hv.Empty, {}, hv.HealthInfo],
  ["Uptime", hv.Empty, {}, go.float64],
  ["TransportTypes", hv.Empty, {}, hv.Strings],
  [
    "Transports",
    hv.TransportsIn,
    { FilterTypes: [], FilterPubKeys: [], ShowLogs: true },
    hv.TransportSummaries,
  ],
  ["Apps", hv.Empty, {}, hv.AppStates],
  ["RoutingRules", hv.Empty, {}, hv.Rules],
  ["RouteGroups", hv.Empty, {}, hv.RouteGroupInfos],
  ["NoSuchMethod", hv.Empty, {}, hv.Empty],
];

Deno.test({
  name: "fleet interop (a)(b): Go visors in our fleet, our visor in Go's hypervisor",
  ignore: skip !== undefined,
  async fn(t) {
    await using dir = await tempDir("skywire-fleet-interop-");
    const up = await startUp({
      dataDir: join(dir.path, "up"),
      discoveryPort: 0,
      serverPort: 0,
      transportDiscoveryPort: 0,
      addressResolverPort: 0,
      routeFinderPort: 0,
      cliPort: 0,
      exitCliPort: 0,
      uiPort: 0,
      socksPort: 0,
      logger: quiet("up"),
    });
    const goVisors: GoVisor[] = [];
    let ours: Visor | undefined;
    const figures: Record<string, unknown> = {};
    let goTransport: string | undefined;
    try {
      const services = {
        dmsgDiscovery: up.info.discovery,
        transportDiscovery: up.info.transport_discovery,
        addressResolver: up.info.address_resolver,
      };
      const oursKeys = generateKeyPair();
      const hvPort = freePort();
      const [member, goHv] = await Promise.all([
        startGoVisor({
          bin: bin!,
          dir: dir.path,
          name: "go-member",
          services,
          edit: (conf) => conf.hypervisors = [up.visor.pk.hex(), oursKeys.pk.hex()],
        }),
        startGoVisor({
          bin: bin!,
          dir: dir.path,
          name: "go-hypervisor",
          services,
          genArgs: ["-i"],
          edit: (conf) => {
            conf.hypervisor.http_addr = `127.0.0.1:${hvPort}`;
            conf.hypervisor.enable_auth = false;
            conf.hypervisor.db_path = join(dir.path, "go-hypervisor", "users.db");
          },
        }),
      ]);
      goVisors.push(member, goHv);

      // Our second visor: no UI of its own, links to the Go hypervisor; its port 46 is free for
      // the capture of (a).
      const config = generateConfig({
        keys: oursKeys,
        localPath: join(dir.path, "ours"),
        services: { ...services, transportSetup: [] },
      });
      delete config.hypervisor;
      config.hypervisors = [goHv.pk];
      config.dmsg.servers = [{
        static: up.info.dmsg_server.pk,
        server: { address: up.info.dmsg_server.address },
      }];
      config.cli_addr = "";
      config.launcher.apps = [{ name: "skysocks", auto_start: false, port: 3 }];
      config.updater = { ...config.updater, enabled: false };
      const captureListener = (ours = await startVisor({
        config,
        pk: oursKeys.pk,
        sk: oursKeys.sk,
        logger: quiet("ours"),
        transportTuning: { stcprHostname: "127.0.0.1" },
        fleetTuning: { linkBackoff: { initialMs: 200, maxMs: 2_000 } },
      })).client.listen(46);
      await ours.ready(AbortSignal.timeout(20_000));

      await t.step("(a) a Go visor listing our node joins our fleet and is read", async () => {
        const hub = up.visor.fleet!;
        const joinStart = performance.now();
        await eventually("the Go visor's link", () => hub.member(member.pk) !== undefined, 60_000);
        figures.go_member_join_ms = round(performance.now() - joinStart);
        const m = hub.member(member.pk)!;
        await m.refresh();
        assertEquals(m.implementation, "go");
        assertEquals(m.summary!.Overview!.PubKey.hex(), member.pk);
        assertEquals(m.api.info().pk, member.pk);
        assertEquals(
          m.api.info().hypervisors.sort(),
          [up.visor.pk.hex(), oursKeys.pk.hex()].sort(),
        );
        figures.go_summary_health = m.summary!.Health?.ServicesHealth;
        // Its dmsg session: from its summary, or else the server relaying its link.
        assertEquals(m.api.dmsg().sessions.map((x) => x.server_pk), [up.info.dmsg_server.pk]);
        const rtts: number[] = [];
        for (let i = 0; i < 10; i++) {
          const t0 = performance.now();
          await m.refresh();
          rtts.push(performance.now() - t0);
        }
        figures.go_summary_rtt_ms = round(median(rtts));
        assertEquals(await m.api.apps!.list(), []);
        const types = await m.api.transports!.types();
        assert(types.includes("dmsg"), `Go's transport types: ${types}`);
        // A transport made on the Go visor through our fleet.
        const t0 = performance.now();
        const tp = await m.api.transports!.add({
          remote_pk: up.exitVisor.pk.hex(),
          type: "dmsg",
        });
        figures.go_add_transport_ms = round(performance.now() - t0);
        assertEquals([tp.local_pk, tp.remote_pk], [member.pk, up.exitVisor.pk.hex()]);
        const listed = await m.api.transports!.list();
        assert(listed.some((x) => x.id === tp.id), "listed through the fleet");
        assert((await member.transports()).some((x) => x.id === tp.id), "Go's own CLI sees it");
        assertEquals((await m.api.transports!.get(tp.id)).type, "dmsg");
        // A routing rule saved on the Go visor through the fleet, read back by id and in the list.
        const rid = await m.api.routes!.addRule({
          keep_alive: 30_000_000_000,
          rule_type: 2,
          key_route_id: GO_RULE_ID,
          intermediary_forward_fields: { next_rid: 9, next_tid: tp.id },
        });
        assertEquals(rid, GO_RULE_ID);
        const rule = await m.api.routes!.rule(GO_RULE_ID);
        assertEquals(rule.intermediary_forward_fields, { next_rid: 9, next_tid: tp.id });
        assertEquals((await m.api.routes!.rules()).map((r) => r.key_route_id), [GO_RULE_ID]);
        figures.go_route_groups = (await m.api.routes!.groups()).length;
        goTransport = tp.id; // removed after the capture, which records them
      });

      await t.step("(a) the raw replies of a Go visor decode (capture)", async () => {
        const stream = await captureListener.accept();
        assert(stream, "the Go visor's second link");
        assertEquals(stream.remoteAddr.pk.hex(), member.pk);
        const chunks: Uint8Array[] = [];
        const client = new RpcClient(tap(stream, chunks));
        const results: string[] = [];
        for (const [method, argsType, args, replyType] of CAPTURED_CALLS) {
          try {
            await client.call(`app-visor.${method}`, {
              args,
              argsType,
              replyType,
              signal: AbortSignal.timeout(20_000),
            });
            results.push(`${method}: ok`);
          } catch (error) {
            results.push(`${method}: ${(error as Error).message}`);
          }
        }
        await client.close();
        figures.capture = results;
        const m = up.visor.fleet!.member(member.pk)!;
        await m.api.routes!.removeRule(GO_RULE_ID);
        assertEquals(await m.api.routes!.rules(), []);
        await m.api.transports!.remove(goTransport!);
        await eventually(
          "Go to drop it",
          async () => !(await member.transports()).some((x) => x.id === goTransport),
        );
        assertEquals(results.filter((r) => !r.endsWith(": ok")), [
          "NoSuchMethod: rpc: can't find method app-visor.NoSuchMethod",
        ]);
        const out = Deno.env.get("SKYWIRE_CAPTURE_GO_RPC");
        if (out) {
          const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
          let at = 0;
          for (const c of chunks) all.set(c, (at += c.length) - c.length);
          await Deno.writeTextFile(
            out,
            JSON.stringify(
              {
                note: "Replies read from a Go skywire-visor (skywire 0e7420a5c, 2024) on its " +
                  "hypervisor link (dmsg port 46), calls made in this order with seq 0.., by " +
                  "tests/interop/fleet_interop_test.ts (SKYWIRE_CAPTURE_GO_RPC).",
                visor_pk: member.pk,
                calls: CAPTURED_CALLS.map(([method]) => method),
                replies_hex: bytesToHex(all),
              },
              null,
              2,
            ) + "\n",
          );
        }
      });

      await t.step("(b) our visor appears in a Go hypervisor's API", async () => {
        const base = `http://127.0.0.1:${hvPort}/api`;
        const pk = oursKeys.pk.hex();
        const joinStart = performance.now();
        await eventually("our visor in Go's /api/visors", async () => {
          const res = await fetch(`${base}/visors`).catch(() => undefined);
          if (!res?.ok) {
            await res?.body?.cancel();
            return false;
          }
          const list = await res.json() as Array<{ local_pk: string }>;
          return list.some((v) => v.local_pk === pk);
        }, 60_000);
        figures.ours_in_go_hv_ms = round(performance.now() - joinStart);
        const statuses: Record<string, number> = {};
        for (
          const path of [
            "summary",
            "health",
            "uptime",
            "transports",
            "apps",
            "routes",
            "routegroups",
          ]
        ) {
          const res = await fetch(`${base}/visors/${pk}/${path}`);
          statuses[path] = res.status;
          const body = await res.json().catch(() => null);
          if (path === "summary") {
            assertEquals(res.status, 200, JSON.stringify(body));
            assertEquals(body.overview.local_pk, pk);
            assertEquals(body.build_tag, "skywire-deno");
          }
        }
        figures.go_hv_pages = statuses;
        const overview = await (await fetch(`${base}/visors/${pk}`)).json();
        figures.go_hv_overview_apps = overview.apps?.length ?? null;
        assert(ours!.hypervisorLinks.connected().some((k) => k.equals(PubKey.fromHex(goHv.pk))));
      });
    } finally {
      console.log(JSON.stringify({ fleet_interop: figures }));
      await ours?.close();
      for (const g of goVisors) await g[Symbol.asyncDispose]();
      await up.close();
    }
  },
});
