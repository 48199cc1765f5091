import { assert, assertEquals, assertGreaterOrEqual, assertLess, assertRejects } from "@std/assert";
import { join } from "node:path";
import { type HttpService, serveHttp } from "../../../mod/http/mod.ts";
import { type TlsCredentials, TlsFileError, writeSelfSigned } from "../../../mod/tls/mod.ts";
import { Prng } from "../../_util/prng.ts";
import { tempDir } from "../../_util/temp_dir.ts";

const dir = await Deno.makeTempDir({ prefix: "skywire-tls-" });
const CREDS: TlsCredentials = await writeSelfSigned({ dir, hosts: ["localhost", "127.0.0.1"] });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

function serveTls(limits: Parameters<typeof serveHttp>[0]["limits"] = {}): Promise<HttpService> {
  return serveHttp({
    addr: "127.0.0.1:0",
    tls: CREDS,
    limits,
    fetch: (request, info) => new Response(`${request.url} ${info.remoteAddr.hostname}`),
  });
}

async function httpsText(service: HttpService, path = "/"): Promise<string> {
  using client = Deno.createHttpClient({ caCerts: [CREDS.cert] });
  const response = await fetch(service.url + path, { client });
  return await response.text();
}

/** Resolves `true` when the server closes `conn` within `ms`, `false` when it is still open. */
async function closedWithin(conn: Deno.Conn, ms: number): Promise<boolean> {
  const buf = new Uint8Array(4096);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const wait = new Promise<"open">((resolve) => timer = setTimeout(() => resolve("open"), ms));
  try {
    for (;;) {
      const got = await Promise.race([conn.read(buf).catch(() => null), wait]);
      if (got === null) return true;
      if (got === "open") return false;
    }
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("serveHttp with tls answers HTTPS to a client that trusts the certificate", async () => {
  const service = await serveTls();
  try {
    assert(service.url.startsWith("https://127.0.0.1:"), service.url);
    // The handler sees an https URL, so redirects and same-origin checks agree with the browser.
    assertEquals(await httpsText(service, "/x?y=1"), `${service.url}/x?y=1 127.0.0.1`);
    // A client that does not trust the certificate is refused by its own TLS.
    await assertRejects(() => fetch(service.url));
  } finally {
    await service.close();
  }
});

Deno.test("large bodies both ways and kept-alive requests over TLS", async () => {
  const service = await serveHttp({
    addr: "127.0.0.1:0",
    tls: CREDS,
    fetch: async (request) => {
      const body = new Uint8Array(await request.arrayBuffer());
      // Echo twice over, so the answer is larger than what came in.
      const out = new Uint8Array(body.length * 2);
      out.set(body);
      out.set(body, body.length);
      return new Response(out);
    },
  });
  using client = Deno.createHttpClient({ caCerts: [CREDS.cert] });
  try {
    const body = new Uint8Array(1 << 20);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 0xff;
    for (let round = 0; round < 3; round++) {
      const response = await fetch(service.url, { method: "POST", body, client });
      const got = new Uint8Array(await response.arrayBuffer());
      assertEquals(got.length, body.length * 2);
      assertEquals(got.subarray(body.length, body.length + 64), body.subarray(0, 64));
      assertEquals(got[got.length - 1], body[body.length - 1]);
    }
    // Three requests, one kept-alive connection.
    assertEquals(service.connections, 1);
  } finally {
    await service.close();
  }
});

Deno.test("plain HTTP to the TLS port fails cleanly and the server goes on", async () => {
  const service = await serveTls();
  try {
    await assertRejects(() => fetch(service.url.replace("https:", "http:")));
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: service.port });
    await conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    // Whatever TLS alert comes back, no HTTP answer does, and the connection ends.
    const buf = new Uint8Array(1024);
    const n = await conn.read(buf).catch(() => null);
    assert(n === null || !new TextDecoder().decode(buf.subarray(0, n)).startsWith("HTTP/"));
    assert(await closedWithin(conn, 2_000), "closed by the server");
    conn.close();
    assertEquals(service.connections, 0);
    assertEquals((await httpsText(service)).endsWith(" 127.0.0.1"), true);
  } finally {
    await service.close();
  }
});

