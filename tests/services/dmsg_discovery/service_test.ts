import { assert, assertEquals } from "@std/assert";
import { type Entry, marshalEntry } from "../../../mod/dmsg/mod.ts";
import { openStore } from "../../../mod/store/mod.ts";
import {
  ClientIndex,
  DiscoveryStore,
  EntryService,
  type EntryServiceOptions,
  parsePubKeyText,
} from "../../../services/dmsg_discovery/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { tempDir } from "../../_util/temp_dir.ts";
import {
  clientEntry,
  entryServiceOptions,
  generateKeyPair,
  serverEntry,
  type TestClock,
} from "./_harness.ts";

/** Calls of the KV's reads and atomic operations, counted on the real handle. */
function countCalls(kv: Deno.Kv, counts: Record<string, number>): Deno.Kv {
  return new Proxy(kv, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        counts[String(name)] = (counts[String(name)] ?? 0) + 1;
        return value.apply(target, args);
      };
    },
  });
}

/** An EntryService over a real KV file, without HTTP; `kvCalls` counts the store's KV calls. */
async function openService(
  options: Partial<EntryServiceOptions> = {},
  clients?: ClientIndex,
) {
  const dir = await tempDir("skywire-disc-service-");
  const clock: TestClock = { ms: Date.now() };
  const logger = captureLogger();
  const kv = await openStore({ path: `${dir.path}/d.kv`, logger });
  const now = () => clock.ms;
  const kvCalls: Record<string, number> = {};
  const counted = countCalls(kv.kv, kvCalls);
  const store = new DiscoveryStore(() => counted, now, logger, undefined, clients);
  const service = new EntryService({ ...entryServiceOptions(store, now, logger), ...options });
  return {
    service,
    clock,
    kvCalls,
    async [Symbol.asyncDispose]() {
      kv.close();
      await dir[Symbol.asyncDispose]();
    },
  };
}

Deno.test("EntryService: register, update, read back, delete, with Go's refusals", async () => {
  await using s = await openService();
  const keys = generateKeyPair();
  const first = clientEntry(keys, s.clock);
  assertEquals(await s.service.register(marshalEntry(first)), { ok: true, updated: false });
  assertEquals(await s.service.get(keys.pk), marshalEntry(first));
  const replay = await s.service.register(marshalEntry(first));
  assert(!replay.ok);
  assertEquals(replay.status, 422);
  s.clock.ms += 1000;
  const next = clientEntry(keys, s.clock, { sequence: 1n });
  assertEquals(await s.service.register(marshalEntry(next)), { ok: true, updated: true });
  const junk = await s.service.register(new TextEncoder().encode("{bad"));
  assertEquals(junk, { ok: false, status: 500, message: "something unexpected happened" });
  const replayedDelete = await s.service.delete(marshalEntry(next));
  assertEquals(replayedDelete.ok ? 200 : replayedDelete.status, 422);
  s.clock.ms += 1000;
  const proof = clientEntry(keys, s.clock, { sequence: 2n });
  assertEquals(await s.service.delete(marshalEntry(proof)), { ok: true });
  assertEquals(await s.service.get(keys.pk), undefined);
});

Deno.test("EntryService: concurrent updates of one key end with exactly one winner", async () => {
  await using s = await openService();
  const keys = generateKeyPair();
  await s.service.register(marshalEntry(clientEntry(keys, s.clock)));
  s.clock.ms += 1000;
  const variants = ["a", "b", "c", "d"].map((clientType) =>
    clientEntry(keys, s.clock, { sequence: 1n, clientType })
  );
  const results = await Promise.all(variants.map((e) => s.service.register(marshalEntry(e))));
  const winners = results.flatMap((r, i) => r.ok ? [i] : []);
  assertEquals(winners.length, 1, JSON.stringify(results));
  assertEquals(await s.service.get(keys.pk), marshalEntry(variants[winners[0]]));
});

Deno.test("EntryService: an update goes on the cache's guess: no store read, one commit", async () => {
  await using s = await openService();
  const keys = generateKeyPair();
  const reads = () => (s.kvCalls.get ?? 0) + (s.kvCalls.getMany ?? 0);
  assertEquals(await s.service.register(marshalEntry(clientEntry(keys, s.clock))), {
    ok: true,
    updated: false,
  });
  const [read0, commits0] = [reads(), s.kvCalls.atomic];
  for (let sequence = 1n; sequence <= 3n; sequence++) {
    s.clock.ms += 1000;
    const next = clientEntry(keys, s.clock, { sequence });
    assertEquals(await s.service.register(marshalEntry(next)), { ok: true, updated: true });
    assertEquals(await s.service.get(keys.pk), marshalEntry(next));
  }
  assertEquals(reads(), read0);
  assertEquals(s.kvCalls.atomic, commits0 + 3);
  // A refusal on the guess is confirmed by the store before it is answered.
  const stale = await s.service.register(
    marshalEntry(clientEntry(keys, s.clock, { sequence: 2n })),
  );
  assertEquals(stale.ok ? 200 : stale.status, 422);
  assertEquals(reads(), read0 + 1);
  assertEquals(s.kvCalls.atomic, commits0 + 3);
});

