/**
 * The discovery probes its store while serving: a page damaged in the middle of the live KV
 * file is found, the store is recovered in place with every entry that still reads, and the
 * service goes on answering. Real sockets, real KV file.
 */
import { assert, assertEquals } from "@std/assert";
import { DatabaseSync } from "node:sqlite";
import { clientEntry, generateKeyPair, post, startTestDiscovery } from "./_harness.ts";

const PAGE = 4096;

Deno.test("a store damaged while serving is recovered in place, keeping what still reads", async () => {
  await using d = await startTestDiscovery({ storeCheckIntervalMs: 0 });
  const servers = Array.from({ length: 20 }, () => generateKeyPair());
  const keys = Array.from({ length: 300 }, () => generateKeyPair());
  for (const k of keys) {
    assertEquals((await post(d.url, clientEntry(k, d.clock, { delegated: servers }))).status, 200);
  }
  assertEquals((await d.service.checkStore()).status, "ok");

  // Put the entries into the main file (a second SQLite connection may checkpoint), then
  // damage one page in its middle, as a failing disk would.
  const db = new DatabaseSync(d.storePath);
  db.exec("PRAGMA wal_checkpoint(FULL)");
  db.close();
  const pages = Math.floor(Deno.statSync(d.storePath).size / PAGE);
  const file = Deno.openSync(d.storePath, { read: true, write: true });
  file.seekSync(Math.floor(pages / 2) * PAGE, Deno.SeekMode.Start);
  file.writeSync(new Uint8Array(PAGE).map((_, i) => (i * 131 + 7) & 0xff));
  file.close();

  assertEquals((await d.service.checkStore()).status, "corrupt");
  assert(d.logs.some((l) => l.includes("failed its health probe")), d.logs.join("\n"));
  let found = 0;
  for (const k of keys) {
    const res = await fetch(`${d.url}/dmsg-discovery/entry/${k.pk.hex()}`);
    await res.body?.cancel();
    if (res.status === 200) found++;
  }
  // A page holds two or three of these entries, or a few dozen of their index records.
  assert(found >= keys.length - 10, `${found} of ${keys.length} entries kept`);
  assertEquals((await d.service.checkStore()).status, "ok");
  const fresh = generateKeyPair();
  assertEquals((await post(d.url, clientEntry(fresh, d.clock))).status, 200);
});
