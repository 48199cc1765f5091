import { assert, assertEquals, assertInstanceOf, assertMatch } from "@std/assert";
import { readFull, writeAll } from "../../../mod/conn/mod.ts";
import {
  encodeGreeting,
  encodeRequest,
  Reply,
  socks5Connect,
  Socks5ReplyError,
  Socks5TimeoutError,
  socksAddress,
} from "../../../mod/socks5/mod.ts";
import { curl, hasCurl } from "../../_util/curl.ts";
import { sha256Hex, startHttpTarget } from "../../_util/http_target.ts";
import { seededBytes } from "../../_util/prng.ts";
import { startProxy } from "./_proxy.ts";
import { freePort } from "../../_util/ports.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test({
  name: "socks5: real curl through the server (names, IPv4, IPv6)",
  ignore: !hasCurl,
  async fn() {
    await using target = await startHttpTarget();
    await using target6 = await startHttpTarget("::1");
    await using proxy = startProxy();
    const via = ["--socks5-hostname", `127.0.0.1:${proxy.port}`];

    const byName = await curl([...via, `http://localhost:${target.port}/hello`]);
    assertEquals(byName.code, 0, byName.stderr);
    assertEquals(text(byName.body), `hello from 127.0.0.1:${target.port}`);

    const v4 = await curl([
      "--socks5",
      `127.0.0.1:${proxy.port}`,
      `http://127.0.0.1:${target.port}/hello`,
    ]);
    assertEquals(v4.code, 0, v4.stderr);

    const v6 = await curl([
      "--socks5",
      `127.0.0.1:${proxy.port}`,
      `http://[::1]:${target6.port}/hello`,
    ]);
    assertEquals(v6.code, 0, v6.stderr);
    assertEquals(text(v6.body), `hello from ::1:${target6.port}`);

    await proxy.finished(3);
    const types = proxy.outcomes.map((o) => o.target?.type).sort();
    assertEquals(types, ["domain", "ipv4", "ipv6"]);
    assertEquals(proxy.outcomes.map((o) => o.reply), [0, 0, 0]);
    const v6Outcome = proxy.outcomes.find((o) => o.target?.type === "ipv6")!;
    assertEquals(v6Outcome.target?.host, "::1");
  },
});

Deno.test({
  name: "socks5: username/password (RFC 1929) through real curl",
  ignore: !hasCurl,
  async fn() {
    await using target = await startHttpTarget();
    await using proxy = startProxy({
      authenticate: (user, password) => user === "alice" && password === "s3cret:with colon",
    });
    const url = `http://127.0.0.1:${target.port}/hello`;
    const ok = await curl([
      "--socks5-hostname",
      `127.0.0.1:${proxy.port}`,
      "--proxy-user",
      "alice:s3cret:with colon",
      url,
    ]);
    assertEquals(ok.code, 0, ok.stderr);
    const wrong = await curl([
      "--socks5-hostname",
      `127.0.0.1:${proxy.port}`,
      "--proxy-user",
      "alice:nope",
      url,
    ]);
    assert(wrong.code !== 0);
    const none = await curl(["--socks5-hostname", `127.0.0.1:${proxy.port}`, url]);
    assert(none.code !== 0);
    await proxy.finished(3);
    const errors = proxy.outcomes.map((o) => o.error?.message ?? "ok").sort();
    assertEquals(errors, [
      "authentication failed",
      "no acceptable authentication method offered",
      "ok",
    ]);
    assertEquals(target.requests, 1);
  },
});

Deno.test({
  name: "socks5: a large body and many requests arrive intact through curl",
  ignore: !hasCurl,
  async fn() {
    await using target = await startHttpTarget();
    await using proxy = startProxy();
    const size = 8 * 1024 * 1024;
    const big = await curl([
      "--socks5-hostname",
      `127.0.0.1:${proxy.port}`,
      `http://127.0.0.1:${target.port}/bytes/${size}?seed=7`,
    ]);
    assertEquals(big.code, 0, big.stderr);
    assertEquals(await sha256Hex(big.body), await sha256Hex(seededBytes(size, 7)));
    // One curl, many URLs: each is its own SOCKS connection (no keep-alive across proxies).
    const urls = Array.from({ length: 40 }, () => `http://127.0.0.1:${target.port}/hello`);
    const many = await curl(["--socks5-hostname", `127.0.0.1:${proxy.port}`, ...urls]);
    assertEquals(many.code, 0, many.stderr);
    assertEquals(text(many.body).split("hello from").length - 1, 40);
  },
});

