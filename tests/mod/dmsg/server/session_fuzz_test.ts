import { assert, assertEquals } from "@std/assert";
import { generateKeyPair, type KeyPair } from "../../../../mod/cipher/mod.ts";
import { writeAll } from "../../../../mod/conn/mod.ts";
import { performHandshake } from "../../../../mod/noise/mod.ts";
import { captureLogger } from "../../../_util/capture_logger.ts";
import { echo, roundTrip, testNetwork, waitFor } from "../_harness.ts";
import { mutate, Prng } from "../_fuzz.ts";
import { craftRequest, rawSession } from "./_raw.ts";

const STREAM_INPUTS = 2_000;
const RAW_SESSIONS = 100;

Deno.test(`server survives ${STREAM_INPUTS} random stream objects and ${RAW_SESSIONS} garbage sessions`, async () => {
  await using net = await testNetwork();
  const logger = captureLogger("warn");
  const server = await net.server({ logger, streamHandshakeTimeoutMs: 1_000 });
  const b = await net.client();
  await b.ready();
  const listener = b.listen(7);
  const served = (async () => {
    for await (const stream of listener) echo(stream);
  })();
  await using raw = await rawSession(server);
  const rng = new Prng(0xf00d);
  const seeds = [
    craftRequest(raw.keys, b.pk),
    craftRequest(raw.keys, b.pk, { DstAddr: { PK: b.pk, Port: 99 } }),
    craftRequest(raw.keys, server.pk, { DstAddr: { PK: server.pk, Port: 80 } }),
  ];
  const earlier: Uint8Array[] = [];
  let answered = 0;
  let next = 0;
  const worker = async () => {
    while (next < STREAM_INPUTS) {
      next++;
      const stream = await raw.session.open();
      try {
        const kind = rng.int(10);
        if (kind < 3) {
          // Raw bytes where an encrypted object belongs.
          await writeAll(stream, rng.bytes(rng.int(300)));
        } else if (kind < 6) {
          await raw.session.writeObject(stream, rng.bytes(rng.int(400)));
        } else if (kind < 9) {
          await raw.session.writeObject(stream, mutate(rng, rng.pick(seeds), 65));
        } else if (earlier.length > 0) {
          // A replayed object: its nonce was seen already.
          await writeAll(stream, rng.pick(earlier));
        } else {
          const frame = raw.session.objects.encryptObject(rng.pick(seeds));
          earlier.push(frame);
          await writeAll(stream, frame);
        }
        await stream.closeWrite();
        const answer = await raw.session.readObject(stream).catch(() => null);
        if (answer !== null) answered++;
      } finally {
        stream.close();
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  assert(answered < STREAM_INPUTS / 10, `answered ${answered}`);

  // Sessions that finish the XK handshake and then send garbage instead of yamux frames.
  for (let i = 0; i < RAW_SESSIONS; i++) {
    const keys: KeyPair = generateKeyPair();
    const [host, port] = server.address.split(":");
    const conn = await Deno.connect({ hostname: host, port: Number(port) });
    try {
      await performHandshake({
        stream: conn,
        pattern: "XK",
        initiator: true,
        localKeyPair: keys,
        remoteStatic: server.pk,
      });
      await writeAll(conn, rng.bytes(1 + rng.int(200))).catch(() => {});
      // The server ends the session on a protocol error, or waits for more; either way it
      // must not crash. Read what comes back (GoAway) until it closes or we give up.
      const timer = setTimeout(() => conn.close(), 200);
      try {
        while ((await conn.read(new Uint8Array(64))) !== null) { /* drain */ }
      } catch {
        // Closed by the timer.
      } finally {
        clearTimeout(timer);
      }
    } finally {
      try {
        conn.close();
      } catch {
        // Closed by the timer.
      }
    }
  }

  // Still serving: a proper stream over the same raw session works.
  const stream = await raw.endpoint.dial(raw.session, { pk: b.pk, port: 7 });
  const data = new TextEncoder().encode("alive");
  assertEquals(await roundTrip(stream, data), data);
  stream.close();
  await waitFor("garbage sessions gone", () => server.sessionCount() === 2, 20_000);
  await waitFor("relays drained", () => server.stats().relays === 0, 20_000);
  assertEquals(server.stats().sessionHandshakes, 0);
  assertEquals(server.stats().pendingRelays, 0);
  assertEquals(logger.lines.filter((line) => line.includes("unexpected")), []);
  listener.close();
  await served;
});