Deno.test("a stalled TLS handshake is dropped after its budget and frees its per-IP slot", async () => {
  const { connect } = await import("node:net");
  const budget = 250;
  const service = await serveTls({ tlsHandshakeTimeoutMs: budget, maxConnectionsPerIp: 2 });
  const sockets: Array<import("node:net").Socket> = [];
  const open = (onClose: () => void) => {
    const socket = connect({ host: "127.0.0.1", port: service.port, localAddress: "127.0.0.2" });
    socket.on("close", onClose);
    socket.on("error", () => {});
    sockets.push(socket);
    return socket;
  };
  try {
    const start = performance.now();
    const closedAt: number[] = [];
    // Two silent clients fill 127.0.0.2's slots; a third is refused at once.
    open(() => closedAt.push(performance.now() - start));
    open(() => closedAt.push(performance.now() - start));
    await new Promise((r) => setTimeout(r, 50));
    let thirdClosed = -1;
    open(() => thirdClosed = performance.now() - start);
    while (closedAt.length < 2) await new Promise((r) => setTimeout(r, 10));
    // Refused, not held: it is gone before the held ones' budget ran out (compared with them
    // rather than with the clock, which a loaded machine stretches).
    assert(
      thirdClosed >= 0 && thirdClosed < Math.min(...closedAt),
      `third refused at once (${thirdClosed}, held ones closed at ${closedAt})`,
    );
    for (const at of closedAt) {
      assertGreaterOrEqual(at, budget - 20);
      assertLess(at, budget + 2_000);
    }
    // The slots are free again: a new client from 127.0.0.2 is held, not refused.
    let fourthClosed = false;
    open(() => fourthClosed = true);
    await new Promise((r) => setTimeout(r, 100));
    assertEquals(fourthClosed, false);
    assertEquals(service.connections, 1);
  } finally {
    for (const socket of sockets) socket.destroy();
    await service.close();
  }
});

Deno.test("a bad certificate or a key of another pair is an error naming the file", async () => {
  await using temp = await tempDir();
  const other = await writeSelfSigned({ dir: join(temp.path, "other"), hosts: ["localhost"] });
  const mismatch = await assertRejects(
    () =>
      serveHttp({
        addr: "127.0.0.1:0",
        tls: { ...CREDS, key: other.key, keyFile: other.keyFile },
        fetch: () => new Response(),
      }),
    TlsFileError,
  );
  assertEquals(mismatch.file, CREDS.certFile);
  assert(mismatch.message.includes(other.keyFile), mismatch.message);
  // Bytes that look like PEM but are not a certificate.
  const corrupt = CREDS.cert.replace(/^(-----BEGIN CERTIFICATE-----\n)..../, "$1AAAA");
  await assertRejects(
    () =>
      serveHttp({
        addr: "127.0.0.1:0",
        tls: { ...CREDS, cert: corrupt },
        fetch: () => new Response(),
      }),
    TlsFileError,
  );
});

/** The first bytes a real TLS client sends (its ClientHello), seen by a plain TCP listener. */
async function captureClientHello(): Promise<Uint8Array> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const dialing = Deno.connectTls({ hostname: "127.0.0.1", port: listener.addr.port })
    .then((conn) => conn.handshake().finally(() => conn.close()))
    .catch(() => {});
  const conn = await listener.accept();
  const buf = new Uint8Array(4096);
  const n = (await conn.read(buf)) ?? 0;
  conn.close();
  listener.close();
  await dialing;
  return buf.slice(0, n);
}

Deno.test("random and mutated handshakes are dropped cleanly; the server stays up", async () => {
  const service = await serveTls({ tlsHandshakeTimeoutMs: 500 });
  const prng = new Prng(0x715);
  const hello = await captureClientHello();
  assertEquals(hello[0], 0x16, "a TLS handshake record");
  try {
    const rounds = 40;
    await Promise.all(Array.from({ length: rounds }, async (_, i) => {
      let bytes: Uint8Array;
      if (i % 2 === 0) {
        bytes = new Uint8Array(1 + (prng.u32() % 600));
        for (let j = 0; j < bytes.length; j++) bytes[j] = prng.u32() & 0xff;
      } else {
        bytes = hello.slice(0, 1 + (prng.u32() % hello.length));
        for (let m = 1 + (prng.u32() % 6); m > 0; m--) {
          bytes[prng.u32() % bytes.length] = prng.u32() & 0xff;
        }
      }
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: service.port });
      try {
        await conn.write(bytes).catch(() => {});
        assert(await closedWithin(conn, 3_000), `round ${i}: connection ended`);
      } finally {
        conn.close();
      }
    }));
    assertEquals(service.connections, 0);
    assert((await httpsText(service)).endsWith(" 127.0.0.1"), "still serving");
  } finally {
    await service.close();
  }
});
