// Go's visor RPC types: gob round trips, the bytes Go's own encoders give for the
// hand-encoded parts, and fuzzed replies that must fail cleanly.
import { assert, assertEquals, assertInstanceOf } from "../../_util/assert.ts";
import { memoryPipe } from "../../_util/memory_pipe.ts";
import { Prng } from "../../_util/prng.ts";
import { mutate } from "../../mod/dmsg/_fuzz.ts";
import { generateKeyPair, PubKey } from "../../../mod/cipher/mod.ts";
import {
  decodeGob,
  encodeGob,
  GobEncoder,
  GobError,
  RpcClient,
  RpcError,
  RpcResponseHeader,
} from "../../../mod/gob/mod.ts";
import { writeAll } from "../../../mod/conn/mod.ts";
import { hvGob as hv } from "../../../services/visor/mod.ts";

const pk = () => generateKeyPair().pk;

function sampleSummary(): hv.Summary {
  const a = pk(), b = pk();
  return {
    Overview: {
      PubKey: a,
      BuildInfo: { Version: "1.2.3", Commit: "abc", Date: "2026-12-02" },
      AppProtoVersion: "0.1.0",
      Apps: [{
        AppConfig: { Name: "skysocks", Binary: "skysocks", Args: ["-x"], AutoStart: true, Port: 3 },
        Status: hv.AppStatus.running,
        DetailedStatus: "Running",
      }],
      Transports: [{
        ID: "0b9ad8f5-4b73-4d6a-8e2e-6a0f8f1a2b3c",
        Local: a,
        Remote: b,
        Type: "stcpr",
        Log: { RecvBytes: 10n, SentBytes: 1n << 40n },
        IsSetup: false,
        Label: "user",
      }],
      RoutesCount: 2n,
      LocalIP: "",
      PublicIP: "",
      IsSymmetricNAT: false,
      Hypervisors: [b],
      ConnectedHypervisor: [b],
    },
    Health: { ServicesHealth: "healthy" },
    Uptime: 12.5,
    Routes: [{
      Key: 7,
      Rule: "00",
      Summary: {
        KeepAlive: 30_000_000_000n,
        Type: 2,
        KeyRouteID: 7,
        IntermediaryForwardFields: { NextRID: 8, NextTID: "0b9ad8f5-4b73-4d6a-8e2e-6a0f8f1a2b3c" },
      },
    }],
    IsHypervisor: false,
    DmsgStats: { PK: a, ServerPK: b, RoundTrip: 1_500_000n },
    Online: false,
    MinHops: 1,
    PersistentTransports: [{ PK: b, NetType: "stcpr" }],
    SkybianBuildVersion: "",
    RewardAddress: "",
    BuildTag: "skywire-deno",
    PublicAutoconnect: false,
  };
}

Deno.test("hv gob: a Summary survives a round trip field by field", () => {
  const summary = sampleSummary();
  const back = decodeGob(hv.Summary, encodeGob(hv.Summary, summary));
  assertEquals(back.Overview!.PubKey.hex(), summary.Overview!.PubKey.hex());
  assertEquals(back.Overview!.BuildInfo, summary.Overview!.BuildInfo);
  assertEquals(back.Overview!.Apps, summary.Overview!.Apps);
  assertEquals(back.Overview!.Transports[0].Log, { RecvBytes: 10n, SentBytes: 1n << 40n });
  assertEquals(back.Overview!.Transports[0].ID, summary.Overview!.Transports[0].ID);
  assertEquals(back.Overview!.RoutesCount, 2n);
  assertEquals(back.Routes[0].Summary!.IntermediaryForwardFields, {
    NextRID: 8,
    NextTID: "0b9ad8f5-4b73-4d6a-8e2e-6a0f8f1a2b3c",
  });
  assertEquals(back.DmsgStats!.RoundTrip, 1_500_000n);
  assertEquals(back.PersistentTransports[0].NetType, "stcpr");
  assertEquals(back.BuildTag, "skywire-deno");
  assertEquals(back.Uptime, 12.5);
  assertEquals(back.MinHops, 1);
});

Deno.test("hv gob: a nil pointer field is left out and decodes as the zero value", () => {
  const summary = sampleSummary();
  delete summary.DmsgStats;
  summary.Overview!.Transports[0].Log = null;
  const back = decodeGob(hv.Summary, encodeGob(hv.Summary, summary));
  assert(back.DmsgStats!.PK.isNull());
  assertEquals(back.Overview!.Transports[0].Log, null);
});

Deno.test("hv gob: transport.LogEntry is two gob uint64 messages, as Go's GobEncode writes", () => {
  const bytes = hv.LogEntry.encode({ RecvBytes: 5n, SentBytes: 300n });
  // Go: enc.Encode(uint64(5)); enc.Encode(uint64(300)) with one encoder: length, type id 6
  // (uint, zig-zag), singleton delta 0, then the value.
  assertEquals([...bytes], [3, 6, 0, 5, 5, 6, 0, 0xfe, 0x01, 0x2c]);
  assertEquals(hv.LogEntry.decode(bytes), { RecvBytes: 5n, SentBytes: 300n });
});

