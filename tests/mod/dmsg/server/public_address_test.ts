/** The address a dmsg server publishes: what it was told, the bound address, or its port. */
import { assertEquals } from "@std/assert";
import { publicAddressFor } from "../../../../mod/dmsg/mod.ts";

Deno.test("publicAddressFor: nothing is the bound address, port 0 the bound port", () => {
  assertEquals(publicAddressFor(undefined, "127.0.0.1:40123"), "127.0.0.1:40123");
  assertEquals(publicAddressFor("", "[::1]:40123"), "[::1]:40123");
  assertEquals(publicAddressFor("203.0.113.7:0", "0.0.0.0:40123"), "203.0.113.7:40123");
  assertEquals(publicAddressFor("[2001:db8::1]:0", "[::]:8081"), "[2001:db8::1]:8081");
  assertEquals(publicAddressFor("dmsg.example.org:0", "0.0.0.0:9"), "dmsg.example.org:9");
  // An address on another port (a port forward) is published as given.
  assertEquals(publicAddressFor("203.0.113.7:30000", "0.0.0.0:8081"), "203.0.113.7:30000");
  assertEquals(publicAddressFor("203.0.113.7:8000", "0.0.0.0:8081"), "203.0.113.7:8000");
});
