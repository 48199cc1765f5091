import { assert, assertEquals, assertInstanceOf, assertRejects } from "@std/assert";
import { generateKeyPair } from "../../../mod/cipher/mod.ts";
import { readFull, writeAll } from "../../../mod/conn/mod.ts";
import {
  decodeFrame1,
  encodeFrame2,
  encryptStream,
  initiatorHandshake,
  NetworkHandshakeError,
  responderHandshake,
  signFrame2,
  TRANSPORT_PORT,
} from "../../../mod/transport/mod.ts";
import { readJsonLine } from "../../../mod/transport/_line.ts";
import { isClosedLocally, readToEnd, tcpPair, text, utf8 } from "./_helpers.ts";

const portCheck = (port: number) =>
  port === TRANSPORT_PORT ? undefined : "not listening on given port";

Deno.test("network handshake and Noise KK over real TCP, both sides ours", async () => {
  await using pair = await tcpPair();
  const a = generateKeyPair(), b = generateKeyPair();
  const [init, resp] = await Promise.all([
    initiatorHandshake({
      stream: pair.client,
      keyPair: a,
      localPort: 49153,
      remote: { pk: b.pk, port: TRANSPORT_PORT },
    }),
    responderHandshake({ stream: pair.server, checkPort: portCheck, localPk: b.pk }),
  ]);
  assert(init.localAddr.pk.equals(a.pk));
  assertEquals(init.localAddr.port, 49153);
  assert(init.remoteAddr.pk.equals(b.pk));
  assert(resp.remoteAddr.pk.equals(a.pk));
  assertEquals(resp.remoteAddr.port, 49153);
  assertEquals(resp.localAddr.port, TRANSPORT_PORT);

  const [ea, eb] = await Promise.all([
    encryptStream({ stream: pair.client, keyPair: a, remotePk: b.pk, initiator: true }),
    encryptStream({ stream: pair.server, keyPair: b, remotePk: a.pk, initiator: false }),
  ]);
  assert(ea.remoteStatic.equals(b.pk));
  await writeAll(ea, utf8("ping over noise"));
  const got = new Uint8Array(15);
  await readFull(eb, got);
  assertEquals(text(got), "ping over noise");
  const big = crypto.getRandomValues(new Uint8Array(20_000));
  await Promise.all([
    writeAll(eb, big),
    (async () => {
      const back = new Uint8Array(big.length);
      await readFull(ea, back);
      assertEquals(back, big);
    })(),
  ]);
  ea.close();
  eb.close();
});

Deno.test("a refused port: the initiator gets Go's ErrMsg, both connections close", async () => {
  await using pair = await tcpPair();
  const a = generateKeyPair(), b = generateKeyPair();
  const [init, resp] = await Promise.allSettled([
    initiatorHandshake({
      stream: pair.client,
      keyPair: a,
      localPort: 49153,
      remote: { pk: b.pk, port: 46 },
    }),
    responderHandshake({ stream: pair.server, checkPort: portCheck }),
  ]);
  assert(init.status === "rejected" && resp.status === "rejected");
  assertInstanceOf(init.reason, NetworkHandshakeError);
  assertEquals(init.reason.step, "result");
  assertEquals(init.reason.remoteMessage, "not listening on given port");
  assertEquals(
    init.reason.message,
    "handshake failed: handshake rejected: not listening on given port",
  );
  assertInstanceOf(resp.reason, NetworkHandshakeError);
  assertEquals(resp.reason.step, "port");
  assert(await isClosedLocally(pair.client));
  assert(await isClosedLocally(pair.server));
});

