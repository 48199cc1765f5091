import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { writeAll } from "../../../mod/conn/mod.ts";
import {
  encodeAddress,
  encodeReply,
  encodeRequest,
  encodeUserPass,
  formatSocksAddress,
  readReply,
  readRequest,
  readUserPass,
  Reply,
  replyForError,
  Socks5Error,
  Socks5ProtocolError,
  socksAddress,
} from "../../../mod/socks5/mod.ts";
import { memoryPipe } from "../../_util/memory_pipe.ts";
import { freePort } from "../../_util/ports.ts";

async function feed(bytes: Uint8Array) {
  const [a, b] = memoryPipe();
  await writeAll(a, bytes);
  await a.closeWrite!();
  return b;
}

Deno.test("socks5 messages: addresses in every form round-trip", async () => {
  for (
    const [host, type, text] of [
      ["10.1.2.3", "ipv4", "10.1.2.3:8080"],
      ["::1", "ipv6", "[::1]:8080"],
      ["[2001:db8::7]", "ipv6", "[2001:db8::7]:8080"],
      ["example.com", "domain", "example.com:8080"],
    ] as const
  ) {
    const address = socksAddress(host, 8080);
    assertEquals(address.type, type);
    assertEquals(formatSocksAddress(address), text);
    const request = await readRequest(await feed(encodeRequest(1, address)));
    assertEquals(request.address, address);
    assertEquals(request.raw, encodeRequest(1, address));
    const reply = await readReply(await feed(encodeReply(5, address)));
    assertEquals(reply.code, 5);
    assertEquals(reply.bind, address);
  }
  // The exact wire bytes of one request, as RFC 1928 §4 lays them out.
  assertEquals(
    encodeRequest(1, socksAddress("127.0.0.1", 443)),
    Uint8Array.of(5, 1, 0, 1, 127, 0, 0, 1, 1, 187),
  );
  assertEquals(encodeAddress(socksAddress("a.b", 1)), Uint8Array.of(3, 3, 97, 46, 98, 0, 1));
});

Deno.test("socks5 messages: out-of-range values are refused when encoding", () => {
  assertThrows(() => encodeAddress({ type: "domain", host: "", port: 1 }), Socks5Error);
  assertThrows(
    () => encodeAddress({ type: "domain", host: "x".repeat(256), port: 1 }),
    Socks5Error,
  );
  assertThrows(() => encodeAddress({ type: "ipv4", host: "::1", port: 1 }), Socks5Error);
  assertThrows(() => encodeAddress({ type: "ipv4", host: "1.2.3.4", port: 65536 }), Socks5Error);
  assertThrows(() => encodeUserPass("u".repeat(256), ""), RangeError);
});

Deno.test("socks5 messages: username/password at the 255-byte limits", async () => {
  const user = "u".repeat(255), password = "p".repeat(255);
  const parsed = await readUserPass(await feed(encodeUserPass(user, password)));
  assertEquals([parsed.username, parsed.password], [user, password]);
  const bad = await feed(Uint8Array.of(5, 1, 65));
  await assertRejects(() => readUserPass(bad), Socks5ProtocolError);
});

Deno.test("socks5 replyForError: real connect failures", async () => {
  const port = freePort();
  const refused = await Deno.connect({ hostname: "127.0.0.1", port }).catch((e) => e);
  assertEquals(replyForError(refused), Reply.ConnectionRefused);
  const unresolved = await Deno.connect({ hostname: "no-such-host.invalid", port: 80 }).catch((
    e,
  ) => e);
  assertEquals(replyForError(unresolved), Reply.HostUnreachable);
  assertEquals(replyForError(new DOMException("timed out", "TimeoutError")), Reply.TtlExpired);
  assertEquals(replyForError(new Error("something else")), Reply.GeneralFailure);
  assertEquals(
    replyForError(
      new Error("wrapped", { cause: Object.assign(new Error("x"), { code: "ENETUNREACH" }) }),
    ),
    Reply.NetworkUnreachable,
  );
});
