import { assertEquals } from "@std/assert";
import {
  canonicalIP,
  formatIP,
  isPublicIP,
  parseIP,
  splitHostPort,
} from "../../../mod/netutil/mod.ts";
import { Prng } from "../../_util/prng.ts";

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

Deno.test("formatIP and canonicalIP write what Go's IP.String writes", () => {
  const cases: Array<[string, string]> = [
    ["1.2.3.4", "1.2.3.4"],
    ["::ffff:1.2.3.4", "1.2.3.4"],
    ["::ffff:7f00:1", "127.0.0.1"],
    ["::1", "::1"],
    ["::", "::"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"],
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"],
    ["1:0:2:0:3:0:4:0", "1:0:2:0:3:0:4:0"],
    ["fe80::", "fe80::"],
  ];
  for (const [input, want] of cases) assertEquals(formatIP(parseIP(input)!), want, input);
  assertEquals(canonicalIP("not an ip"), "not an ip");
});

Deno.test("fuzz: formatIP output parses back to the same bytes", () => {
  const prng = new Prng(0x5eed_0003);
  for (let round = 0; round < 2_000; round++) {
    const ip = prng.bytes(16);
    // Favour zero runs and mapped IPv4, where the formatting rules bite.
    for (let i = 0; i < 16; i++) if (prng.int(3) === 0) ip[i] = 0;
    if (prng.int(4) === 0) ip.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 0);
    assertEquals(parseIP(formatIP(ip)), ip);
  }
});

Deno.test("isPublicIP is Skywire's rule: public IPv4 only", () => {
  for (const yes of ["1.2.3.4", "8.8.8.8", "172.32.0.1", "192.169.0.1", "::ffff:1.2.3.4"]) {
    assertEquals(isPublicIP(yes), true, yes);
  }
  for (
    const no of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "169.254.1.1",
      "224.0.0.251",
      "::1",
      "2001:db8::1",
      "localhost",
      "",
    ]
  ) {
    assertEquals(isPublicIP(no), false, no);
  }
});