Deno.test("EntryService: a key registered again after a deletion updates in one commit", async () => {
  await using s = await openService();
  const keys = generateKeyPair();
  await s.service.register(marshalEntry(clientEntry(keys, s.clock)));
  s.clock.ms += 1000;
  assertEquals(
    await s.service.delete(marshalEntry(clientEntry(keys, s.clock, { sequence: 1n }))),
    { ok: true },
  );
  // Signed at the deletion's time: the tombstone refuses it.
  const replay = await s.service.register(marshalEntry(clientEntry(keys, s.clock)));
  assertEquals(replay.ok ? 200 : replay.status, 422);
  s.clock.ms += 1000;
  assertEquals((await s.service.register(marshalEntry(clientEntry(keys, s.clock)))).ok, true);
  // The tombstone stays ten minutes; updates over the live entry do not trip on it.
  const commits = s.kvCalls.atomic;
  s.clock.ms += 1000;
  const next = clientEntry(keys, s.clock, { sequence: 1n });
  assertEquals(await s.service.register(marshalEntry(next)), { ok: true, updated: true });
  assertEquals(s.kvCalls.atomic, commits + 1);
  assertEquals(await s.service.get(keys.pk), marshalEntry(next));
});

Deno.test("EntryService: an update drops exactly the index records the new entry has not", async () => {
  // No client keys in memory: the listings read the store's index records.
  await using s = await openService({}, new ClientIndex(0));
  const keys = generateKeyPair(), srv = generateKeyPair(), other = generateKeyPair();
  const hex = keys.pk.hex();
  // Each update, then the clients, visors and number of servers listed after it.
  const steps: Array<[Entry, string[], string[], number]> = [
    [clientEntry(keys, s.clock, { delegated: [srv], clientType: "visor" }), [hex], [hex], 0],
    [clientEntry(keys, s.clock, { sequence: 1n, delegated: [other] }), [hex], [], 0],
    [serverEntry(keys, s.clock, { sequence: 2n }), [], [], 1],
    [clientEntry(keys, s.clock, { sequence: 3n, clientType: "visor" }), [hex], [hex], 0],
  ];
  for (const [i, [entry, clients, visors, servers]] of steps.entries()) {
    s.clock.ms += 1000;
    assertEquals((await s.service.register(marshalEntry(entry))).ok, true, `step ${i}`);
    assertEquals(await s.service.clientKeys(), clients, `step ${i}`);
    assertEquals(await s.service.clientKeys({ visorsOnly: true }), visors, `step ${i}`);
    assertEquals((await s.service.allServers()).length, servers, `step ${i}`);
    const delegated = entry.client?.delegatedServers ?? [];
    for (const server of [srv, other]) {
      const listed = delegated.some((k) => k.hex() === server.pk.hex()) ? [hex] : [];
      assertEquals(await s.service.clientsOf(server.pk), listed, `step ${i}`);
    }
  }
});

Deno.test("EntryService: listings, batch keyed as asked, legacy timeout", async () => {
  await using s = await openService();
  const srv = generateKeyPair(), visor = generateKeyPair(), app = generateKeyPair();
  await s.service.register(marshalEntry(serverEntry(srv, s.clock, { sessions: 3 })));
  const v = clientEntry(visor, s.clock, { delegated: [srv], clientType: "visor" });
  await s.service.register(marshalEntry(v));
  await s.service.register(marshalEntry(clientEntry(app, s.clock)), { legacyTimeout: true });
  assertEquals((await s.service.clientKeys()).sort(), [visor.pk.hex(), app.pk.hex()].sort());
  assertEquals(await s.service.clientKeys({ visorsOnly: true }), [visor.pk.hex()]);
  assertEquals((await s.service.availableServers()).length, 1);
  assertEquals(await s.service.clientsByServer(), new Map([[srv.pk.hex(), [visor.pk.hex()]]]));
  assertEquals(await s.service.clientsOf(srv.pk), [visor.pk.hex()]);
  const asked = [visor.pk.hex(), ` ${visor.pk.hex()}`, visor.pk.hex(), "junk"];
  assertEquals(await s.service.batch(asked), [
    [visor.pk.hex(), marshalEntry(v)],
    [` ${visor.pk.hex()}`, marshalEntry(v)],
  ]);
  s.clock.ms += 3 * 60_000 + 1; // past the legacy 3 minutes and the servers' 2
  assertEquals(await s.service.clientKeys(), [visor.pk.hex()]);
  assertEquals(await s.service.allServers(), []);
});

Deno.test("parsePubKeyText: Go's text form, all zeros is the null key", () => {
  const keys = generateKeyPair();
  assertEquals(parsePubKeyText(keys.pk.hex())?.hex(), keys.pk.hex());
  assertEquals(parsePubKeyText("")?.hex(), "0".repeat(66));
  assertEquals(parsePubKeyText("00")?.hex(), "0".repeat(66));
  for (const bad of ["xyz", keys.pk.hex().slice(2), `${keys.pk.hex()}00`]) {
    assertEquals(parsePubKeyText(bad), undefined, bad);
  }
});
