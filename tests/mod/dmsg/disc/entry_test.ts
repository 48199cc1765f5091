import { assert, assertEquals, assertThrows } from "@std/assert";
import { PubKey, SecKey, signPayload } from "../../../../mod/cipher/mod.ts";
import {
  decodeEntry,
  decodeEntryList,
  decodeEntryMap,
  decodeStringList,
  EntryDecodeError,
  EntrySignatureError,
  EntryValidationError,
  goStringFromBytes,
  goStringToBytes,
  marshalEntry,
  marshalEntryAndSignable,
  newClientEntry,
  newServerEntry,
  signableBytes,
  signEntry,
  validateEntry,
  validateFirstRegistration,
  validateIteration,
  verifyEntrySignature,
} from "../../../../mod/dmsg/mod.ts";
import { Prng } from "../../../_util/prng.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const vectors2023 = JSON.parse(
  await Deno.readTextFile(new URL("../../../testdata/go-dmsg-2023-vectors.json", import.meta.url)),
);
const vectors2024 = JSON.parse(
  await Deno.readTextFile(
    new URL("../../../testdata/go-skywire-2024-vectors.json", import.meta.url),
  ),
);
const clientSk = SecKey.fromHex(vectors2023.keys.initiator_sk);
const clientPk = PubKey.fromHex(vectors2023.keys.initiator_pk);
const serverSk = SecKey.fromHex(vectors2023.keys.responder_sk);
const serverPk = PubKey.fromHex(vectors2023.keys.responder_pk);
const TS = 1795235666558283721n;

function text(entry: Parameters<typeof marshalEntry>[0]): string {
  return dec.decode(marshalEntry(entry));
}

Deno.test("marshalEntry reproduces Go's 2023 signable and signed bytes", () => {
  const v = vectors2023.discovery_entries;
  const client = newClientEntry({ pk: clientPk, timestamp: TS, delegatedServers: [serverPk] });
  assertEquals(text(client), v.client_signable);
  const bare = newClientEntry({ pk: clientPk, timestamp: TS });
  assertEquals(text(bare), v.client_no_servers_signable);
  const server = newServerEntry({
    pk: serverPk,
    sequence: 3n,
    timestamp: TS,
    address: "127.0.0.1:8081",
    availableSessions: 2048,
  });
  assertEquals(text(server), v.server_signable);
  for (const name of ["client_signed", "server_signed"]) {
    const decoded = decodeEntry(enc.encode(v[name]));
    assertEquals(text(decoded), v[name], name);
    verifyEntrySignature(decoded); // Go's random-nonce signature verifies
  }
});

Deno.test("signEntry gives Go's 2024 deterministic signatures byte for byte", () => {
  const v = vectors2024.discovery_entries;
  const cases = {
    client: newClientEntry({ pk: clientPk, timestamp: TS, delegatedServers: [serverPk] }),
    client_empty_servers: newClientEntry({ pk: clientPk, timestamp: TS, delegatedServers: [] }),
    client_no_servers: newClientEntry({ pk: clientPk, timestamp: TS }),
    client_with_type: newClientEntry({
      pk: clientPk,
      timestamp: TS,
      delegatedServers: [serverPk],
      clientType: "visor",
    }),
  };
  for (const [name, entry] of Object.entries(cases)) {
    assertEquals(dec.decode(signableBytes(entry)), v[name].signable, name);
    assertEquals(text(signEntry(entry, clientSk)), v[name].signed, name);
  }
  for (const name of ["server", "server_with_type"]) {
    const signed = decodeEntry(enc.encode(v[name].signed));
    assertEquals(text({ ...signed, signature: "" }), v[name].signable, name);
    assertEquals(text(signEntry(signed, serverSk)), v[name].signed, name);
    verifyEntrySignature(signed);
  }
});

