/**
 * The store's values as raw bytes and u64s: they round-trip, odd values read as nothing, and a
 * store whose records were written as objects (before) is read, listed and updated alike.
 * Real KV files.
 */
import { assertEquals } from "@std/assert";
import { marshalEntry } from "../../../mod/dmsg/mod.ts";
import { openStore } from "../../../mod/store/mod.ts";
import { ClientIndex, DiscoveryStore, EntryService } from "../../../services/dmsg_discovery/mod.ts";
import {
  entryValue,
  indexExpiry,
  indexValue,
  readEntryValue,
} from "../../../services/dmsg_discovery/_store_values.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { Prng } from "../../_util/prng.ts";
import { tempDir } from "../../_util/temp_dir.ts";
import { clientEntry, entryServiceOptions, generateKeyPair, type TestClock } from "./_harness.ts";

Deno.test("entry and index values round-trip; values of another shape read as nothing", () => {
  const rng = new Prng(0x57a1);
  for (const expiresAt of [0, 1, Date.now(), 2 ** 52, 8_640_000_000_000_000]) {
    const body = rng.bytes(rng.int(700));
    assertEquals(readEntryValue(entryValue(body, expiresAt)), { body, expiresAt });
    assertEquals(indexExpiry(indexValue(expiresAt)), expiresAt);
  }
  const body = new Uint8Array([1, 2]);
  assertEquals(readEntryValue({ body, expiresAt: 5 }), { body, expiresAt: 5 });
  assertEquals(indexExpiry({ expiresAt: 5 }), 5);
  for (const odd of [new Uint8Array(7), 5, "x", null, {}, { body: "x", expiresAt: 1 }]) {
    assertEquals(readEntryValue(odd as never), undefined);
  }
  for (const odd of [null, {}, "x"]) assertEquals(Number.isNaN(indexExpiry(odd as never)), true);
});

Deno.test("records written as objects (before) are read, listed and replaced", async () => {
  await using dir = await tempDir("skywire-disc-values-");
  const clock: TestClock = { ms: Date.now() };
  const logger = captureLogger();
  const kv = await openStore({ path: `${dir.path}/d.kv`, logger });
  try {
    const keys = generateKeyPair(), srv = generateKeyPair(), old = generateKeyPair();
    const pk = keys.pk.hex();
    const entry = clientEntry(keys, clock, { delegated: [srv], clientType: "visor" });
    const expiresAt = clock.ms + 60_000;
    const gone = clock.ms - 1;
    await kv.kv.atomic()
      .set(["dmsg_discovery", "layout"], 2)
      .set(["dmsg_discovery", "entry", pk], { body: marshalEntry(entry), expiresAt })
      .set(["dmsg_discovery", "client", pk], { expiresAt })
      .set(["dmsg_discovery", "visor", pk], { expiresAt })
      .set(["dmsg_discovery", "by_server", srv.pk.hex(), pk], { expiresAt })
      // Expired records of another key are not listed.
      .set(["dmsg_discovery", "client", old.pk.hex()], { expiresAt: gone })
      .set(["dmsg_discovery", "by_server", srv.pk.hex(), old.pk.hex()], { expiresAt: gone })
      .commit();
    const now = () => clock.ms;
    // No client keys in memory: the listings read the store's records.
    const store = new DiscoveryStore(() => kv.kv, now, logger, undefined, new ClientIndex(0));
    await store.upgrade();
    await store.warmCache();
    const service = new EntryService(entryServiceOptions(store, now, logger));
    assertEquals(await service.get(keys.pk), marshalEntry(entry));
    assertEquals(await service.clientKeys(), [pk]);
    assertEquals(await service.clientKeys({ visorsOnly: true }), [pk]);
    assertEquals(await service.clientsOf(srv.pk), [pk]);
    // An update over the old record replaces every record in the new shape.
    clock.ms += 1_000;
    const next = clientEntry(keys, clock, { sequence: 1n });
    assertEquals(await service.register(marshalEntry(next)), { ok: true, updated: true });
    assertEquals(await service.get(keys.pk), marshalEntry(next));
    assertEquals(await service.clientKeys({ visorsOnly: true }), []);
    assertEquals(await service.clientsOf(srv.pk), []);
    const stored = (await kv.kv.get<Uint8Array>(["dmsg_discovery", "entry", pk])).value!;
    assertEquals(readEntryValue(stored)?.body, marshalEntry(next));
    const client = (await kv.kv.get(["dmsg_discovery", "client", pk])).value;
    assertEquals(client instanceof Deno.KvU64, true);
  } finally {
    kv.close();
  }
});
