/**
 * Listings read bounded ranges of small index records, shared between concurrent callers;
 * entries are bounded in what they may hold. Real KV files.
 */
import { assert, assertEquals } from "@std/assert";
import { marshalEntry } from "../../../mod/dmsg/mod.ts";
import { openStore } from "../../../mod/store/mod.ts";
import {
  DiscoveryStore,
  EntryService,
  Listings,
  MAX_DELEGATED_SERVERS,
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

/** Counts the index reads of a real store. */
class CountingStore extends DiscoveryStore {
  reads = 0;
  override clientKeys(options: { visorsOnly?: boolean; limit: number }) {
    this.reads++;
    return super.clientKeys(options);
  }
}

async function open() {
  const dir = await tempDir("skywire-listings-");
  const clock: TestClock = { ms: Date.now() };
  const logger = captureLogger();
  const kv = await openStore({ path: `${dir.path}/d.kv`, logger });
  const now = () => clock.ms;
  const store = new CountingStore(() => kv.kv, now, logger);
  const service = new EntryService(entryServiceOptions(store, now, logger));
  return {
    kv,
    store,
    service,
    clock,
    async [Symbol.asyncDispose]() {
      kv.close();
      await dir[Symbol.asyncDispose]();
    },
  };
}

Deno.test("an entry names at most 64 delegated servers and stays under 8 KiB", async () => {
  await using s = await open();
  const servers = Array.from({ length: MAX_DELEGATED_SERVERS + 1 }, generateKeyPair);
  const full = clientEntry(generateKeyPair(), s.clock, { delegated: servers.slice(1) });
  assertEquals(await s.service.register(marshalEntry(full)), { ok: true, updated: false });
  const over = clientEntry(generateKeyPair(), s.clock, { delegated: servers });
  const refused = await s.service.register(marshalEntry(over));
  assertEquals(refused, {
    ok: false,
    status: 422,
    message: "entry validation error: more than 64 delegated servers",
  });
  const long = serverEntry(generateKeyPair(), s.clock, { address: `${"h".repeat(9000)}:1` });
  const big = await s.service.register(marshalEntry(long));
  assertEquals(big.ok ? 200 : big.status, 413);
});

Deno.test("store scans read at most their limit", async () => {
  await using s = await open();
  const servers = Array.from({ length: 7 }, generateKeyPair);
  for (const k of servers) await s.service.register(marshalEntry(serverEntry(k, s.clock)));
  for (let i = 0; i < 9; i++) {
    const e = clientEntry(generateKeyPair(), s.clock, { delegated: servers, clientType: "visor" });
    await s.service.register(marshalEntry(e));
  }
  assertEquals((await s.store.clientKeys({ limit: 4 })).length, 4);
  assertEquals((await s.store.clientKeys({ visorsOnly: true, limit: 100 })).length, 9);
  assertEquals((await s.store.servers(5)).length, 5);
  assertEquals((await s.store.delegations(10)).length, 10);
  assertEquals((await s.store.clientsOf(servers[0].pk.hex(), 3)).length, 3);
});

Deno.test("the by-server index follows updates, deletions and expiry", async () => {
  await using s = await open();
  const [s1, s2, s3] = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
  const keys = generateKeyPair();
  const of = async (k: typeof s1) => await s.service.clientsOf(k.pk);
  await s.service.register(marshalEntry(clientEntry(keys, s.clock, { delegated: [s1, s2] })));
  assertEquals([await of(s1), await of(s2), await of(s3)], [[keys.pk.hex()], [keys.pk.hex()], []]);
  s.clock.ms += 1000;
  const next = clientEntry(keys, s.clock, { sequence: 1n, delegated: [s2, s3] });
  await s.service.register(marshalEntry(next));
  assertEquals([await of(s1), await of(s2), await of(s3)], [[], [keys.pk.hex()], [keys.pk.hex()]]);
  s.clock.ms += 1000;
  const proof = clientEntry(keys, s.clock, { sequence: 2n });
  assertEquals(await s.service.delete(marshalEntry(proof)), { ok: true });
  assertEquals([await of(s2), await of(s3)], [[], []]);
  assertEquals((await s.service.clientsByServer()).size, 0);

  const other = generateKeyPair();
  await s.service.register(marshalEntry(clientEntry(other, s.clock, { delegated: [s1] })));
  assertEquals(await of(s1), [other.pk.hex()]);
  s.clock.ms += 61 * 60_000; // past the client TTL
  assertEquals(await of(s1), []);
  assertEquals((await s.service.clientsByServer()).size, 0);
});

Deno.test("concurrent listings share one read; a write starts a new one", async () => {
  await using s = await open();
  await s.service.register(marshalEntry(clientEntry(generateKeyPair(), s.clock)));
  const before = s.store.reads;
  const answers = await Promise.all(Array.from({ length: 40 }, () => s.service.clientKeys()));
  assertEquals(s.store.reads - before, 1);
  assert(answers.every((a) => a.length === 1));
  await s.service.register(marshalEntry(clientEntry(generateKeyPair(), s.clock)));
  assertEquals((await s.service.clientKeys()).length, 2);
  assertEquals(s.store.reads - before, 2);
  // Within the second and with no write, the read is shared; after it, read again.
  await s.service.clientKeys();
  assertEquals(s.store.reads - before, 2);
  s.clock.ms += 1_000;
  await s.service.clientKeys();
  assertEquals(s.store.reads - before, 3);
});

Deno.test("Listings: one server's clients wait for a scan slot rather than pile up", async () => {
  await using s = await open();
  const server = generateKeyPair();
  for (let i = 0; i < 5; i++) {
    await s.service.register(
      marshalEntry(clientEntry(generateKeyPair(), s.clock, { delegated: [server] })),
    );
  }
  let inFlight = 0, most = 0;
  const store = s.store;
  const slow = new (class extends DiscoveryStore {
    override async clientsOf(serverHex: string, limit: number) {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 10));
      try {
        return await store.clientsOf(serverHex, limit);
      } finally {
        inFlight--;
      }
    }
  })(() => s.kv.kv, () => s.clock.ms, captureLogger());
  const listings = new Listings({ store: slow, now: () => s.clock.ms });
  const all = await Promise.all(
    Array.from({ length: 20 }, () => listings.clientsOf(server.pk.hex())),
  );
  assert(all.every((a) => a.length === 5));
  assertEquals(most, 4);
});

Deno.test("a store of the earlier layout (delegated servers inline) is upgraded once", async () => {
  await using s = await open();
  const server = generateKeyPair(), keys = generateKeyPair();
  const entry = clientEntry(keys, s.clock, { delegated: [server], clientType: "visor" });
  const pk = keys.pk.hex();
  const expiresAt = s.clock.ms + 60_000;
  await s.kv.kv.atomic()
    .set(["dmsg_discovery", "entry", pk], { body: marshalEntry(entry), expiresAt })
    .set(["dmsg_discovery", "client", pk], {
      expiresAt,
      delegatedServers: [server.pk.hex()],
      visor: true,
    })
    .commit();
  await s.store.upgrade();
  assertEquals(await s.service.clientsOf(server.pk), [pk]);
  assertEquals(await s.service.clientKeys({ visorsOnly: true }), [pk]);
  const index = await s.kv.kv.get(["dmsg_discovery", "client", pk]);
  assertEquals(index.value, new Deno.KvU64(BigInt(expiresAt)));
  assertEquals((await s.kv.kv.get(["dmsg_discovery", "layout"])).value, 2);
  await s.store.upgrade();
});
