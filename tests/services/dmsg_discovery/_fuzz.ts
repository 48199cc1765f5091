import { PubKey, SecKey } from "../../../mod/cipher/mod.ts";
import { marshalEntry, newClientEntry, newServerEntry, signEntry } from "../../../mod/dmsg/mod.ts";
import { mulberry32 as prng } from "../../_util/prng.ts";
export { prng };

// Fuzz inputs shared by the entry decoder test (mod/dmsg) and the admission test (service).

/** mulberry32: a small seeded PRNG, so every run sees the same inputs. */

const enc = new TextEncoder();
const vectors = JSON.parse(
  await Deno.readTextFile(new URL("../../testdata/go-dmsg-2023-vectors.json", import.meta.url)),
);
/** The key the seeds are signed with. */
export const fuzzSk = SecKey.fromHex(vectors.keys.initiator_sk);
const pk = PubKey.fromHex(vectors.keys.initiator_pk);
const other = PubKey.fromHex(vectors.keys.responder_pk);

/** Valid and near-valid entries to mutate. */
export function fuzzSeeds(): Uint8Array[] {
  const client = newClientEntry({
    pk,
    timestamp: 1n,
    delegatedServers: [other, other],
    clientType: "visor",
  });
  const server = newServerEntry({ pk, timestamp: 2n, address: "1.2.3.4:5", availableSessions: 9 });
  return [
    ...Object.values(vectors.discovery_entries).map((s) => enc.encode(s as string)),
    marshalEntry(signEntry(client, fuzzSk)),
    marshalEntry(signEntry(server, fuzzSk)),
    enc.encode(`{"Version":"\\u00e9\\ud800","x":[{"y":null},1.5e3,true],"server":{"ADDRESS":""}}`),
  ];
}

const TOKENS = [
  `"`,
  `\\`,
  `\\u`,
  `\\ud800`,
  "null",
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  "0",
  "-",
  ".",
  "e9",
  " ",
  "\u0001",
  "99999999999999999999",
  `"static"`,
  `"client"`,
  `"server"`,
  `"delegated_servers"`,
  `"${other.hex()}"`,
  `"000"`,
].map((t) => enc.encode(t));

/** One fuzz input: random bytes or a seed with 1–4 random mutations. */
export function fuzzInput(rnd: () => number, seeds: Uint8Array[]): Uint8Array {
  const int = (n: number) => Math.floor(rnd() * n);
  if (rnd() < 0.2) {
    const out = new Uint8Array(int(300));
    for (let i = 0; i < out.length; i++) {
      out[i] = rnd() < 0.5 ? int(256) : '{}[]",:0n'[int(9)].charCodeAt(0);
    }
    return out;
  }
  let b = seeds[int(seeds.length)];
  for (let m = 1 + int(4); m > 0; m--) {
    const pos = int(b.length + 1);
    const kind = rnd();
    if (kind < 0.3 && b.length > 0) {
      b = b.slice();
      b[Math.min(pos, b.length - 1)] = int(256);
    } else if (kind < 0.5) {
      b = Uint8Array.from([...b.subarray(0, pos), ...b.subarray(pos + 1 + int(8))]);
    } else if (kind < 0.6) {
      b = b.subarray(0, pos);
    } else {
      const t = TOKENS[int(TOKENS.length)];
      b = Uint8Array.from([...b.subarray(0, pos), ...t, ...b.subarray(pos)]);
    }
  }
  return b;
}
