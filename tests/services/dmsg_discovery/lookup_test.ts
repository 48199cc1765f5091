/**
 * `GET /entry/{pk}` through the entry cache, over real HTTP and a real KV file: what a lookup
 * answers after an update, a deletion, an expiry and a restart must be what the store holds,
 * whatever the cache's size; and key text of every shape gets Go's answer.
 */
import { assertEquals } from "@std/assert";
import { marshalEntry } from "../../../mod/dmsg/mod.ts";
import { Prng } from "../../_util/prng.ts";
import {
  call,
  clientEntry,
  generateKeyPair,
  post,
  serverEntry,
  startTestDiscovery,
} from "./_harness.ts";

const dec = new TextDecoder();
const NOT_FOUND = '{"message":"entry of public key is not found","code":404}';

// Default sizes; room for about one entry and two clients (evictions all the time); none.
for (
  const [entryCacheBytes, clientIndexKeys] of [[undefined, undefined], [1_000, 2], [0, 0]]
) {
  Deno.test(`lookups and listings follow updates, deletions, expiry and restarts (cache ${entryCacheBytes ?? "default"})`, async () => {
    await using d = await startTestDiscovery({ entryCacheBytes, clientIndexKeys });
    const listed = async (path = "entries") =>
      (JSON.parse((await call(`${d.url}/dmsg-discovery/${path}`)).text) as string[] | null)
        ?.sort();
    const hexes = (...i: number[]) => i.map((n) => keys[n].pk.hex()).sort();
    const keys = Array.from({ length: 4 }, generateKeyPair);
    const get = async (i: number) =>
      (await call(`${d.url}/dmsg-discovery/entry/${keys[i].pk.hex()}`)).text;
    const v0 = keys.map((k) => clientEntry(k, d.clock));
    for (const e of v0) assertEquals((await post(d.url, e)).status, 200);
    for (let i = 0; i < 4; i++) assertEquals(await get(i), dec.decode(marshalEntry(v0[i])));
    assertEquals(await listed(), hexes(0, 1, 2, 3));
    assertEquals(await listed("visorEntries"), []);
    // Update: the new entry at once, never the old one.
    d.clock.ms += 1_000;
    const v1 = clientEntry(keys[0], d.clock, { sequence: 1n, clientType: "visor" });
    assertEquals((await post(d.url, v1)).status, 200);
    assertEquals(await get(0), dec.decode(marshalEntry(v1)));
    // Listings are shared for a second unless something was written: this was.
    assertEquals(await listed("visorEntries"), hexes(0));
    // Deletion: 404 at once.
    d.clock.ms += 1_000;
    const del = await call(`${d.url}/dmsg-discovery/entry`, {
      method: "DELETE",
      body: marshalEntry(clientEntry(keys[1], d.clock, { sequence: 1n })) as BodyInit,
    });
    assertEquals(del.status, 200);
    assertEquals(await get(1), NOT_FOUND);
    assertEquals(await listed(), hexes(0, 2, 3));
    // A refused update changes nothing.
    assertEquals((await post(d.url, clientEntry(keys[2], d.clock, { sequence: 5n }))).status, 422);
    assertEquals(await get(2), dec.decode(marshalEntry(v0[2])));
    // Restart: the cache is filled again from the file.
    await d.restart();
    assertEquals(await get(0), dec.decode(marshalEntry(v1)));
    assertEquals(await get(1), NOT_FOUND);
    assertEquals(await get(3), dec.decode(marshalEntry(v0[3])));
    assertEquals(await listed(), hexes(0, 2, 3));
    assertEquals(await listed("visorEntries"), hexes(0));
    // Expiry by the discovery's clock (server entries: 2 minutes).
    const server = generateKeyPair();
    assertEquals((await post(d.url, serverEntry(server, d.clock))).status, 200);
    const serverUrl = `${d.url}/dmsg-discovery/entry/${server.pk.hex()}`;
    assertEquals((await call(serverUrl)).status, 200);
    d.clock.ms += 121_000;
    assertEquals((await call(serverUrl)).text, NOT_FOUND);
    // Client entries live 60 minutes: gone after, also the one read back after the restart.
    d.clock.ms += 60 * 60_000;
    for (const i of [0, 2, 3]) assertEquals(await get(i), NOT_FOUND);
    assertEquals(await listed(), []);
  });
}

