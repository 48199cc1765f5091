import { assert, assertEquals, assertRejects } from "@std/assert";
import { dmsgAppNet } from "../../../../mod/appnet/mod.ts";
import { readFull, writeAll } from "../../../../mod/conn/mod.ts";
import { socks5Connect, Socks5Error, socksAddress } from "../../../../mod/socks5/mod.ts";
import { Session } from "../../../../mod/yamux/mod.ts";
import { passcodeCheck, SkysocksServer } from "../../../../services/apps/skysocks/mod.ts";
import { testNetwork, waitFor } from "../../../mod/dmsg/_harness.ts";

/** An echo target on 127.0.0.1. */
function echoTarget() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const done = (async () => {
    try {
      for await (const conn of listener) {
        conns.add(conn);
        (async () => {
          const buf = new Uint8Array(8192);
          try {
            for (let n; (n = await conn.read(buf)) !== null;) {
              await writeAll(conn, buf.subarray(0, n));
            }
          } catch { /* closed */ }
          conns.delete(conn);
          try {
            conn.close();
          } catch { /* closed */ }
        })();
      }
    } catch { /* closed */ }
  })();
  return {
    port: listener.addr.port,
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const c of conns) c.close();
      await done;
    },
  };
}

Deno.test("skysocks server: the wire is a yamux session per app connection, SOCKS5 per stream", async () => {
  await using net = await testNetwork();
  await net.server();
  const exit = await net.client();
  const user = await net.client();
  await Promise.all([exit.ready(), user.ready()]);
  await using echo = echoTarget();
  const server = SkysocksServer.start({ net: dmsgAppNet(exit), passcode: "pw" });
  try {
    // What Go's skysocks-client does: dial port 3, run a yamux client, one stream per request.
    const conn = await dmsgAppNet(user).dial(exit.pk, 3);
    const session = new Session(conn, { role: "client", enableKeepAlive: false });
    const streams = await Promise.all([0, 1, 2].map(async (i) => {
      const stream = await session.open();
      await socks5Connect(stream, socksAddress("127.0.0.1", echo.port), {
        credentials: { username: i === 0 ? "pw" : "x", password: i === 0 ? "" : "pw" },
      });
      return stream;
    }));
    assertEquals(server.stats(), { sessions: 1, connections: 3, served: 0, refused: 0 });
    for (const [i, stream] of streams.entries()) {
      const data = new TextEncoder().encode(`stream ${i}`);
      await writeAll(stream, data);
      const back = new Uint8Array(data.length);
      await readFull(stream, back);
      assertEquals(back, data);
      stream.close();
    }
    const wrong = await session.open();
    await assertRejects(
      () =>
        socks5Connect(wrong, socksAddress("127.0.0.1", echo.port), {
          credentials: { username: "x", password: "y" },
        }),
      Socks5Error,
    );
    wrong.close();
    await waitFor("streams served", () => server.stats().served === 4);
    await session.close();
    await waitFor("session gone", () => server.stats().sessions === 0);
  } finally {
    await server.close();
  }
  assertEquals(server.stats(), { sessions: 0, connections: 0, served: 4, refused: 0 });
  // The port is free again.
  exit.listen(3).close();
});

Deno.test("skysocks server: streams past maxConnections are closed before any work", async () => {
  await using net = await testNetwork();
  await net.server();
  const exit = await net.client();
  const user = await net.client();
  await Promise.all([exit.ready(), user.ready()]);
  await using echo = echoTarget();
  const server = SkysocksServer.start({ net: dmsgAppNet(exit), maxConnections: 2 });
  try {
    const session = new Session(await dmsgAppNet(user).dial(exit.pk, 3), { role: "client" });
    const held = [];
    for (let i = 0; i < 2; i++) {
      const stream = await session.open();
      await socks5Connect(stream, socksAddress("127.0.0.1", echo.port));
      held.push(stream);
    }
    const extra = await session.open();
    await assertRejects(() => socks5Connect(extra, socksAddress("127.0.0.1", echo.port)));
    extra.close();
    assertEquals(server.stats().refused, 1);
    for (const stream of held) stream.close();
    await waitFor("slots freed", () => server.stats().connections === 0);
    const again = await session.open();
    await socks5Connect(again, socksAddress("127.0.0.1", echo.port));
    again.close();
    await session.close();
  } finally {
    await server.close();
  }
  assertEquals(server.stats().connections, 0);
});

Deno.test("skysocks passcode: the user or the password may carry it", () => {
  const check = passcodeCheck("secret");
  assert(check("secret", ""));
  assert(check("", "secret"));
  assert(check("secret", "secret"));
  assert(!check("secre", "secrets"));
  assert(!check("", ""));
});
