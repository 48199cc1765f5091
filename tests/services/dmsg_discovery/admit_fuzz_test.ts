import { assert, assertEquals } from "@std/assert";
import {
  decodeEntry,
  decodeEntryList,
  marshalEntry,
  verifyEntrySignature,
} from "../../../mod/dmsg/mod.ts";
import { admitEntry } from "../../../services/dmsg_discovery/mod.ts";
import { fuzzInput, fuzzSeeds, fuzzSk, prng } from "./_fuzz.ts";
import { call, clientEntry, generateKeyPair, serverEntry, startTestDiscovery } from "./_harness.ts";

const STATUSES = new Set([401, 422, 500]);

Deno.test("admitEntry: 50,000 random and mutated bodies get Go's answers, never a throw", () => {
  const rnd = prng(0xd15c);
  const seeds = fuzzSeeds();
  let admitted = 0;
  const seen = new Map<number, number>();
  for (let i = 0; i < 50_000; i++) {
    const input = fuzzInput(rnd, seeds);
    const result = admitEntry(input, {
      purpose: i % 2 ? "register" : "delete",
      testMode: i % 3 === 0,
      nowNs: 2n,
    });
    if (!result.ok) {
      assert(STATUSES.has(result.status), `status ${result.status}`);
      seen.set(result.status, (seen.get(result.status) ?? 0) + 1);
      continue;
    }
    admitted++;
    // Whatever passes carries a signature that verifies over its Go-canonical form (servers
    // have their claimed type rewritten afterwards, as Go does, so check clients only).
    if (!result.entry.server) verifyEntrySignature(result.entry);
    // The JSON it hands on to be stored is the entry's canonical form; a rewritten server
    // entry hands on none.
    if (result.canonical) assertEquals(result.canonical, marshalEntry(result.entry));
    else assert(result.entry.server && i % 2, "only rewritten server entries lack it");
  }
  assertEquals([...seen.keys()].sort(), [401, 422, 500]);
  assert(admitted > 0, "no mutated entry survived (mutations too destructive to be useful)");
});

Deno.test("1,500 mutated bodies over HTTP store nothing but correctly signed entries", async () => {
  await using d = await startTestDiscovery();
  const keys = generateKeyPair(), server = generateKeyPair();
  const bodies = [
    ...fuzzSeeds(),
    marshalEntry(clientEntry(keys, d.clock, { delegated: [server] })),
    marshalEntry(serverEntry(server, d.clock)),
  ];
  const signers = new Set([keys.pk.hex(), server.pk.hex(), fuzzSk.pubKey().hex()]);
  const rnd = prng(0xbeef);
  const statuses = new Map<number, number>();
  for (let i = 0; i < 1_500; i++) {
    const res = await call(`${d.url}/dmsg-discovery/entry/`, {
      method: "POST",
      body: fuzzInput(rnd, bodies) as BodyInit,
    });
    assert([200, 401, 422, 500].includes(res.status), `status ${res.status}`);
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  }
  assert((statuses.get(500) ?? 0) > 0 && (statuses.get(422) ?? 0) > 0, [...statuses].join());
  const enc = new TextEncoder();
  const clients = JSON.parse((await call(`${d.url}/dmsg-discovery/entries`)).text) as string[];
  for (const pk of clients) {
    assert(signers.has(pk), `stored an entry for a key nobody signed with: ${pk}`);
    const stored = decodeEntry(
      enc.encode((await call(`${d.url}/dmsg-discovery/entry/${pk}`)).text),
    );
    if (!stored.server) verifyEntrySignature(stored);
  }
  const servers = await call(`${d.url}/dmsg-discovery/all_servers`);
  if (servers.status === 200) {
    for (const entry of decodeEntryList(enc.encode(servers.text))) {
      assert(
        signers.has(entry.static.hex()),
        `stored a server nobody signed: ${entry.static.hex()}`,
      );
    }
  }
});
