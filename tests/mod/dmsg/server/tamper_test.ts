import { assertEquals, assertRejects } from "@std/assert";
import { readFull, writeAll } from "../../../../mod/conn/mod.ts";
import { DiscoveryClient } from "../../../../mod/dmsg/mod.ts";
import { NoiseDecryptError } from "../../../../mod/noise/mod.ts";
import { testNetwork, waitFor } from "../_harness.ts";

// XK messages with empty payloads, each behind a 2-byte length: the client sends 49 bytes,
// waits for the server's 49, then sends 65.
const CLIENT_HANDSHAKE_MESSAGES = [2 + 49, 2 + 65];
const YAMUX_HEADER = 12;

/**
 * A TCP proxy between a dmsg client and its server that flips one byte of the first yamux
 * data payload the client sends after `arm()`. yamux frames on a dmsg session are not
 * encrypted at session level, so the proxy can find payloads; the payload itself is the
 * stream's KK ciphertext, which the server relays without reading.
 */
function tamperProxy(target: string) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [host, port] = target.split(":");
  let armed = false;
  let flipped = 0;
  const tasks: Promise<unknown>[] = [];
  const conns: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const inbound of listener) {
      const outbound = await Deno.connect({ hostname: host, port: Number(port) });
      conns.push(inbound, outbound);
      tasks.push(copyPlain(outbound, inbound), copyTampering(inbound, outbound));
    }
  })();
  async function copyPlain(from: Deno.Conn, to: Deno.Conn) {
    const buf = new Uint8Array(65536);
    try {
      for (;;) {
        const n = await from.read(buf);
        if (n === null) break;
        await writeAll(to, buf.subarray(0, n));
      }
    } catch {
      // Closed at the end of the test.
    }
  }
  async function copyTampering(from: Deno.Conn, to: Deno.Conn) {
    try {
      for (const size of CLIENT_HANDSHAKE_MESSAGES) {
        const message = new Uint8Array(size);
        await readFull(from, message);
        await writeAll(to, message);
      }
      const header = new Uint8Array(YAMUX_HEADER);
      for (;;) {
        await readFull(from, header);
        const view = new DataView(header.buffer);
        const length = header[1] === 0 ? view.getUint32(8) : 0; // type 0 = data
        const payload = new Uint8Array(length);
        await readFull(from, payload);
        if (armed && length > 0 && flipped === 0) {
          payload[length >> 1] ^= 0x40;
          flipped++;
        }
        await writeAll(to, header);
        await writeAll(to, payload);
      }
    } catch {
      // Closed at the end of the test.
    }
  }
  return {
    address: `127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    arm: () => armed = true,
    get flipped() {
      return flipped;
    },
    async close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // Already closed.
        }
      }
      await accepting.catch(() => {});
      await Promise.all(tasks);
    },
  };
}

Deno.test("a byte tampered on the relay path fails the KK stream at the receiver", async () => {
  await using net = await testNetwork();
  const server = await net.server();
  const proxy = tamperProxy(server.address);
  try {
    const entry = await new DiscoveryClient({ url: net.url }).getEntry(server.pk);
    const a = await net.client({
      servers: [{ ...entry, server: { ...entry.server!, address: proxy.address } }],
    });
    const b = await net.client();
    await Promise.all([a.ready(), b.ready()]);
    assertEquals(a.sessions().map((s) => s.address), [proxy.address]);
    const listener = b.listen(7);
    const accepted = listener.accept();
    const stream = await a.dialStream({ pk: b.pk, port: 7 });
    const far = (await accepted)!;
    // Untampered bytes pass.
    await writeAll(stream, new TextEncoder().encode("clean"));
    const clean = new Uint8Array(5);
    await readFull(far, clean);
    assertEquals(new TextDecoder().decode(clean), "clean");
    proxy.arm();
    await writeAll(stream, new TextEncoder().encode("tampered on the way"));
    await assertRejects(() => far.read(new Uint8Array(64)), NoiseDecryptError);
    assertEquals(proxy.flipped, 1);
    // The server only relayed: A's session is still up.
    assertEquals(server.sessionCount(), 2);
    stream.close();
    listener.close();
    await waitFor("relay ended", () => server.stats().piping === 0);
  } finally {
    await proxy.close();
  }
});
