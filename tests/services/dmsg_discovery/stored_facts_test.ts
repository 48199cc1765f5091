/**
 * The facts a write needs of a stored entry, read from its canonical JSON without decoding:
 * for every entry this service could store they are the decoded entry's, and bytes of any
 * other shape are refused (left to the decoder) without an exception.
 */
import { assert, assertEquals } from "@std/assert";
import {
  decodeEntry,
  type Entry,
  marshalEntry,
  newClientEntry,
  newServerEntry,
} from "../../../mod/dmsg/disc/mod.ts";
import { factsOf, storedFacts } from "../../../services/dmsg_discovery/_stored_facts.ts";
import { Prng } from "../../_util/prng.ts";
import { generateKeyPair } from "./_harness.ts";

const KEYS = Array.from({ length: 6 }, () => generateKeyPair().pk);
// Strings with escapes, controls, non-ASCII and look-alikes of the fields around them.
const STRINGS = [
  "",
  "visor",
  "Visor",
  "visor ",
  'vi"sor',
  "a\\b",
  "\n\t\r\x01\x1f",
  'x","server":{"address":"y',
  "é ü 世界 \u{1f600}",
  "\udcff\udc80",
  "0.0.1",
];

function randomEntry(rng: Prng): Entry {
  const pick = <T>(items: T[]) => items[rng.int(items.length)];
  const sequence = pick([0n, 1n, 7n, 123456789n, (1n << 64n) - 1n]);
  const timestamp = pick([0n, 1764660000000000000n, -5n, (1n << 63n) - 1n, -(1n << 63n)]);
  let entry: Entry;
  if (rng.int(3) === 0) {
    entry = newServerEntry({
      pk: pick(KEYS),
      sequence,
      timestamp,
      address: pick(STRINGS),
      availableSessions: rng.int(1000),
      serverType: pick(STRINGS),
    });
    // A server entry may carry a client part and a client type too.
    if (rng.int(3) === 0) entry.client = { delegatedServers: [pick(KEYS)] };
    if (rng.int(2) === 0) entry.clientType = pick(STRINGS);
  } else {
    const delegated = rng.int(4) === 0
      ? null
      : Array.from({ length: rng.int(5) }, () => pick(KEYS));
    entry = newClientEntry({
      pk: pick(KEYS),
      sequence,
      timestamp,
      delegatedServers: delegated,
      clientType: pick(STRINGS),
      protocol: pick(STRINGS),
    });
  }
  entry.version = pick(STRINGS);
  entry.signature = pick(["", "ab".repeat(65), ...STRINGS]);
  return entry;
}

Deno.test("storedFacts: every canonical entry gives the decoded entry's facts", () => {
  const rng = new Prng(0xfac7);
  let visors = 0, servers = 0, delegating = 0;
  for (let i = 0; i < 3_000; i++) {
    const body = marshalEntry(randomEntry(rng));
    const facts = storedFacts(body);
    assertEquals(facts, factsOf(decodeEntry(body)), new TextDecoder().decode(body));
    if (facts!.visor) visors++;
    if (facts!.server) servers++;
    if (facts!.delegated.length > 0) delegating++;
  }
  // The random entries cover every fact.
  assert(visors > 100 && servers > 500 && delegating > 500, `${visors} ${servers} ${delegating}`);
});

Deno.test("storedFacts: mutated and random bytes are refused or read as the decoder reads them", () => {
  const rng = new Prng(0xfac8);
  let read = 0;
  for (let i = 0; i < 20_000; i++) {
    const base = marshalEntry(randomEntry(rng));
    let body: Uint8Array;
    if (i % 10 === 0) body = rng.bytes(rng.int(200));
    else {
      const bytes = Array.from(base);
      for (let m = 1 + rng.int(3); m > 0; m--) {
        const at = rng.int(bytes.length + 1);
        const op = rng.int(3);
        if (op === 0) bytes[at % bytes.length] = rng.int(256);
        else if (op === 1) bytes.splice(at, 1 + rng.int(8));
        else bytes.splice(at, 0, ...rng.bytes(1 + rng.int(4)));
      }
      body = new Uint8Array(bytes);
    }
    const facts = storedFacts(body);
    if (facts === undefined) continue;
    read++;
    let decoded: Entry;
    try {
      decoded = decodeEntry(body);
    } catch {
      continue;
    }
    // Bytes that are themselves canonical must give the decoder's facts.
    const again = marshalEntry(decoded);
    if (again.length === body.length && again.every((b, j) => b === body[j])) {
      assertEquals(facts, factsOf(decoded));
    }
  }
  assert(read > 0, "some mutations keep the canonical shape");
});