Deno.test("a Frame2 for another key is refused when the responder knows its key", async () => {
  await using pair = await tcpPair();
  const a = generateKeyPair(), b = generateKeyPair(), c = generateKeyPair();
  const [init, resp] = await Promise.allSettled([
    initiatorHandshake({
      stream: pair.client,
      keyPair: a,
      localPort: 50000,
      remote: { pk: c.pk, port: 45 },
    }),
    responderHandshake({ stream: pair.server, checkPort: portCheck, localPk: b.pk }),
  ]);
  assert(init.status === "rejected" && resp.status === "rejected");
  assertEquals((init.reason as NetworkHandshakeError).step, "result");
  assertEquals((resp.reason as NetworkHandshakeError).step, "port");
});

Deno.test("a bad signature or nonce: closed without an answer, as Go does", async () => {
  for (const tamper of ["signature", "nonce"] as const) {
    await using pair = await tcpPair();
    const a = generateKeyPair(), b = generateKeyPair(), liar = generateKeyPair();
    const responder = responderHandshake({ stream: pair.server, checkPort: portCheck });
    await writeAll(pair.client, utf8("get_nonce"));
    const nonce = decodeFrame1(await readJsonLine(pair.client, 4096, "Frame1"));
    if (tamper === "nonce") nonce[0] ^= 1;
    const frame = signFrame2({
      srcAddr: { pk: a.pk, port: 49153 },
      dstAddr: { pk: b.pk, port: 45 },
      nonce,
    }, liar.sk);
    // The liar claims to be `a`: the signature is not a's.
    const claimed = tamper === "signature"
      ? { ...frame, srcAddr: { pk: a.pk, port: 49153 } }
      : frame;
    await writeAll(pair.client, encodeFrame2(claimed));
    const error = await assertRejects(() => responder, NetworkHandshakeError);
    assertEquals(error.step, "verify", tamper);
    assertEquals((await readToEnd(pair.client)).length, 0, "no Frame3 after a failed verification");
  }
});

Deno.test("a silent peer times out with a typed error on both sides", async () => {
  {
    await using pair = await tcpPair();
    const started = Date.now();
    const error = await assertRejects(
      () => responderHandshake({ stream: pair.server, timeoutMs: 150 }),
      NetworkHandshakeError,
    );
    assertEquals(error.step, "timeout");
    assert(Date.now() - started < 2_000);
    assertEquals((await readToEnd(pair.client)).length, 0);
  }
  {
    await using pair = await tcpPair();
    const a = generateKeyPair(), b = generateKeyPair();
    const error = await assertRejects(
      () =>
        initiatorHandshake({
          stream: pair.client,
          keyPair: a,
          localPort: 49153,
          remote: { pk: b.pk, port: 45 },
          timeoutMs: 150,
        }),
      NetworkHandshakeError,
    );
    assertEquals(error.step, "timeout");
    assertEquals(text(await readToEnd(pair.server)), "get_nonce");
  }
});

Deno.test("an aborted handshake closes the connection and rejects with the reason", async () => {
  await using pair = await tcpPair();
  const controller = new AbortController();
  const pending = responderHandshake({ stream: pair.server, signal: controller.signal });
  controller.abort(new Error("shutting down"));
  await assertRejects(() => pending, Error, "shutting down");
  assertEquals((await readToEnd(pair.client)).length, 0);
});

Deno.test("the Noise wrap fails with a typed error when the peer's key is not who it claims", async () => {
  await using pair = await tcpPair();
  const a = generateKeyPair(), b = generateKeyPair(), other = generateKeyPair();
  const [ea, eb] = await Promise.allSettled([
    encryptStream({
      stream: pair.client,
      keyPair: a,
      remotePk: b.pk,
      initiator: true,
      timeoutMs: 500,
    }),
    encryptStream({
      stream: pair.server,
      keyPair: b,
      remotePk: other.pk,
      initiator: false,
      timeoutMs: 500,
    }),
  ]);
  assert(ea.status === "rejected" && eb.status === "rejected");
  assertInstanceOf(ea.reason, NetworkHandshakeError);
  assertInstanceOf(eb.reason, NetworkHandshakeError);
  assert(["encrypt", "timeout"].includes(eb.reason.step));
});
