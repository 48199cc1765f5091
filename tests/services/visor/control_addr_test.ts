/** `cli_addr` is loopback only; `--rpc` takes any host:port. */
import { assertEquals, assertThrows } from "@std/assert";
import { ConfigError } from "../../../mod/config/mod.ts";
import { controlListenAddress, controlUrl, isLoopbackHost } from "../../../services/visor/mod.ts";

Deno.test("controlListenAddress takes loopback addresses only", () => {
  assertEquals(controlListenAddress("localhost:3435"), { hostname: "127.0.0.1", port: 3435 });
  assertEquals(controlListenAddress("127.0.0.1:0"), { hostname: "127.0.0.1", port: 0 });
  assertEquals(controlListenAddress("127.8.9.10:1"), { hostname: "127.8.9.10", port: 1 });
  assertEquals(controlListenAddress("[::1]:3435"), { hostname: "::1", port: 3435 });
  assertEquals(controlListenAddress(""), undefined);
  assertEquals(controlListenAddress(undefined), undefined);
  for (const addr of [":3435", "0.0.0.0:3435", "192.168.1.2:3435", "[::]:3435", "example:1"]) {
    const error = assertThrows(() => controlListenAddress(addr), ConfigError);
    assertEquals(
      error.message.startsWith(`config field "cli_addr": "${addr}" is not a loopback address`),
      true,
      error.message,
    );
  }
  for (const addr of ["localhost", "127.0.0.1:x", "127.0.0.1:70000"]) {
    assertThrows(() => controlListenAddress(addr), ConfigError, "is not host:port");
  }
});

Deno.test("controlUrl and isLoopbackHost", () => {
  assertEquals(controlUrl("localhost:3435"), "http://127.0.0.1:3435");
  assertEquals(controlUrl("[::1]:9"), "http://[::1]:9");
  assertThrows(() => controlUrl("3435"), RangeError);
  assertThrows(() => controlUrl("127.0.0.1:0"), RangeError);
  for (const host of ["127.0.0.1:3435", "localhost:1", "[::1]:80", "localhost", "127.0.0.1"]) {
    assertEquals(isLoopbackHost(host), true, host);
  }
  for (const host of ["evil.example:3435", "10.0.0.1", "", undefined, "[::2]:1"]) {
    assertEquals(isLoopbackHost(host), false, String(host));
  }
});
