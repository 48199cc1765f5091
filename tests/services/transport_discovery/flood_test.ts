import { assertEquals } from "@std/assert";
import { HttpAuthClient } from "../../../mod/httpauth/mod.ts";
import { Prng } from "../../_util/prng.ts";
import { rawKeys, registerBody, settledEntry, startTestTpd } from "./_harness.ts";

/** Check the KV file: every entry has its index keys, and every index key its entry. */
async function assertConsistent(storePath: string): Promise<string[]> {
  const keys = await rawKeys(storePath);
  const entries = new Map<string, { edges: string[] }>();
  const index: Array<[string, string]> = [];
  for (const { key, value } of keys) {
    if (key[1] === "tp") entries.set(String(key[2]), value as { edges: string[] });
    if (key[1] === "edge") index.push([String(key[2]), String(key[3])]);
  }
  for (const [id, entry] of entries) {
    for (const edge of new Set(entry.edges)) {
      assertEquals(index.some(([e, i]) => e === edge && i === id), true, `index of ${id}`);
    }
  }
  for (const [edge, id] of index) {
    assertEquals(entries.get(id)?.edges.includes(edge), true, `entry of index ${edge}/${id}`);
  }
  return [...entries.keys()].sort();
}

Deno.test("tpd: 2,000 requests from one key are rate-limited and leave the store sound", async () => {
  await using tpd = await startTestTpd({ keyRateLimit: { ratePerSecond: 1, burst: 30 } });
  const a = tpd.visor();
  const peers = Array.from({ length: 5 }, () => tpd.visor());
  const entries = peers.map((p) => settledEntry(a, p));
  const prng = new Prng(0x5eed_7d01);
  // Four clients of the same key race each other (and so each other's nonces).
  const clients = Array.from({ length: 4 }, () => new HttpAuthClient({ baseUrl: tpd.url, ...a }));
  const statuses = new Map<number, number>();
  let sent = 0;
  await Promise.all(clients.map(async (client) => {
    while (sent < 2_000) {
      sent++;
      const entry = prng.pick(entries);
      const res = prng.int(3) === 0
        ? await client.request("DELETE", `/transports/id:${entry.entry.id}`)
        : await client.request("POST", "/transports/", registerBody([entry]));
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      // Let the clock run 100 ms per request: the limit lets a trickle through.
      tpd.clock.ms += 100;
    }
  }));
  const limited = statuses.get(429) ?? 0;
  const served = (statuses.get(201) ?? 0) + (statuses.get(200) ?? 0) + (statuses.get(404) ?? 0);
  assertEquals(limited + served + (statuses.get(401) ?? 0), 2_000, JSON.stringify([...statuses]));
  // 30 at once, then one per 10 requests (1/s at 100 ms per request).
  assertEquals(served >= 200 && served <= 260, true, JSON.stringify([...statuses]));
  assertEquals(limited > 1_500, true, JSON.stringify([...statuses]));
  console.log(`2,000 requests from one key: ${JSON.stringify(Object.fromEntries(statuses))}`);
  tpd.clock.ms += 60_000;
  const listed = (await a.tpd.getByEdge(a.pk)).map((e) => e.id).sort();
  await tpd.stop();
  assertEquals(await assertConsistent(tpd.storePath), listed);
});

Deno.test("tpd: concurrent registrations and deletions from several keys keep the store sound", async () => {
  await using tpd = await startTestTpd();
  const visors = Array.from({ length: 4 }, () => tpd.visor());
  const pairs = visors.flatMap((v, i) => visors.slice(i + 1).map((w) => settledEntry(v, w)));
  const prng = new Prng(0x5eed_7d02);
  await Promise.all(visors.map(async (visor) => {
    const mine = pairs.filter((p) => p.entry.edges.some((e) => e.equals(visor.pk)));
    for (let i = 0; i < 60; i++) {
      const entry = prng.pick(mine);
      if (prng.int(2) === 0) await visor.tpd.register(entry);
      else await visor.tpd.deregister(entry.entry.id);
    }
  }));
  const listed = new Set<string>();
  for (const v of visors) for (const e of await v.tpd.getByEdge(v.pk)) listed.add(e.id);
  await tpd.stop();
  assertEquals(await assertConsistent(tpd.storePath), [...listed].sort());
});
