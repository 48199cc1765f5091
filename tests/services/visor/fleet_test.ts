// The fleet link over a real dmsg server on TCP: visors listing a hypervisor join its fleet,
// are read and driven over Go's visor RPC, leave when they stop, and come back after the
// hypervisor restarts.
import { assert, assertEquals, assertRejects } from "../../_util/assert.ts";
import { generateKeyPair } from "../../../mod/cipher/mod.ts";
import type { SkywireConfig } from "../../../mod/config/mod.ts";
import { TransportType } from "../../../mod/transport/mod.ts";
import { go } from "../../../mod/gob/mod.ts";
import { createVisorApi, DENO_BUILD_TAG, hvGob, type Visor } from "../../../services/visor/mod.ts";
import { eventually, visorNetwork } from "./_visors.ts";

const FAST = {
  linkBackoff: { initialMs: 50, maxMs: 400 },
  hub: { heartbeatMs: 0, callTimeoutMs: 5_000 },
};

function noHypervisor(config: SkywireConfig) {
  delete config.hypervisor;
}

Deno.test("a visor listing a hypervisor joins its fleet and is read over RPC", async () => {
  await using net = await visorNetwork();
  let hvConfig: SkywireConfig | undefined;
  const hv = await net.visor({ fleetTuning: FAST, edit: (config) => hvConfig = config });
  const member = await net.visor({
    fleetTuning: FAST,
    edit: (config) => {
      noHypervisor(config);
      config.hypervisors = [hv.pk.hex()];
      config.launcher.apps = [{ name: "skysocks", auto_start: false, port: 3 }];
    },
  });
  const hub = hv.fleet!;
  assert(hub, "the hypervisor visor runs a fleet hub");
  assertEquals(member.fleet, undefined, "no hub without a hypervisor section");
  const fleet = hub.fleet(createVisorApi({ visor: hv, config: hvConfig! }), hv.startedAt);
  let events = 0;
  const unsubscribe = fleet.subscribe(() => events++);

  await eventually("the member joins", () => fleet.get(member.pk.hex()) !== undefined, 15_000);
  assertEquals(fleet.list()[0].pk, hv.pk.hex());
  assertEquals(fleet.list()[0].local, true);
  const remote = fleet.get(member.pk.hex())!;
  assertEquals(remote.local, false);
  await eventually(
    "the link is up on the visor",
    () => member.hypervisorLinks.connected().some((pk) => pk.equals(hv.pk)),
  );

  const started = performance.now();
  await remote.refresh();
  const summaryMs = performance.now() - started;
  assertEquals(remote.implementation, "skywire-deno");
  assertEquals(remote.api.info().pk, member.pk.hex());
  assertEquals(remote.api.info().hypervisors, [hv.pk.hex()]);
  assert(remote.api.dmsg().sessions.length === 1, "dmsg session from the summary");
  assertEquals(remote.api.dmsg().sessions[0].server_pk, net.server.pk.hex());
  assert(summaryMs < 5_000, `summary in ${summaryMs} ms`);

  // Transports: add one from the hypervisor's side, see it on the visor, remove it.
  const target = await net.visor({ edit: noHypervisor });
  assertEquals(await remote.api.transports!.types(), member.transports.manager.networkTypes);
  const added = await remote.api.transports!.add({
    remote_pk: target.pk.hex(),
    type: TransportType.dmsg,
  });
  assertEquals(added.remote_pk, target.pk.hex());
  assertEquals(added.local_pk, member.pk.hex());
  assert(member.transports.manager.transport(added.id), "the visor holds the transport");
  const listed = await remote.api.transports!.list();
  assertEquals(listed.map((t) => t.id), [added.id]);
  assertEquals((await remote.api.transports!.get(added.id)).type, "dmsg");
  await remote.api.transports!.remove(added.id);
  await eventually(
    "the transport is gone",
    () => !member.transports.manager.transports().some((t) => !t.isClosed),
  );
  const missing = await remote.api.transports!.get(added.id).catch((e) => e);
  assertEquals(missing.status, 404);

  // Apps over RPC.
  const apps = await remote.api.apps!.list();
  assertEquals(apps.map((a) => [a.name, a.status, a.port]), [["skysocks", "stopped", 3]]);
  await remote.api.apps!.start("skysocks");
  assertEquals((await remote.api.apps!.list())[0].status, "running");
  await remote.api.apps!.stop("skysocks");
  assertEquals((await remote.api.apps!.list())[0].status, "stopped");

  // Routes: no rules yet; a rule saved over RPC shows and goes.
  assertEquals(await remote.api.routes!.rules(), []);
  assertEquals(await remote.api.routes!.groups(), []);
  const tid = "0b9ad8f5-4b73-4d6a-8e2e-6a0f8f1a2b3c";
  const rid = await remote.api.routes!.addRule({
    keep_alive: 30_000_000_000,
    rule_type: 2,
    key_route_id: 4242,
    intermediary_forward_fields: { next_rid: 9, next_tid: tid },
  });
  assertEquals(rid, 4242);
  assert(member.routing.router.rule(4242), "the visor's router holds it");
  assertEquals((await remote.api.routes!.rule(4242)).intermediary_forward_fields, {
    next_rid: 9,
    next_tid: tid,
  });
  assertEquals((await remote.api.routes!.rules()).map((r) => r.key_route_id), [4242]);
  await remote.refresh();
  const fleetMember = hub.member(member.pk.hex())!;
  assertEquals(fleetMember.summary!.Routes.map((r) => r.Key), [4242]);
  await remote.api.routes!.removeRule(4242);
  assertEquals(member.routing.router.rule(4242), undefined);
  assertEquals((await remote.api.routes!.rule(4242).catch((e) => e)).status, 404);

  // Go's hypervisor reads an app's log with LogsSince, and the overview for its visor list.
  const lines = await fleetMember.call(
    "LogsSince",
    hvGob.AppLogsRequest,
    { TimeStamp: hvGob.GO_ZERO_TIME_NS, AppName: "skysocks" },
    hvGob.Strings,
  );
  assert(lines.length > 0, "skysocks logged while it ran");
  const overview = await fleetMember.call("Overview", hvGob.Empty, {}, hvGob.Overview);
  assertEquals(overview.PubKey.hex(), member.pk.hex());
  assertEquals(overview.Apps.map((a) => a.AppConfig.Name), ["skysocks"]);
  assert(overview.ConnectedHypervisor.some((pk) => pk.equals(hv.pk)));
  const unknown = await fleetMember.call("Shutdown", hvGob.Empty, {}, hvGob.Empty).catch((e) => e);
  assertEquals(unknown.message, "rpc: can't find method app-visor.Shutdown");

  // What a remote visor cannot offer says so.
  await assertRejects(() => remote.api.stores(), Error, "hypervisor link");
  assert(remote.api.updates.checkUnavailable?.includes("hypervisor link"));
  assert(remote.unavailable?.stores);

  // The visor stops: the member leaves and subscribers hear of it.
  const before = events;
  await member.close();
  await eventually("the member leaves", () => fleet.get(member.pk.hex()) === undefined);
  assert(events > before, "subscribers were told");
  assertEquals(hub.stats().members, 0);
  await eventually("links released", () => hub.stats().links === 0);
  unsubscribe();
  assertEquals(hub.stats().listeners, 0);
});