Deno.test("omitempty fields appear only when set, in Go's declaration order", () => {
  const entry = {
    ...newServerEntry({
      pk: serverPk,
      timestamp: 5n,
      address: "1.2.3.4:80",
      availableSessions: 0,
      serverType: "community",
    }),
    client: { delegatedServers: [] },
    clientType: "visor",
    protocol: "smux",
    signature: "ab",
  };
  entry.server!.addressV6 = "[::1]:80";
  entry.server!.addressWs = "ws://x";
  assertEquals(
    text(entry),
    `{"version":"0.0.1","sequence":0,"timestamp":5,"static":"${serverPk.hex()}",` +
      `"client":{"delegated_servers":[]},"client_type":"visor",` +
      `"server":{"address":"1.2.3.4:80","address_v6":"[::1]:80","address_ws":"ws://x",` +
      `"availableSessions":0,"serverType":"community"},"signature":"ab","protocol":"smux"}`,
  );
});

Deno.test("64-bit integers keep every digit", () => {
  const entry = newClientEntry({ pk: clientPk, timestamp: -9223372036854775808n });
  entry.sequence = 18446744073709551615n;
  const back = decodeEntry(marshalEntry(entry));
  assertEquals(back.sequence, 18446744073709551615n);
  assertEquals(back.timestamp, -9223372036854775808n);
  assertThrows(
    () => decodeEntry(enc.encode(`{"sequence":18446744073709551616}`)),
    EntryDecodeError,
  );
  assertThrows(
    () => decodeEntry(enc.encode(`{"timestamp":9223372036854775808}`)),
    EntryDecodeError,
  );
  // Go's overflow check misses this one and wraps; so do we, so both sign the same value.
  assertEquals(
    decodeEntry(enc.encode(`{"sequence":110500000000000000000}`)).sequence,
    18266279631452241920n,
  );
  for (const bad of ["1.0", "1e3", "-1", "0123", "+1", '"1"']) {
    assertThrows(() => decodeEntry(enc.encode(`{"sequence":${bad}}`)), EntryDecodeError, "", bad);
  }
});

Deno.test("strings: no HTML escaping, Go's control escapes, invalid UTF-8 kept byte for byte", () => {
  const entry = newClientEntry({ pk: clientPk, timestamp: 1n });
  entry.version = `<a href="x">&\u2028\n\t\r\u0001\u007f`;
  assert(
    text(entry).startsWith(`{"version":"<a href=\\"x\\">&\u2028\\n\\t\\r\\u0001\u007f","sequence"`),
  );
  // A raw byte that is not UTF-8 survives decode and re-marshal unchanged.
  const raw = Uint8Array.from([...enc.encode(`{"version":"a`), 0xff, 0xc3, ...enc.encode(`"}`)]);
  const decoded = decodeEntry(raw);
  assertEquals(decoded.version, "a\udcff\udcc3");
  assert(marshalEntry(decoded).subarray(0, 16).every((b, i) => b === raw[i]));
  assertEquals(
    goStringToBytes(goStringFromBytes(Uint8Array.of(0xed, 0xa0, 0x80, 0x41))),
    Uint8Array.of(0xed, 0xa0, 0x80, 0x41),
  );
  // Escaped lone surrogates become U+FFFD, as jsoniter decodes them.
  assertEquals(decodeEntry(enc.encode(`{"version":"\\ud800x\\udc00"}`)).version, "\ufffdx\ufffd");
  assertEquals(decodeEntry(enc.encode(`{"version":"\\ud83d\\ude00"}`)).version, "\u{1f600}");
});

Deno.test("Go strings of every length and byte mix round-trip, short ASCII and the rest", () => {
  const rng = new Prng(0x9057);
  for (let i = 0; i < 2_000; i++) {
    const length = rng.int(300);
    const bytes = rng.bytes(length);
    // Half ASCII only (the short path up to 256 bytes), half any byte (the decoder).
    if (i % 2 === 0) { for (let j = 0; j < length; j++) bytes[j] &= 0x7f; }
    const from = rng.int(length + 1);
    const to = from + rng.int(length - from + 1);
    const text = goStringFromBytes(bytes, from, to);
    assertEquals(goStringToBytes(text), bytes.slice(from, to));
    if (i % 2 === 0) assertEquals(text, new TextDecoder().decode(bytes.subarray(from, to)));
  }
});