Deno.test("key text of every shape gets Go's answer (400 not a key, 404 no entry)", async () => {
  await using d = await startTestDiscovery();
  const keys = generateKeyPair();
  const entry = clientEntry(keys, d.clock);
  await post(d.url, entry);
  const status = async (text: string) =>
    (await call(`${d.url}/dmsg-discovery/entry/${text}`)).status;
  const hex = keys.pk.hex();
  assertEquals(await status(hex), 200);
  // Go's hex decoding takes capitals.
  assertEquals(await status(hex.toUpperCase()), 200);
  assertEquals(await status("0".repeat(66)), 404);
  assertEquals(await status("0"), 404);
  assertEquals(await status(generateKeyPair().pk.hex()), 404);
  // The shape of a key, not on the curve (x = 5 has no point): not a key.
  assertEquals(await status("02" + "0".repeat(63) + "5"), 400);
  assertEquals(await status("04" + hex.slice(2)), 400);
  assertEquals(await status(hex.slice(0, 64)), 400);
  assertEquals(await status(hex + "00"), 400);
  assertEquals(await status("zz" + hex.slice(2)), 400);
  // Batch takes the same path: stored keys as asked, everything else left out.
  const batch = await call(`${d.url}/dmsg-discovery/entries/batch`, {
    method: "POST",
    body: JSON.stringify([hex.toUpperCase(), "02" + "0".repeat(63) + "5", "nonsense", hex]),
  });
  assertEquals(Object.keys(JSON.parse(batch.text)), [hex.toUpperCase(), hex]);
});

Deno.test("fuzz: random and mutated key text is 200, 400 or 404, never a failure", async () => {
  await using d = await startTestDiscovery();
  const keys = generateKeyPair();
  await post(d.url, clientEntry(keys, d.clock));
  const hex = keys.pk.hex();
  const rng = new Prng(0xd15c);
  const alphabet = "0123456789abcdefABCDEFxyz-._~%";
  for (let i = 0; i < 300; i++) {
    let text: string;
    if (i % 2 === 0) {
      const chars = hex.split("");
      for (let m = 1 + rng.int(3); m > 0; m--) {
        chars[rng.int(chars.length)] = rng.pick([...alphabet]);
      }
      text = chars.join("");
      if (rng.int(4) === 0) text = text.slice(0, rng.int(text.length + 1));
    } else {
      text = Array.from({ length: 1 + rng.int(80) }, () => rng.pick([...alphabet])).join("");
    }
    // An empty segment is the POST path, and dot segments are another path: not key text.
    if (text === "" || /^\.+$/.test(text)) continue;
    const res = await call(`${d.url}/dmsg-discovery/entry/${text}`);
    const expected = text.toLowerCase() === hex ? [200] : [400, 404];
    assertEquals(expected.includes(res.status), true, `${text}: ${res.status} ${res.text}`);
  }
});

Deno.test("a registration on the cache's guess still meets a recent deletion's tombstone", async () => {
  await using d = await startTestDiscovery();
  const keys = generateKeyPair();
  const url = `${d.url}/dmsg-discovery/entry/${keys.pk.hex()}`;
  assertEquals((await post(d.url, clientEntry(keys, d.clock))).status, 200);
  d.clock.ms += 1_000;
  const deleting = clientEntry(keys, d.clock, { sequence: 1n });
  const del = await call(`${d.url}/dmsg-discovery/entry`, {
    method: "DELETE",
    body: marshalEntry(deleting) as BodyInit,
  });
  assertEquals(del.status, 200);
  // The cache has nothing for the key; the store has its tombstone. An entry signed at the
  // deletion's time is refused (the write on the cache's guess fails, the store is read)...
  const replay = await post(d.url, clientEntry(keys, d.clock, { sequence: 0n }));
  assertEquals(replay.status, 422);
  assertEquals((await call(url)).text, NOT_FOUND);
  // ...and a newer one is taken, then updated on the cache's guess again.
  d.clock.ms += 1_000;
  const fresh = clientEntry(keys, d.clock, { sequence: 0n });
  assertEquals((await post(d.url, fresh)).status, 200);
  assertEquals((await call(url)).text, dec.decode(marshalEntry(fresh)));
  d.clock.ms += 1_000;
  const next = clientEntry(keys, d.clock, { sequence: 1n });
  assertEquals((await post(d.url, next)).status, 200);
  assertEquals((await call(url)).text, dec.decode(marshalEntry(next)));
  // A stale sequence is still refused.
  assertEquals((await post(d.url, clientEntry(keys, d.clock, { sequence: 1n }))).status, 422);
});
