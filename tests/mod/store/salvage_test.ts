/**
 * Recovery keeps what still reads: a store with a damaged page in the middle comes back with
 * every record outside that page, byte for byte (values of every encoding, versionstamps,
 * expiries), and new writes stay newer than the copied ones. Real KV files.
 */
import { assert, assertEquals } from "@std/assert";
import { DatabaseSync } from "node:sqlite";
import { listRecoveries, openStore } from "../../../mod/store/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { tempDir } from "../../_util/temp_dir.ts";

const PAGE = 4096;
const ITEMS = 600;

async function makeStore(path: string): Promise<Map<string, { value: unknown; vs: string }>> {
  const store = await openStore({ path, logger: captureLogger() });
  for (let i = 0; i < ITEMS; i += 100) {
    const op = store.kv.atomic();
    for (let j = i; j < Math.min(ITEMS, i + 100); j++) op.set(["item", j], "v".repeat(400) + j);
    await op.commit();
  }
  await store.kv.set(["zz", "u64"], new Deno.KvU64(7n));
  await store.kv.set(["zz", "bytes"], new Uint8Array([1, 2, 3]));
  await store.kv.set(["zz", "expiring"], { n: 1n }, { expireIn: 3_600_000 });
  const original = new Map<string, { value: unknown; vs: string }>();
  for await (const e of store.kv.list({ prefix: [] })) {
    original.set(JSON.stringify(e.key), { value: e.value, vs: e.versionstamp });
  }
  store.close();
  // Everything into the main file, so damage to it is damage to the records.
  const db = new DatabaseSync(path);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  return original;
}

function expiries(path: string): Map<string, number> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const rows = db.prepare("SELECT hex(k) AS k, expiration_ms AS e FROM kv").all() as Array<
      { k: string; e: number }
    >;
    return new Map(rows.map((r) => [r.k, r.e]));
  } finally {
    db.close();
  }
}

function corruptPage(path: string, page: number): void {
  const file = Deno.openSync(path, { read: true, write: true });
  try {
    file.seekSync(page * PAGE, Deno.SeekMode.Start);
    file.writeSync(new Uint8Array(PAGE).map((_, i) => (i * 131 + 7) & 0xff));
  } finally {
    file.close();
  }
}

Deno.test("recovery salvages every record outside a damaged page, byte for byte", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/state.kv`;
  const original = await makeStore(path);
  const before = expiries(path);
  const pages = Deno.statSync(path).size / PAGE;
  corruptPage(path, Math.floor(pages / 2));

  const logger = captureLogger();
  const store = await openStore({ path, logger });
  try {
    const recovery = store.recovery!;
    assert(recovery, "the damage was found");
    const salvaged = new Map<string, { value: unknown; vs: string }>();
    for await (const e of store.kv.list({ prefix: [] })) {
      if (e.key[0] === "store") continue; // the recovery record itself
      salvaged.set(JSON.stringify(e.key), { value: e.value, vs: e.versionstamp });
    }
    assertEquals(recovery.salvaged, salvaged.size);
    // One 4 KiB page holds at most ~10 of these records; everything else is back.
    assert(salvaged.size >= original.size - 12, `${salvaged.size} of ${original.size}`);
    assert(salvaged.size < original.size, "the damaged page's records cannot have read");
    for (const [key, got] of salvaged) assertEquals(got, original.get(key), key);
    for (const key of ['["zz","u64"]', '["zz","bytes"]', '["zz","expiring"]']) {
      assert(salvaged.has(key), `${key} (after the damage in key order) is salvaged`);
    }
    const after = expiries(path);
    for (const [k, e] of after) if (before.has(k)) assertEquals(e, before.get(k), k);
    // New writes are newer than anything copied.
    const write = await store.kv.set(["new"], 1);
    const newest = [...salvaged.values()].map((s) => s.vs).sort().at(-1)!;
    assert(write.ok && write.versionstamp > newest, `${write.versionstamp} > ${newest}`);
    assertEquals((await listRecoveries(store.kv)).map((r) => r.salvaged), [salvaged.size]);
    assert(logger.lines.some((l) => l.includes("salvage stopped at damage")));
  } finally {
    store.close();
  }
});

Deno.test("a recovered store opens again without a second recovery", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/state.kv`;
  await makeStore(path);
  corruptPage(path, Math.floor(Deno.statSync(path).size / PAGE / 2));
  (await openStore({ path, logger: captureLogger() })).close();
  const again = await openStore({ path, logger: captureLogger() });
  try {
    assertEquals(again.recovery, undefined);
    assert((await again.kv.get(["item", 0])).value);
  } finally {
    again.close();
  }
});