Deno.test("marshalEntryAndSignable gives marshalEntry and signableBytes from one pass", () => {
  const rng = new Prng(0x5167);
  const texts = ["", "ab".repeat(65), 'q"\\\n', "\udcff é", "\x01"];
  for (let i = 0; i < 500; i++) {
    const pick = <T>(items: T[]) => items[rng.int(items.length)];
    const entry = i % 3 === 0
      ? newServerEntry({
        pk: serverPk,
        timestamp: TS,
        address: pick(texts),
        availableSessions: rng.int(9),
        serverType: pick(texts),
      })
      : newClientEntry({
        pk: clientPk,
        timestamp: TS,
        delegatedServers: rng.int(2) ? [serverPk] : null,
        clientType: pick(texts),
        protocol: pick(texts),
      });
    entry.signature = pick(texts);
    entry.protocol = pick(texts);
    const { canonical, signable } = marshalEntryAndSignable(entry);
    assertEquals(canonical, marshalEntry(entry));
    assertEquals(signable, signableBytes(entry));
  }
});

Deno.test("decoding follows jsoniter: case-insensitive names, unknown fields dropped, nulls", () => {
  const pk = serverPk.hex();
  const e = decodeEntry(enc.encode(
    `{"VERSION":"1","Static":"${pk}","future":{"a":[1,2.5e-3,true,null]},` +
      `"server":{"ADDRESS":"h:1","AVAİLABLESESSİONS":7,"serverType":null,"x":1},"sequence":null}`,
  ));
  assertEquals(e.version, "1");
  assertEquals(e.static.hex(), pk);
  assertEquals(e.server?.address, "h:1");
  assertEquals(e.server?.availableSessions, 7n);
  assertEquals(e.server?.serverType, "");
  assertEquals(e.sequence, 0n);
  // An all-zero key leaves the field as it was (Go's UnmarshalText returns early).
  assertEquals(decodeEntry(enc.encode(`{"static":"${pk}","static":"000"}`)).static.hex(), pk);
  // A repeated list reuses the backing array: a zero key keeps the earlier key at its index.
  const repeated = decodeEntry(enc.encode(
    `{"client":{"delegated_servers":["${pk}","${pk}"]},"client":{"delegated_servers":["0",null]}}`,
  ));
  assertEquals(repeated.client?.delegatedServers?.map((k) => k.hex()), [pk, pk]);
  assertEquals(decodeEntry(enc.encode(`null`)).version, "");
  assertEquals(decodeEntry(enc.encode(`{"version":"x"} trailing junk`)).version, "x");
  for (const bad of ["", " ", "[]", `{"version":1}`, `{"static":"zz"}`, `{"version":"\u0001"}`]) {
    assertThrows(() => decodeEntry(enc.encode(bad)), EntryDecodeError, "", JSON.stringify(bad));
  }
});

Deno.test("a signature over a field we do not know fails, as it would in Go", () => {
  const entry = signEntry(newClientEntry({ pk: clientPk, timestamp: 9n }), clientSk);
  verifyEntrySignature(entry);
  // A newer peer signs its JSON including a field our struct (and Go's 2024 one) lacks.
  const withExtra = `{"version":"0.0.1","sequence":0,"timestamp":9,"static":"${clientPk.hex()}",` +
    `"client":{"delegated_servers":null},"dht_bootstrap":["x"]}`;
  const sig = signEntry(decodeEntry(enc.encode(withExtra)), clientSk).signature;
  const dropped = decodeEntry(enc.encode(withExtra.slice(0, -1) + `,"signature":"${sig}"}`));
  assertEquals(text(dropped).includes("dht_bootstrap"), false);
  verifyEntrySignature(dropped); // signed over the form without the field: fine
  // The newer peer signed its own bytes, field included: that cannot verify without the field.
  const rawSig = signPayload(enc.encode(withExtra), clientSk).hex();
  const peer = decodeEntry(enc.encode(withExtra.slice(0, -1) + `,"signature":"${rawSig}"}`));
  assertThrows(() => verifyEntrySignature(peer), EntrySignatureError);
  assertThrows(() => verifyEntrySignature({ ...entry, signature: "zz" }), EntrySignatureError);
  assertThrows(() => verifyEntrySignature({ ...entry, sequence: 1n }), EntrySignatureError);
});