Deno.test("a visor redials its hypervisor after the hypervisor restarts", async () => {
  await using net = await visorNetwork();
  const keys = generateKeyPair();
  let hv: Visor = await net.visor({ keys, name: "hv", fleetTuning: FAST });
  const member = await net.visor({
    fleetTuning: FAST,
    edit: (config) => {
      noHypervisor(config);
      config.hypervisors = [keys.pk.hex()];
    },
  });
  await eventually("joined", () => hv.fleet!.member(member.pk.hex()) !== undefined);
  await hv.close();
  await eventually(
    "the visor sees the link down",
    () => member.hypervisorLinks.connected().length === 0,
  );
  hv = await net.visor({ keys, name: "hv", fleetTuning: FAST });
  await eventually(
    "joined again",
    () => hv.fleet!.member(member.pk.hex()) !== undefined,
    15_000,
  );
  await hv.fleet!.member(member.pk.hex())!.refresh();
  assertEquals(hv.fleet!.member(member.pk.hex())!.summary?.BuildTag, DENO_BUILD_TAG);
});

Deno.test("the fleet caps its links and a newer link from the same key replaces the older", async () => {
  await using net = await visorNetwork();
  const hv = await net.visor({ fleetTuning: { ...FAST, hub: { ...FAST.hub, maxVisors: 1 } } });
  const edit = (config: SkywireConfig) => {
    noHypervisor(config);
    config.hypervisors = [hv.pk.hex()];
  };
  const first = await net.visor({ fleetTuning: FAST, edit });
  await eventually(
    "first joined",
    () => hv.fleet!.member(first.pk.hex()) !== undefined,
    15_000,
  );
  // A second link from the first visor's key (a redial after a silent drop) replaces the first.
  const old = hv.fleet!.member(first.pk.hex())!;
  const stream = await first.client.dialStream({ pk: hv.pk, port: 46 });
  await eventually("replaced", () => hv.fleet!.member(first.pk.hex()) !== old);
  await old.client.closed;
  assertEquals(hv.fleet!.stats().members, 1);
  stream.close();
  // The visor's own link redials and takes the key back (the manual stream never answers).
  await eventually("the first visor's own link answers", async () => {
    const m = hv.fleet!.member(first.pk.hex());
    if (!m) return false;
    return await m.call("Uptime", hvGob.Empty, {}, go.float64, 1_000).then(() => true, () => false);
  }, 15_000);
  const second = await net.visor({ fleetTuning: FAST, edit });
  // The second keeps redialing and is refused each time while the fleet is full.
  await new Promise((resolve) => setTimeout(resolve, 600));
  assertEquals(hv.fleet!.members().map((m) => m.pk), [first.pk.hex()]);
  assertEquals(hv.fleet!.member(second.pk.hex()), undefined);

  await first.close();
  await eventually(
    "second joins once there is room",
    () => hv.fleet!.member(second.pk.hex()) !== undefined,
    15_000,
  );
});

