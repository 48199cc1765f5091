import { assertEquals } from "@std/assert";
import { generateKeyPair, type KeyPair } from "../../../../mod/cipher/mod.ts";
import { type ByteStream, writeAll } from "../../../../mod/conn/mod.ts";
import { type DmsgServer, DmsgSession, StreamEndpoint } from "../../../../mod/dmsg/mod.ts";
import { performHandshake } from "../../../../mod/noise/mod.ts";
import { echo, roundTrip, testNetwork, waitFor } from "../_harness.ts";
import { rawSession } from "./_raw.ts";

// A connection whose last handshake message (the initiator's second write) goes out without its
// final byte until `finish`: the client has "sent" it and counts its session as up, the server
// has not registered it yet. This is the moment a dial to that client used to be refused.
class LastByteHeld implements ByteStream {
  readonly #conn: Deno.TcpConn;
  #writes = 0;
  #held: Uint8Array | undefined;

  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  read(p: Uint8Array): Promise<number | null> {
    return this.#conn.read(p);
  }

  async write(p: Uint8Array): Promise<number> {
    if (++this.#writes !== 2) return await this.#conn.write(p);
    await writeAll(this.#conn, p.subarray(0, p.length - 1));
    this.#held = p.slice(p.length - 1);
    return p.length;
  }

  async finish(): Promise<void> {
    await writeAll(this.#conn, this.#held!);
  }

  close(): void {
    this.#conn.close();
  }
}

async function lateSession(server: DmsgServer, keys: KeyPair) {
  const [hostname, port] = server.address.split(":");
  const tcp = await Deno.connect({ hostname, port: Number(port) });
  const conn = new LastByteHeld(tcp);
  const sessionKeys = await performHandshake({
    stream: conn,
    pattern: "XK",
    initiator: true,
    localKeyPair: keys,
    remoteStatic: server.pk,
  });
  const session = new DmsgSession({
    conn,
    keys: sessionKeys,
    role: "client",
    localPk: keys.pk,
    address: server.address,
  });
  return { conn, session };
}

Deno.test("server: a dial to a client whose session is still registering waits for it", async () => {
  await using net = await testNetwork();
  const server = await net.server();
  const keys = generateKeyPair();
  const { conn, session } = await lateSession(server, keys);
  const endpoint = new StreamEndpoint({ keyPair: keys });
  const listener = endpoint.listen(7);
  const serving = (async () => {
    for (;;) {
      const stream = await session.accept();
      if (stream === null) return;
      endpoint.serveIncoming(session, stream);
    }
  })();
  const echoing = (async () => {
    for await (const stream of listener) echo(stream);
  })();
  await using dialer = await rawSession(server);
  const dial = dialer.endpoint.dial(dialer.session, { pk: keys.pk, port: 7 });
  await waitFor("request waits for the session", () => server.stats().awaitingArrival === 1);
  await conn.finish();
  const stream = await dial;
  const data = new TextEncoder().encode("registered in time");
  assertEquals(await roundTrip(stream, data), data);
  stream.close();
  assertEquals(server.stats().awaitingArrival, 0);
  listener.close();
  await echoing;
  endpoint.close();
  await session.close();
  await serving;
});

Deno.test("server: a dial waiting for a registering client fails once that handshake fails", async () => {
  await using net = await testNetwork();
  const server = await net.server();
  const keys = generateKeyPair();
  const { session } = await lateSession(server, keys);
  await using dialer = await rawSession(server);
  const dial = dialer.endpoint.dial(dialer.session, { pk: keys.pk, port: 7 }).then(
    () => "dialed",
    (error) => `refused ${error.code}`,
  );
  await waitFor("request waits for the session", () => server.stats().awaitingArrival === 1);
  await session.close(); // closes the connection: the server's handshake reads EOF
  assertEquals(await dial, "refused 306");
  assertEquals(server.stats().awaitingArrival, 0);
  assertEquals(server.stats().arriving, 0);
});
