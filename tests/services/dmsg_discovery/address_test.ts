import { assertEquals } from "@std/assert";
import { isLoopbackAddr, parseIP, splitHostPort } from "../../../services/dmsg_discovery/mod.ts";

Deno.test("splitHostPort accepts and refuses what Go's net.SplitHostPort does", () => {
  assertEquals(splitHostPort("1.2.3.4:80"), { host: "1.2.3.4", port: "80" });
  assertEquals(splitHostPort("[::1]:80"), { host: "::1", port: "80" });
  assertEquals(splitHostPort(":80"), { host: "", port: "80" });
  assertEquals(splitHostPort("host:"), { host: "host", port: "" });
  for (const bad of ["", "host", "::1:80", "[::1]", "[::1]80", "[::1]:80]", "a[b:80", "[a]:b]:1"]) {
    assertEquals(splitHostPort(bad), undefined, bad);
  }
});

Deno.test("parseIP follows Go: strict dotted quads, IPv6 with an embedded IPv4 tail, no zones", () => {
  assertEquals(parseIP("127.0.0.1")?.subarray(12), Uint8Array.of(127, 0, 0, 1));
  assertEquals(parseIP("::ffff:7f00:1")?.subarray(12), Uint8Array.of(127, 0, 0, 1));
  assertEquals(parseIP("2001:db8::1")?.[15], 1);
  assertEquals(parseIP("::1.2.3.4")?.subarray(12), Uint8Array.of(1, 2, 3, 4));
  for (
    const bad of [
      "01.2.3.4",
      "1.2.3",
      "256.1.1.1",
      "1.2.3.4.5",
      "fe80::1%eth0",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "1:2:3:4:5:6:7::8",
      "12345::",
      "localhost",
      "",
      "1.2.3.4::",
    ]
  ) {
    assertEquals(parseIP(bad), undefined, bad);
  }
});

Deno.test("isLoopbackAddr is Go's loopback rule for server addresses", () => {
  for (
    const yes of ["127.0.0.1:1", "127.255.0.9:1", "[::1]:1", "[::ffff:127.0.0.1]:1", ":1", "[]:1"]
  ) {
    assertEquals(isLoopbackAddr(yes), true, yes);
  }
  for (
    const no of [
      "localhost:1",
      "10.0.0.1:1",
      "[::2]:1",
      "[::127.0.0.1]:1",
      "127.0.0.1",
      "0.0.0.0:1",
      "[fe80::1%lo]:1",
      "x",
    ]
  ) {
    assertEquals(isLoopbackAddr(no), false, no);
  }
});
