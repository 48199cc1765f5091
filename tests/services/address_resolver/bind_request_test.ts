import { assertEquals, assertThrows } from "@std/assert";
import {
  BindRequestError,
  decodeBindRequest,
  MAX_BIND_ADDRESSES,
} from "../../../services/address_resolver/mod.ts";
import { Prng } from "../../_util/prng.ts";

const enc = new TextEncoder();
const decode = (text: string) => decodeBindRequest(enc.encode(text));

Deno.test("decodeBindRequest reads Go's LocalAddresses as encoding/json does", () => {
  assertEquals(decode('{"port":"7777","addresses":["1.2.3.4","::1"]}\n'), {
    port: "7777",
    addresses: ["1.2.3.4", "::1"],
  });
  // Case-insensitive names, last one wins, unknown fields ignored, null is Go's nil.
  assertEquals(decode('{"PORT":"1","Port":"2","extra":{"x":[1]},"addresses":null}'), {
    port: "2",
    addresses: null,
  });
  assertEquals(decode('{"port":"65535"}'), { port: "65535", addresses: null });
  assertEquals(decode('{"port":"1","addresses":[]}'), { port: "1", addresses: [] });
});

Deno.test("decodeBindRequest refuses what a visor never sends", () => {
  const bad = [
    "",
    "nope",
    "[]",
    "null",
    '"x"',
    '{"port":1234,"addresses":[]}',
    '{"port":"","addresses":[]}',
    '{"port":"0"}',
    '{"port":"65536"}',
    '{"port":"12a"}',
    '{"port":"1","addresses":"1.2.3.4"}',
    '{"port":"1","addresses":[5]}',
    '{"port":"1","addresses":["localhost"]}',
    '{"port":"1","addresses":["1.2.3.4:80"]}',
    `{"port":"1","addresses":${JSON.stringify(Array(MAX_BIND_ADDRESSES + 1).fill("1.2.3.4"))}}`,
  ];
  for (const text of bad) assertThrows(() => decode(text), BindRequestError, undefined, text);
});

Deno.test("fuzz: the bind body parser gives addresses or BindRequestError (random + mutated)", () => {
  const prng = new Prng(0x5eed_a001);
  const seeds = [
    '{"port":"7777","addresses":["1.2.3.4","::1","10.0.0.1"]}\n',
    '{"Port":"1","Addresses":null}',
    '{"port":"65535","addresses":[]}',
  ];
  const bytes = (n: number) => prng.bytes(n);
  const mutate = (input: Uint8Array): Uint8Array => {
    const out = Array.from(input);
    for (let i = 0, n = 1 + prng.int(6); i < n; i++) {
      const at = prng.int(out.length + 1);
      const op = prng.int(4);
      if (op === 0) out.splice(at, 1);
      else if (op === 1) out.splice(at, 0, prng.pick([0x22, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a]));
      else if (op === 2) out[at] = prng.int(256);
      else out.splice(at, 0, ...enc.encode(prng.pick(['"port"', "null", "1e9", '"::"', "[]"])));
    }
    return Uint8Array.from(out);
  };
  let accepted = 0;
  for (let round = 0; round < 5_000; round++) {
    const input = round % 5 === 0 ? bytes(prng.int(80)) : mutate(enc.encode(prng.pick(seeds)));
    try {
      const local = decodeBindRequest(input);
      accepted++;
      assertEquals(/^[0-9]{1,5}$/.test(local.port), true);
      assertEquals((local.addresses?.length ?? 0) <= MAX_BIND_ADDRESSES, true);
    } catch (error) {
      if (!(error instanceof BindRequestError)) throw error;
    }
  }
  // The mutations are small: some inputs must still be accepted, or the test proves nothing.
  assertEquals(accepted > 50, true, `accepted ${accepted}`);
});