Deno.test("validateEntry applies Go's rules in Go's order with Go's messages", () => {
  const now = 1_000_000_000_000n;
  const signed = signEntry(
    newServerEntry({
      pk: serverPk,
      timestamp: now,
      address: "1.2.3.4:1",
      availableSessions: 1,
    }),
    serverSk,
  );
  const rule = (entry: typeof signed, ts = true) => {
    try {
      validateEntry(entry, { validateTimestamp: ts, nowNs: now });
      return "ok";
    } catch (error) {
      assert(error instanceof EntryValidationError);
      return error.message;
    }
  };
  assertEquals(rule(signed), "ok");
  assertEquals(rule({ ...signed, version: "" }), "entry validation error: entry has no version");
  assertEquals(
    rule({ ...signed, signature: "" }),
    "entry validation error: entry has no signature",
  );
  assertEquals(
    rule({ ...signed, static: PubKey.NULL }),
    "entry validation error: entry Keys is nil",
  );
  assertEquals(
    rule({ ...signed, server: null }),
    "entry validation error: entry has neither client or server field",
  );
  assertEquals(
    rule({ ...signed, server: { ...signed.server!, address: "" } }),
    "entry validation error: server address cannot be empty",
  );
  const second = 1_000_000_000n;
  assertEquals(rule({ ...signed, timestamp: now - 60n * second }), "ok");
  assertEquals(
    rule({ ...signed, timestamp: now - 60n * second - 1n }),
    "entry validation error: advertised entry has outdated timestamp",
  );
  assertEquals(rule({ ...signed, timestamp: now + 5n * second }), "ok");
  assertEquals(
    rule({ ...signed, timestamp: now + 5n * second + 1n }),
    "entry validation error: advertised entry has outdated timestamp",
  );
  assertEquals(rule({ ...signed, timestamp: 0n }, false), "ok");
});

Deno.test("validateIteration: strict +1 by default, Go's 'greater' when asked", () => {
  const old = newClientEntry({ pk: clientPk, sequence: 4n, timestamp: 100n });
  const next = (sequence: bigint, timestamp = 100n) => ({ ...old, sequence, timestamp });
  validateIteration(old, next(5n));
  const wrong =
    "entry validation error: sequence field of new entry is not sequence of old entry + 1";
  assertThrows(() => validateIteration(old, next(4n)), EntryValidationError, wrong);
  assertThrows(() => validateIteration(old, next(6n)), EntryValidationError, wrong);
  validateIteration(old, next(6n), { strictSequence: false });
  assertThrows(
    () => validateIteration(old, next(4n), { strictSequence: false }),
    EntryValidationError,
    wrong,
  );
  assertThrows(
    () => validateIteration(old, next(5n, 99n)),
    EntryValidationError,
    "entry validation error: advertised entry timestamp is not greater than previous",
  );
  validateFirstRegistration(next(0n));
  validateFirstRegistration(next(3n), { strictSequence: false });
  assertThrows(
    () => validateFirstRegistration(next(3n)),
    EntryValidationError,
    "entry validation error: new entry has non-zero sequence",
  );
});

Deno.test("list, map and string-list decoders read what the service sends", () => {
  const a = signEntry(newClientEntry({ pk: clientPk, timestamp: 1n }), clientSk);
  const b = signEntry(
    newServerEntry({ pk: serverPk, timestamp: 2n, address: "h:1", availableSessions: 3 }),
    serverSk,
  );
  const list = `[${text(a)},null,${text(b)}]`;
  assertEquals(decodeEntryList(enc.encode(list)).map(text), [text(a), text(b)]);
  assertEquals(decodeEntryList(enc.encode("null")), []);
  assertEquals(decodeEntryList(enc.encode("[]")), []);
  const map = decodeEntryMap(enc.encode(`{"k1":${text(a)},"k2":null}`));
  assertEquals([...map.keys()], ["k1"]);
  assertEquals(decodeStringList(enc.encode(`["a",null]`)), ["a", ""]);
  assertEquals(decodeStringList(enc.encode(`null`)), []);
  assertThrows(() => decodeStringList(enc.encode(`["a"] x`)), EntryDecodeError);
  assertThrows(() => decodeEntryList(enc.encode(`[{}`)), EntryDecodeError);
});
