import { assertEquals, assertRejects } from "@std/assert";
import { generateKeyPair } from "../../../mod/cipher/mod.ts";
import { HttpAuthRequestError } from "../../../mod/httpauth/mod.ts";
import {
  AddressNotFoundError,
  AddressResolverClient,
  decodeVisorData,
  MalformedFrameError,
} from "../../../mod/transport/mod.ts";
import { Prng } from "../../_util/prng.ts";
import { startTestResolver } from "../../services/address_resolver/_harness.ts";

Deno.test("ar client ↔ resolver: bind, resolve, unbind", async () => {
  await using ar = await startTestResolver();
  const a = new AddressResolverClient({ url: ar.url, keys: generateKeyPair() });
  const bKeys = generateKeyPair();
  const b = new AddressResolverClient({ url: ar.url, keys: bKeys });
  await b.bind(30_001, ["127.0.0.1", "::1"]);
  assertEquals(await a.resolve(bKeys.pk), {
    remoteAddr: "127.0.0.1",
    isLocal: true,
    port: "30001",
    addresses: ["127.0.0.1", "::1"],
  });
  await b.unbind();
  await assertRejects(() => a.resolve(bKeys.pk), AddressNotFoundError);
});

Deno.test("ar client: a refused bind carries the resolver's reason", async () => {
  await using ar = await startTestResolver({ testMode: false });
  const client = new AddressResolverClient({ url: ar.url, keys: generateKeyPair() });
  const error = await assertRejects(
    () => client.bind(30_002, ["127.0.0.1"]),
    HttpAuthRequestError,
  );
  assertEquals(error.status, 400);
  assertEquals(error.serverMessage?.includes("Invalid IP address in request"), true);
});

Deno.test("decodeVisorData reads Go's VisorData; fuzz: data or MalformedFrameError", () => {
  const enc = new TextEncoder();
  assertEquals(
    decodeVisorData(enc.encode('{"remote_addr":"1.2.3.4","port":"5","addresses":null,"x":1}')),
    { remoteAddr: "1.2.3.4", isLocal: false, port: "5", addresses: [] },
  );
  assertEquals(decodeVisorData(enc.encode('{"Remote_Addr":"a","IS_LOCAL":true}')).isLocal, true);
  const prng = new Prng(0x5eed_a002);
  const seed = enc.encode(
    '{"remote_addr":"1.2.3.4","is_local":true,"port":"7777","addresses":["1.2.3.4","::1"]}',
  );
  let accepted = 0;
  for (let round = 0; round < 5_000; round++) {
    let input: Uint8Array;
    if (round % 4 === 0) input = prng.bytes(prng.int(100));
    else {
      const bytes = Array.from(seed);
      for (let i = 0, n = 1 + prng.int(4); i < n; i++) {
        const at = prng.int(bytes.length);
        if (prng.int(2) === 0) bytes[at] = prng.pick([0x22, 0x5b, 0x5d, 0x7b, 0x7d, 0x2c, 0x31]);
        else bytes.splice(at, 1);
      }
      input = Uint8Array.from(bytes);
    }
    try {
      const data = decodeVisorData(input);
      accepted++;
      assertEquals(typeof data.remoteAddr, "string");
      assertEquals(data.addresses.every((a) => typeof a === "string"), true);
    } catch (error) {
      if (!(error instanceof MalformedFrameError)) throw error;
    }
  }
  assertEquals(accepted > 100, true, `accepted ${accepted}`);
});
