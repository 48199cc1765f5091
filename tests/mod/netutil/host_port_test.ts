import { assertEquals, assertThrows } from "@std/assert";
import { parseListenAddress } from "../../../mod/netutil/mod.ts";

Deno.test("parseListenAddress takes Go listen addresses", () => {
  assertEquals(parseListenAddress(":9091"), { hostname: "0.0.0.0", port: 9091 });
  assertEquals(parseListenAddress("127.0.0.1:0"), { hostname: "127.0.0.1", port: 0 });
  assertEquals(parseListenAddress("[::1]:80"), { hostname: "::1", port: 80 });
  for (const bad of ["", "9091", "host:", "host:x", "1.2.3.4:65536", "::1:80"]) {
    assertThrows(() => parseListenAddress(bad), RangeError, undefined, bad);
  }
});
