import { assertEquals, assertThrows } from "@std/assert";
import { generateKeyPair } from "../../../mod/cipher/mod.ts";
import {
  DmsgError,
  formatAddr,
  MIN_EPHEMERAL_PORT,
  parseAddr,
  Porter,
} from "../../../mod/dmsg/mod.ts";

Deno.test("Porter reserves ports once and frees them only for their own holder", () => {
  const porter = new Porter<object>();
  const a = {}, b = {};
  const release = porter.reserve(80, a);
  assertEquals(assertThrows(() => porter.reserve(80, b), DmsgError).code, 400);
  assertEquals(assertThrows(() => porter.reserve(0, b), DmsgError).code, 400);
  assertEquals(assertThrows(() => porter.reserve(65536, b), DmsgError).code, 400);
  release();
  const again = porter.reserve(80, b);
  release(); // a stale release must not free b's reservation
  assertEquals(porter.get(80), b);
  again();
  assertEquals(porter.size, 0);
});

Deno.test("Porter hands out ephemeral ports round-robin and wraps past 65535", () => {
  const porter = new Porter<object>();
  const first = porter.reserveEphemeral({});
  assertEquals(first.port, MIN_EPHEMERAL_PORT);
  first.release();
  // A just-freed port is not reused at once.
  assertEquals(porter.reserveEphemeral({}).port, MIN_EPHEMERAL_PORT + 1);
  const held: Array<() => void> = [];
  for (let port = MIN_EPHEMERAL_PORT + 2; port <= 65535; port++) {
    held.push(porter.reserveEphemeral({}).release);
  }
  // Everything above 49153 is taken; the next one wraps to the freed 49152.
  assertEquals(porter.reserveEphemeral({}).port, MIN_EPHEMERAL_PORT);
  assertEquals(assertThrows(() => porter.reserveEphemeral({}), DmsgError).code, 400);
  for (const release of held) release();
  assertEquals(porter.size, 2);
});

Deno.test("dmsg addresses print and parse as Go's pk:port", () => {
  const pk = generateKeyPair().pk;
  assertEquals(formatAddr({ pk, port: 80 }), `${pk.hex()}:80`);
  assertEquals(formatAddr({ pk, port: 0 }), `${pk.hex()}:~`);
  const parsed = parseAddr(` ${pk.hex()}:65535 `);
  assertEquals([parsed.pk.hex(), parsed.port], [pk.hex(), 65535]);
  assertEquals(parseAddr(`${pk.hex()}:~`).port, 0);
  assertEquals(parseAddr(pk.hex()).port, 0);
  for (const bad of [`${pk.hex()}:65536`, `${pk.hex()}:x`, `${pk.hex()}:1:2`, "zz:80"]) {
    assertThrows(() => parseAddr(bad), TypeError);
  }
});
