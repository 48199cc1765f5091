import { assertEquals } from "@std/assert";
import { concatBytes, readFull, writeAll } from "../../../../mod/conn/mod.ts";
import {
  encodeGreeting,
  encodeRequest,
  encodeUserPass,
  socks5Connect,
  socksAddress,
} from "../../../../mod/socks5/mod.ts";
import { mutate, Prng } from "../../../mod/dmsg/_fuzz.ts";
import { waitFor } from "../../../mod/dmsg/_harness.ts";
import { skysocksPair } from "../_skysocks_pair.ts";

Deno.test("skysocks-client fuzz: malformed local SOCKS input closes that connection only", async () => {
  // The only target: an echo server on loopback.
  const echo = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const echoing = (async () => {
    const all: Promise<void>[] = [];
    try {
      for await (const conn of echo) {
        all.push((async () => {
          const buf = new Uint8Array(8192);
          try {
            for (let n; (n = await conn.read(buf)) !== null;) {
              await writeAll(conn, buf.subarray(0, n));
            }
          } catch { /* closed */ }
          try {
            conn.close();
          } catch { /* closed */ }
        })());
      }
    } catch { /* closed */ }
    await Promise.all(all);
  })();
  const echoPort = echo.addr.port;
  await using pair = await skysocksPair({
    client: { handshakeTimeoutMs: 300, exitReplyTimeoutMs: 2_000 },
    server: {
      handshakeTimeoutMs: 300,
      allow: (t) => t.host === "127.0.0.1" && t.port === echoPort,
    },
  });
  await waitFor("session", () => pair.client.status().session.state === "up");
  const healthy = await Deno.connect({ hostname: "127.0.0.1", port: pair.client.addr.port });
  await socks5Connect(healthy, socksAddress("127.0.0.1", echoPort));
  const rng = new Prng(0x5c5c);
  const seeds = [
    concatBytes([encodeGreeting([0]), encodeRequest(1, socksAddress("127.0.0.1", echoPort))]),
    concatBytes([encodeGreeting([0]), encodeRequest(1, socksAddress("status.skysocks", 80))]),
    concatBytes([encodeGreeting([2]), encodeUserPass("u", "p")]),
  ];
  let stuck = 0;
  for (let round = 0; round < 8; round++) {
    await Promise.all(Array.from({ length: 15 }, async () => {
      const input = rng.int(5) === 0 ? rng.bytes(rng.int(48)) : mutate(rng, rng.pick(seeds));
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: pair.client.addr.port });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        conn.close();
      }, 5_000);
      try {
        await writeAll(conn, input).catch(() => {});
        if (rng.int(2) === 0) await conn.closeWrite().catch(() => {});
        const buf = new Uint8Array(4096);
        for (let n; (n = await conn.read(buf)) !== null;) {
          if (n > 0) await conn.closeWrite().catch(() => {});
        }
      } catch {
        // A reset is a close too.
      } finally {
        clearTimeout(timer);
        if (timedOut) stuck++;
        try {
          conn.close();
        } catch { /* closed */ }
      }
    }));
    const probe = crypto.getRandomValues(new Uint8Array(512));
    await writeAll(healthy, probe);
    const back = new Uint8Array(probe.length);
    await readFull(healthy, back);
    assertEquals(back, probe);
  }
  healthy.close();
  assertEquals(stuck, 0, "every malformed connection was closed by the client or the exit");
  const status = pair.client.status().session;
  assertEquals([status.state, status.connects], ["up", 1], "the session was never disturbed");
  await waitFor("all local connections released", () => pair.client.stats().connections === 0);
  await waitFor("all exit connections released", () => pair.server.stats().connections === 0);
  echo.close();
  await echoing;
});
