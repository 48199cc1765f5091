import { assertEquals, assertStrictEquals, assertThrows } from "@std/assert";
import { generateKeyPair } from "../../../../mod/cipher/mod.ts";
import { KEY_CACHE_SIZE, pubKeyFromHexCached } from "../../../../mod/dmsg/disc/_key_cache.ts";
import { decodeEntry, EntryDecodeError } from "../../../../mod/dmsg/mod.ts";

Deno.test("parsed keys: the same key object for the same text, bounded, bad text always refused", () => {
  const hex = generateKeyPair().pk.hex();
  const first = pubKeyFromHexCached(hex);
  assertEquals(first.hex(), hex);
  assertStrictEquals(pubKeyFromHexCached(hex), first);
  // Off the curve: refused every time (never cached as anything).
  const bad = "02" + "0".repeat(63) + "5";
  for (let i = 0; i < 2; i++) assertThrows(() => pubKeyFromHexCached(bad));
  // More keys than the cache holds: the first is parsed afresh (a new object), equal.
  for (let i = 0; i < KEY_CACHE_SIZE; i++) pubKeyFromHexCached(generateKeyPair().pk.hex());
  const again = pubKeyFromHexCached(hex);
  assertEquals(again === first, false);
  assertEquals(again.hex(), hex);
});

Deno.test("decodeEntry refuses an off-curve delegated server also once its text was seen", () => {
  const pk = generateKeyPair().pk.hex();
  const entry = (server: string) =>
    new TextEncoder().encode(
      `{"version":"0.0.1","sequence":0,"timestamp":1,"static":"${pk}",` +
        `"client":{"delegated_servers":["${server}"]},"signature":"00"}`,
    );
  const good = generateKeyPair().pk.hex();
  assertEquals(decodeEntry(entry(good)).client?.delegatedServers?.[0].hex(), good);
  assertEquals(decodeEntry(entry(good)).client?.delegatedServers?.[0].hex(), good);
  const bad = "03" + "0".repeat(63) + "5";
  for (let i = 0; i < 2; i++) assertThrows(() => decodeEntry(entry(bad)), EntryDecodeError);
});