Deno.test("hv gob: time.Time in Go's GobEncode version 1 layout (UTC)", () => {
  // 2026-12-02T06:00:00.123456789Z
  const ns = 1_796_191_200_123_456_789n;
  const bytes = hv.Time.encode(ns);
  assertEquals(bytes.length, 15);
  assertEquals(bytes[0], 1);
  const view = new DataView(bytes.buffer);
  assertEquals(view.getBigInt64(1), 1_796_191_200n + 62_135_596_800n);
  assertEquals(view.getInt32(9), 123_456_789);
  assertEquals(view.getInt16(13), -1);
  assertEquals(hv.Time.decode(bytes), ns);
  assertEquals(hv.Time.decode(hv.Time.encode(hv.GO_ZERO_TIME_NS)), hv.GO_ZERO_TIME_NS);
  assertEquals(hv.Time.decode(hv.Time.encode(-1n)), -1n);
});

Deno.test("hv gob: AppLogsRequest, TransportsIn and AddTransportIn round trip", () => {
  const req = { TimeStamp: 1_700_000_000_000_000_000n, AppName: "skysocks" };
  assertEquals(decodeGob(hv.AppLogsRequest, encodeGob(hv.AppLogsRequest, req)), req);
  const key = pk();
  const tin = decodeGob(
    hv.TransportsIn,
    encodeGob(hv.TransportsIn, { FilterTypes: ["dmsg"], FilterPubKeys: [key], ShowLogs: true }),
  );
  assertEquals(tin.FilterTypes, ["dmsg"]);
  assert(tin.FilterPubKeys[0].equals(key));
  const add = { RemotePK: key, TpType: "stcpr", Timeout: 20_000_000_000n };
  const back = decodeGob(hv.AddTransportIn, encodeGob(hv.AddTransportIn, add));
  assertEquals([back.TpType, back.Timeout], ["stcpr", 20_000_000_000n]);
  assert(back.RemotePK.equals(key));
});

/** One net/rpc reply (header then Summary) as a server would write it. */
function replyBytes(seq: bigint): Uint8Array {
  return new GobEncoder().encodeSequence([
    { type: RpcResponseHeader, value: { ServiceMethod: "app-visor.Summary", Seq: seq, Error: "" } },
    { type: hv.Summary, value: sampleSummary() },
  ]);
}

Deno.test("hv gob: mutated and random Summary replies fail cleanly, never hang", async () => {
  const rng = new Prng(0x46_46);
  const seed = replyBytes(0n);
  let ok = 0, failed = 0;
  for (let i = 0; i < 300; i++) {
    const input = i % 10 === 0 ? rng.bytes(rng.int(600)) : mutate(rng, seed);
    // Direct decode of the body: a GobError or a value, nothing else.
    try {
      decodeGob(hv.Summary, input);
    } catch (error) {
      assertInstanceOf(error, GobError);
    }
    // Through an RPC client on a pipe: the call settles once the peer hangs up.
    const [near, far] = memoryPipe(1 << 20);
    const client = new RpcClient(near, { maxMessageSize: 64 * 1024 });
    const call = client.call("app-visor.Summary", {
      args: {},
      argsType: hv.Empty,
      replyType: hv.Summary,
      signal: AbortSignal.timeout(2_000),
    });
    const drain = (async () => {
      const buf = new Uint8Array(4096);
      while ((await far.read(buf).catch(() => null)) !== null) { /* the request */ }
    })();
    await writeAll(far, input).catch(() => {});
    far.close();
    try {
      await call;
      ok++;
    } catch (error) {
      assertInstanceOf(error, RpcError);
      assert(error.code !== "aborted", `call ${i} hung until its timeout`);
      failed++;
    }
    await client.close();
    await drain;
  }
  assert(failed > 200, `most mutations fail (${ok} ok, ${failed} failed)`);
});

Deno.test("hv gob: PubKey fields reject a point that is not on the curve", () => {
  const summary = sampleSummary();
  const bytes = encodeGob(hv.HealthInfo, summary.Health!);
  assertEquals(decodeGob(hv.HealthInfo, bytes), { ServicesHealth: "healthy" });
  const bad = new Uint8Array(33).fill(7);
  let error: unknown;
  try {
    decodeGob(
      hv.PersistentTransport,
      encodeGob(hv.PersistentTransport, {
        PK: { view: bad, isNull: () => false } as unknown as PubKey,
        NetType: "dmsg",
      }),
    );
  } catch (e) {
    error = e;
  }
  assertInstanceOf(error, GobError);
});
