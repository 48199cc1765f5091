import { assertEquals, assertRejects } from "@std/assert";
import { generateKeyPair, type KeyPair } from "../../../../mod/cipher/mod.ts";
import { DiscoveryClient, DmsgError, type DmsgServer } from "../../../../mod/dmsg/mod.ts";
import { echo, roundTrip, type TestNetwork, testNetwork, waitFor } from "../_harness.ts";
import { freePort } from "../../../_util/ports.ts";

const text = new TextEncoder();

// Servers on fixed ports picked by binding first, so each can name the others as peers.
function freeAddress(): string {
  return `127.0.0.1:${freePort()}`;
}

async function meshServers(net: TestNetwork, links: Array<[number, number]>, count: number) {
  const keys: KeyPair[] = Array.from({ length: count }, () => generateKeyPair());
  const addrs = keys.map(() => freeAddress());
  const servers: DmsgServer[] = [];
  for (let i = 0; i < count; i++) {
    const peers = links.flatMap(([x, y]) => x === i ? [y] : y === i ? [x] : [])
      .map((j) => ({ pk: keys[j].pk, address: addrs[j] }));
    servers.push(
      await net.server({ keys: keys[i], addr: addrs[i], peers, reconnectBaseMs: 50 }),
    );
  }
  await waitFor("peer links up", () =>
    servers.every((s, i) => {
      const degree = links.filter(([x, y]) => x === i || y === i).length;
      const stats = s.stats();
      return stats.peerLinksOut === degree && stats.peerLinksIn === degree;
    }));
  return servers;
}

async function clientOn(net: TestNetwork, server: DmsgServer) {
  const entry = await new DiscoveryClient({ url: net.url }).getEntry(server.pk);
  const client = await net.client({ servers: [entry] });
  await client.ready();
  assertEquals(client.sessions().map((s) => s.serverPk.hex()), [server.pk.hex()]);
  return client;
}

Deno.test("mesh: A on S1 dials B on S2 through S1's peer link", async () => {
  await using net = await testNetwork();
  const [s1, s2] = await meshServers(net, [[0, 1]], 2);
  const a = await clientOn(net, s1);
  const b = await clientOn(net, s2);
  const listener = b.listen(7);
  const served = (async () => {
    for await (const stream of listener) echo(stream);
  })();
  const stream = await a.dialStream({ pk: b.pk, port: 7 });
  // The ladder tried our session to S1 (the mesh) before opening one to S2.
  assertEquals(stream.serverPk.hex(), s1.pk.hex());
  assertEquals(a.sessions().length, 1);
  const data = text.encode("across the mesh");
  assertEquals(await roundTrip(stream, data), data);
  stream.close();
  listener.close();
  await served;
  await waitFor("relays drained", () => s1.stats().relays === 0 && s2.stats().relays === 0);
});

Deno.test("mesh: a request that came from a peer is not forwarded again (3 servers in a line)", async () => {
  await using net = await testNetwork();
  const [s1, s2, s3] = await meshServers(net, [[0, 1], [1, 2]], 3);
  const a = await clientOn(net, s1);
  const b = await clientOn(net, s3);
  const listener = b.listen(7);
  const error = await assertRejects(
    () => a.dialStream({ pk: b.pk, port: 7 }, { server: s1.pk }),
    DmsgError,
  );
  assertEquals(error.code, 306); // S2 ended the stream without an answer
  await waitFor(
    "nothing in flight",
    () => [s1, s2, s3].every((s) => s.stats().relays === 0 && s.stats().piping === 0),
  );
  listener.close();
});

Deno.test("mesh: a client dials a peer server's own listener through its server", async () => {
  await using net = await testNetwork();
  const [s1, s2] = await meshServers(net, [[0, 1]], 2);
  const a = await clientOn(net, s1);
  const health = s2.listen(80);
  const served = (async () => {
    for await (const stream of health) echo(stream);
  })();
  const stream = await a.dialStream({ pk: s2.pk, port: 80 }, { server: s1.pk });
  assertEquals(stream.serverPk.hex(), s1.pk.hex());
  const data = text.encode("GET /health");
  assertEquals(await roundTrip(stream, data), data);
  stream.close();
  health.close();
  await served;
});

Deno.test("mesh: a peer link that drops is dialed again", async () => {
  await using net = await testNetwork();
  const keys = [generateKeyPair(), generateKeyPair()];
  const addrs = [freeAddress(), freeAddress()];
  const s1 = await net.server({
    keys: keys[0],
    addr: addrs[0],
    peers: [{ pk: keys[1].pk, address: addrs[1] }],
    reconnectBaseMs: 50,
  });
  let s2 = await net.server({
    keys: keys[1],
    addr: addrs[1],
    peers: [{ pk: keys[0].pk, address: addrs[0] }],
  });
  await waitFor("link up", () => s1.stats().peerLinksOut === 1);
  await s2.close();
  await waitFor("link down", () => s1.stats().peerLinksOut === 0);
  s2 = await net.server({
    keys: keys[1],
    addr: addrs[1],
    peers: [{ pk: keys[0].pk, address: addrs[0] }],
  });
  await waitFor("link up again", () => s1.stats().peerLinksOut === 1);
});