Deno.test("socks5: connect errors become RFC 1928 replies", async (t) => {
  const connect = async (port: number, host: string, targetPort: number) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      await socks5Connect(conn, socksAddress(host, targetPort), { timeoutMs: 10_000 });
      return 0;
    } catch (error) {
      assertInstanceOf(error, Socks5ReplyError);
      return error.code;
    } finally {
      conn.close();
    }
  };
  await t.step("refused → 5", async () => {
    await using proxy = startProxy();
    assertEquals(await connect(proxy.port, "127.0.0.1", freePort()), Reply.ConnectionRefused);
  });
  await t.step("a name that does not resolve → 4", async () => {
    await using proxy = startProxy();
    assertEquals(await connect(proxy.port, "no-such-host.invalid", 80), Reply.HostUnreachable);
  });
  await t.step("a rule says no → 2, and nothing is dialed", async () => {
    let dialed = 0;
    await using proxy = startProxy({
      allow: (target) => target.port !== 25,
      dial: () => {
        dialed++;
        return Promise.reject(new Error("must not dial"));
      },
    });
    assertEquals(await connect(proxy.port, "127.0.0.1", 25), Reply.NotAllowed);
    assertEquals(dialed, 0);
  });
  await t.step("a connect that outlasts connectTimeoutMs → 6", async () => {
    await using proxy = startProxy({
      connectTimeoutMs: 100,
      // A dial that only ends when told to (a SYN into the void does the same on a real net).
      dial: (_target, signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason), { once: true })
        ),
    });
    assertEquals(await connect(proxy.port, "127.0.0.1", 80), Reply.TtlExpired);
  });
  await t.step("network and host unreachable from the OS → 3 and 4", async () => {
    const oserror = (code: string, message: string) => Object.assign(new Error(message), { code });
    for (
      const [error, reply] of [
        [new Deno.errors.NetworkUnreachable("Network is unreachable (os error 101)"), 3],
        [oserror("EHOSTUNREACH", "No route to host (os error 113)"), 4],
        [oserror("EINVAL", "Invalid argument (os error 22)"), 1],
      ] as const
    ) {
      await using proxy = startProxy({ dial: () => Promise.reject(error) });
      assertEquals(await connect(proxy.port, "127.0.0.1", 80), reply, String(error));
    }
  });
});

Deno.test("socks5: BIND and UDP ASSOCIATE get 7, an unknown address type 8", async () => {
  await using proxy = startProxy();
  for (const command of [2, 3]) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.port });
    await writeAll(conn, encodeGreeting([0]));
    await writeAll(conn, encodeRequest(command, socksAddress("127.0.0.1", 80)));
    const answer = new Uint8Array(2 + 10);
    await readFull(conn, answer);
    assertEquals(answer[3], Reply.CommandNotSupported);
    assertEquals(await conn.read(new Uint8Array(1)), null, "closed after the reply");
    conn.close();
  }
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.port });
  await writeAll(conn, Uint8Array.of(5, 1, 0, 5, 1, 0, 5, 1, 0, 9, 1, 2, 3, 4));
  const answer = new Uint8Array(2 + 10);
  await readFull(conn, answer);
  assertEquals(answer[3], Reply.AddressTypeNotSupported);
  conn.close();
  await proxy.finished(3);
});

Deno.test("socks5: a client that stalls mid-handshake is closed at the limit", async () => {
  await using proxy = startProxy({ handshakeTimeoutMs: 200 });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.port });
  await writeAll(conn, Uint8Array.of(5, 2, 0)); // promises two methods, sends one
  const started = performance.now();
  assertEquals(await conn.read(new Uint8Array(8)), null);
  const waited = performance.now() - started;
  assert(waited >= 150 && waited < 5_000, `closed after ${waited} ms`);
  conn.close();
  await proxy.finished(1);
  assertInstanceOf(proxy.outcomes[0].error, Socks5TimeoutError);
});

Deno.test("socks5: bytes sent right behind the request reach the target", async () => {
  await using target = await startHttpTarget();
  await using proxy = startProxy();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.port });
  const request = new TextEncoder().encode(
    `GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  );
  await writeAll(conn, encodeGreeting([0]));
  await writeAll(
    conn,
    new Uint8Array([...encodeRequest(1, socksAddress("127.0.0.1", target.port)), ...request]),
  );
  const head = new Uint8Array(2 + 10);
  await readFull(conn, head);
  assertEquals(head[3], 0);
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(4096);
  for (let n; (n = await conn.read(buf)) !== null;) chunks.push(buf.slice(0, n));
  conn.close();
  assertMatch(text(new Uint8Array(chunks.flatMap((c) => [...c]))), /hello from 127\.0\.0\.1/);
});

Deno.test("socks5: another version byte closes the connection without a reply", async () => {
  await using proxy = startProxy();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.port });
  await writeAll(conn, Uint8Array.of(4, 1, 0, 80, 127, 0, 0, 1, 0));
  assertEquals(await conn.read(new Uint8Array(8)), null);
  conn.close();
  await proxy.finished(1);
  assertEquals(proxy.outcomes[0].reply, undefined);
});
