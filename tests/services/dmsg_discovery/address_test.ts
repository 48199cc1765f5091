import { assertEquals } from "@std/assert";
import { isLoopbackAddr } from "../../../services/dmsg_discovery/mod.ts";

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
