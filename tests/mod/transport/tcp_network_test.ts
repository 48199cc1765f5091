/** The stcp and stcpr networks over real TCP. */
import { assert, assertEquals, assertInstanceOf, assertRejects, assertThrows } from "@std/assert";
import { generateKeyPair, type PubKey } from "../../../mod/cipher/mod.ts";
import { readFull, writeAll } from "../../../mod/conn/mod.ts";
import {
  AddressNotFoundError,
  type AddressResolver,
  createStcpNetwork,
  createStcprNetwork,
  NetworkHandshakeError,
  type ResolvedAddress,
  stcprCandidates,
  TransportError,
} from "../../../mod/transport/mod.ts";
import { readToEnd, text, utf8 } from "./_helpers.ts";
import { freePort } from "../../_util/ports.ts";

Deno.test("stcp: dial by the PK table, accept on a listened port, bytes flow under Noise", async () => {
  const a = generateKeyPair(), b = generateKeyPair();
  const table = new Map<string, string>();
  const na = createStcpNetwork({ keyPair: a, pkTable: table, listeningAddress: "127.0.0.1:0" });
  const nb = createStcpNetwork({ keyPair: b, pkTable: table, listeningAddress: "127.0.0.1:0" });
  await na.start();
  await nb.start();
  table.set(b.pk.hex(), `127.0.0.1:${nb.listenAddr!.port}`);
  const listener = nb.listen(45);
  try {
    const [dialed, accepted] = await Promise.all([na.dial(b.pk, 45), listener.accept()]);
    assert(dialed.initiator && !accepted!.initiator);
    assert(accepted!.remoteAddr.pk.equals(a.pk));
    assertEquals(accepted!.remoteAddr.port, dialed.localAddr.port);
    assert(dialed.localAddr.port >= 49152);
    assertEquals(dialed.remoteRawAddr, table.get(b.pk.hex()));
    await writeAll(dialed, utf8("hi"));
    const got = new Uint8Array(2);
    await readFull(accepted!, got);
    assertEquals(text(got), "hi");
    dialed.close();
    accepted!.close();

    // Not in the table: Go's words.
    const error = await assertRejects(
      () => na.dial(generateKeyPair().pk, 45),
      AddressNotFoundError,
    );
    assertEquals(error.message, "entry not found in PK table");
    // A port nobody listens on: the responder refuses, and keeps accepting afterwards.
    const refused = await assertRejects(() => na.dial(b.pk, 46), NetworkHandshakeError);
    assertEquals(refused.remoteMessage, "not listening on given port");
    const again = await Promise.all([na.dial(b.pk, 45), listener.accept()]);
    again.forEach((conn) => conn!.close());
    assertThrows(() => nb.listen(45), TransportError, "port is already occupied");
  } finally {
    await na.close();
    await nb.close();
  }
  assertEquals(await listener.accept(), null);
});

Deno.test("inbound handshakes are bounded; the ones past the limit are closed at once", async () => {
  const b = generateKeyPair();
  const nb = createStcpNetwork({
    keyPair: b,
    pkTable: {},
    listeningAddress: "127.0.0.1:0",
    tuning: { maxPendingHandshakes: 4, handshakeTimeoutMs: 2_000 },
  });
  await nb.start();
  nb.listen(45);
  const conns: Deno.TcpConn[] = [];
  try {
    for (let i = 0; i < 10; i++) {
      conns.push(await Deno.connect({ hostname: "127.0.0.1", port: nb.listenAddr!.port }));
    }
    // Six of the ten are closed at once, four wait in their (silent) handshakes.
    const ends = await Promise.all(
      conns.map((conn) =>
        Promise.race([
          readToEnd(conn, 1_000).then(() => "closed"),
          new Promise((resolve) => setTimeout(() => resolve("held"), 500)),
        ])
      ),
    );
    assertEquals(ends.filter((end) => end === "closed").length, 6);
    assertEquals(nb.pendingHandshakes, 4);
  } finally {
    await nb.close();
    conns.forEach((conn) => conn.close());
  }
  assertEquals(nb.pendingHandshakes, 0);
});

class MemoryResolver implements AddressResolver {
  readonly bound: { port: number; addresses: string[] }[] = [];
  readonly table = new Map<string, ResolvedAddress>();

  bind(port: number, addresses: string[]): Promise<void> {
    this.bound.push({ port, addresses });
    return Promise.resolve();
  }

  resolve(pk: PubKey): Promise<ResolvedAddress> {
    const found = this.table.get(pk.hex());
    return found ? Promise.resolve(found) : Promise.reject(new Error("entry not found"));
  }
}

Deno.test("stcpr: binds its port at the resolver once listening, dials what the resolver answers", async () => {
  const a = generateKeyPair(), b = generateKeyPair();
  const resolver = new MemoryResolver();
  const na = createStcprNetwork({
    keyPair: a,
    resolver,
    hostname: "127.0.0.1",
    localAddresses: () => [],
  });
  const nb = createStcprNetwork({
    keyPair: b,
    resolver,
    hostname: "127.0.0.1",
    localAddresses: () => ["127.0.0.1"],
  });
  await na.start();
  await nb.start();
  const listener = nb.listen(45);
  try {
    const port = nb.listenAddr!.port;
    assertEquals(resolver.bound.find((bind) => bind.port === port)?.addresses, ["127.0.0.1"]);
    // The resolver saw b from a public address we share, so b's own addresses go first.
    resolver.table.set(b.pk.hex(), {
      remoteAddr: "192.0.2.1",
      isLocal: true,
      port: String(port),
      addresses: ["127.0.0.1"],
    });
    const [dialed, accepted] = await Promise.all([na.dial(b.pk, 45), listener.accept()]);
    assertEquals(dialed.remoteRawAddr, `127.0.0.1:${port}`);
    assertEquals(dialed.type, "stcpr");
    dialed.close();
    accepted!.close();
    const missing = await assertRejects(
      () => na.dial(generateKeyPair().pk, 45),
      AddressNotFoundError,
    );
    assert(missing.message.startsWith("resolve PK:"));
  } finally {
    await na.close();
    await nb.close();
  }
});

Deno.test("stcpr candidates follow Go's order", () => {
  assertEquals(
    stcprCandidates({
      remoteAddr: "203.0.113.7",
      isLocal: false,
      port: "7000",
      addresses: ["10.0.0.2"],
    }),
    ["203.0.113.7:7000"],
  );
  assertEquals(
    stcprCandidates({
      remoteAddr: "203.0.113.7:7001",
      isLocal: true,
      port: "7000",
      addresses: ["10.0.0.2", "fd00::2"],
    }),
    ["10.0.0.2:7000", "[fd00::2]:7000", "203.0.113.7:7001"],
  );
});

Deno.test("a dial that cannot connect fails with the connect error; a closed network refuses", async () => {
  const a = generateKeyPair(), b = generateKeyPair();
  const deadPort = freePort();
  const na = createStcpNetwork({ keyPair: a, pkTable: { [b.pk.hex()]: `127.0.0.1:${deadPort}` } });
  await na.start();
  const error = await assertRejects(() => na.dial(b.pk, 45));
  assertInstanceOf(error, Deno.errors.ConnectionRefused);
  await na.close();
  await assertRejects(() => na.dial(b.pk, 45), TransportError);
});