Deno.test("fleet churn: 50 joins and leaves leave no member, link or stream behind", async () => {
  await using net = await visorNetwork();
  const hv = await net.visor({ fleetTuning: FAST });
  const member = await net.visor({ edit: noHypervisor });
  const hub = hv.fleet!;
  const baseStreams = streamCount(hv);
  for (let i = 0; i < 50; i++) {
    const stream = await member.client.dialStream({ pk: hv.pk, port: 46 });
    await eventually("joined", () => hub.member(member.pk.hex()) !== undefined);
    stream.close();
    await eventually("left", () => hub.member(member.pk.hex()) === undefined);
  }
  await eventually("links released", () => hub.stats().links === 0);
  assertEquals(hub.stats(), { members: 0, links: 0, listeners: 0 });
  await eventually("streams released", () => streamCount(hv) === baseStreams);
});

function streamCount(visor: Visor): number {
  const stats = visor.client.stats();
  return stats.streams + stats.yamuxStreams;
}

Deno.test("a link that stops answering is dropped after two missed heartbeats", async () => {
  await using net = await visorNetwork();
  const hv = await net.visor({
    fleetTuning: { hub: { heartbeatMs: 150, callTimeoutMs: 100 } },
  });
  const silent = await net.visor({ edit: noHypervisor });
  let left = 0;
  hv.fleet!.subscribe(() => {
    if (!hv.fleet!.member(silent.pk.hex())) left++;
  });
  // A link nobody serves RPC on: every heartbeat times out.
  const stream = await silent.client.dialStream({ pk: hv.pk, port: 46 });
  await eventually("joined", () => hv.fleet!.member(silent.pk.hex()) !== undefined);
  await eventually("dropped", () => hv.fleet!.member(silent.pk.hex()) === undefined, 5_000);
  assert(left > 0, "subscribers heard it leave");
  await eventually("links released", () => hv.fleet!.stats().links === 0);
  // The hypervisor closed the stream: our end reads its end.
  const buf = new Uint8Array(16);
  let n: number | null = 0;
  while (n !== null) n = await stream.read(buf).catch(() => null);
});

Deno.test("a reply over the size bound ends the link instead of being buffered", async () => {
  await using net = await visorNetwork();
  // The type definitions of a Summary reply alone are over 200 bytes.
  const hv = await net.visor({
    fleetTuning: { ...FAST, hub: { ...FAST.hub, maxReplyBytes: 200 } },
  });
  const member = await net.visor({
    fleetTuning: FAST,
    edit: (config) => {
      noHypervisor(config);
      config.hypervisors = [hv.pk.hex()];
    },
  });
  // Joins and leaves are counted together: a listener that looked the member up to classify a
  // change could run after the next one had already happened.
  let changes = 0;
  hv.fleet!.subscribe(() => changes++);
  // Each link ends at the first summary the hub fetches on join; the visor redials. A buffered
  // reply would leave one join and nothing more.
  await eventually("links ended on their oversized summaries", () => changes >= 4, 15_000);
  const m = hv.fleet!.member(member.pk.hex());
  if (m) {
    const error = await m.refresh().then(() => undefined, (e) => e);
    assertEquals(error?.status, 502);
  }
});
