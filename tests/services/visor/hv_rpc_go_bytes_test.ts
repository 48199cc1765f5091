// Replies captured from a Go skywire-visor's RPC (tests/testdata/go-visor-rpc-2024.json) decode
// into our types through our net/rpc client.
import { assert, assertEquals, assertInstanceOf } from "../../_util/assert.ts";
import { memoryPipe } from "../../_util/memory_pipe.ts";
import { bytesToHex, hexToBytes } from "../../../mod/cipher/mod.ts";
import { Rule } from "../../../mod/routing/mod.ts";
import { writeAll } from "../../../mod/conn/mod.ts";
import { go, type GobType, RpcClient, RpcError } from "../../../mod/gob/mod.ts";
import { hvGob as hv } from "../../../services/visor/mod.ts";

const capture = JSON.parse(
  await Deno.readTextFile(new URL("../../testdata/go-visor-rpc-2024.json", import.meta.url)),
) as { visor_pk: string; calls: string[]; replies_hex: string };

const REPLY_TYPES: Record<string, [GobType<unknown>, unknown, GobType<unknown>]> = {
  Summary: [hv.Empty, {}, hv.Summary],
  Overview: [hv.Empty, {}, hv.Overview],
  Health: [hv.Empty, {}, hv.HealthInfo],
  Uptime: [hv.Empty, {}, go.float64],
  TransportTypes: [hv.Empty, {}, hv.Strings],
  Transports: [
    hv.TransportsIn,
    { FilterTypes: [], FilterPubKeys: [], ShowLogs: true },
    hv.TransportSummaries,
  ],
  Apps: [hv.Empty, {}, hv.AppStates],
  RoutingRules: [hv.Empty, {}, hv.Rules],
  RouteGroups: [hv.Empty, {}, hv.RouteGroupInfos],
  NoSuchMethod: [hv.Empty, {}, hv.Empty],
};

Deno.test("Go visor RPC replies (captured) decode into our types", async () => {
  const [near, far] = memoryPipe(1 << 20);
  const client = new RpcClient(near);
  const calls = capture.calls.map((method) => {
    const [argsType, args, replyType] = REPLY_TYPES[method];
    return client.call(`app-visor.${method}`, { args, argsType, replyType }).then(
      (value) => ({ ok: true as const, value }),
      (error) => ({ ok: false as const, error }),
    );
  });
  const drain = (async () => {
    const buf = new Uint8Array(4096);
    while ((await far.read(buf).catch(() => null)) !== null) { /* our requests */ }
  })();
  await writeAll(far, hexToBytes(capture.replies_hex));
  const results = await Promise.all(calls);
  far.close();
  await client.close();
  await drain;
  const by = Object.fromEntries(capture.calls.map((m, i) => [m, results[i]]));

  const summary = (by.Summary as { ok: true; value: hv.Summary }).value;
  assert(by.Summary.ok);
  assertEquals(summary.Overview!.PubKey.hex(), capture.visor_pk);
  assertEquals(summary.Overview!.AppProtoVersion, "0.1.0");
  assertEquals(summary.Health!.ServicesHealth.length > 0, true);
  assert(summary.Uptime > 0);
  assertEquals(summary.BuildTag, "");
  const overview = (by.Overview as { ok: true; value: hv.Overview }).value;
  assertEquals(overview.PubKey.hex(), capture.visor_pk);
  assertEquals(overview.Hypervisors.length, 2);
  const tps = (by.Transports as { ok: true; value: hv.TransportSummary[] }).value;
  assertEquals(tps.length, 1);
  assertEquals(tps[0].Type, "dmsg");
  assertEquals(tps[0].Local.hex(), capture.visor_pk);
  assert(tps[0].Log !== null, "Go's LogEntry GobEncode bytes decode");
  assertEquals(typeof tps[0].Log!.RecvBytes, "bigint");
  assert((by.TransportTypes as { ok: true; value: string[] }).value.includes("dmsg"));
  assertEquals((by.Apps as { ok: true; value: unknown[] }).value, []);
  // The rule the capture's Go visor held (saved through our fleet): bytes and Go's summary.
  assertEquals(summary.Routes.length, 1);
  const route = summary.Routes[0];
  assertEquals(route.Key, 4242);
  assertEquals(route.Summary!.Type, 2);
  assertEquals(route.Summary!.KeyRouteID, 4242);
  assertEquals(route.Summary!.KeepAlive, 30_000_000_000n);
  assertEquals(route.Summary!.IntermediaryForwardFields!.NextRID, 9);
  assertEquals(route.Summary!.IntermediaryForwardFields!.NextTID, tps[0].ID);
  const rules = (by.RoutingRules as { ok: true; value: Uint8Array[] }).value;
  assertEquals(rules.length, 1);
  assertEquals(Rule.fromBytes(rules[0]).keyRouteId, 4242);
  assertEquals(bytesToHex(rules[0]), route.Rule);
  assert(by.Uptime.ok && by.Health.ok && by.RouteGroups.ok);
  assert(!by.NoSuchMethod.ok);
  assertInstanceOf(by.NoSuchMethod.error, RpcError);
  assertEquals(by.NoSuchMethod.error.message, "rpc: can't find method app-visor.NoSuchMethod");
});
