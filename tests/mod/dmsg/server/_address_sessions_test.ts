import { assert, assertEquals } from "@std/assert";
import { AddressSessions } from "../../../../mod/dmsg/server/_address_sessions.ts";

Deno.test("AddressSessions: a cap per IPv4 address and IPv6 /64; places come back once", () => {
  const cap = new AddressSessions(2, false);
  const a = [cap.admit("203.0.113.7")!, cap.admit("::ffff:203.0.113.7")!];
  assertEquals(cap.admit("203.0.113.7"), undefined, "the mapped form is the same address");
  const v6 = [cap.admit("2001:db8:1:2::1")!, cap.admit("[2001:db8:1:2:ffff::9]")!];
  assertEquals(cap.admit("2001:db8:1:2::77"), undefined, "the same /64");
  assert(cap.admit("2001:db8:1:3::1"), "another /64");
  assert(cap.admit("198.51.100.1"), "another address");
  assertEquals(cap.refused, 2);
  // A client replacing its own session gets in over the cap.
  const replacing = cap.admit("203.0.113.7", true)!;
  assertEquals(cap.held, 7);
  a[0].release();
  a[0].release();
  replacing.release();
  assertEquals(cap.held, 5);
  assert(cap.admit("203.0.113.7"), "a released place is free again");
  for (const place of [...a, ...v6]) place.release();
  assertEquals(cap.groups, 3);
});

Deno.test("AddressSessions: this host's own addresses are left alone unless limitLoopback; 0 is no cap", () => {
  const open = new AddressSessions(1, false);
  for (const host of ["127.0.0.1", "::1", "[::1]", "::ffff:127.0.0.1", "127.0.0.1"]) {
    assert(open.admit(host));
  }
  assertEquals(open.held, 0);
  // Other loopback addresses are other hosts' stand-ins (tests, containers): capped.
  assert(open.admit("127.0.0.2"));
  assertEquals(open.admit("127.0.0.2"), undefined);
  const strict = new AddressSessions(1, true);
  assert(strict.admit("127.0.0.1"));
  assertEquals(strict.admit("::ffff:127.0.0.1"), undefined);
  const none = new AddressSessions(0, true);
  for (let i = 0; i < 100; i++) assert(none.admit("198.51.100.1"));
  assertEquals(none.held, 0);
});

Deno.test("AddressSessions: refusals reach the info log at most once per period, with a count", () => {
  const cap = new AddressSessions(0, false);
  assertEquals(cap.refusalsToLog(10_000, 0), 0);
  assertEquals(cap.refusalsToLog(10_000, 5_000), undefined);
  const full = new AddressSessions(1, true);
  full.admit("192.0.2.1");
  for (let i = 0; i < 5; i++) full.admit("192.0.2.1");
  assertEquals(full.refusalsToLog(10_000, 0), 5);
  full.admit("192.0.2.1");
  assertEquals(full.refusalsToLog(10_000, 9_999), undefined);
  full.admit("192.0.2.1");
  assertEquals(full.refusalsToLog(10_000, 10_000), 2);
});
