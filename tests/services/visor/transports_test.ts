/**
 * Visors in this process on a private network of our services (dmsg discovery and server,
 * transport discovery, address resolver) on 127.0.0.1: transports made through the control
 * endpoint (the CLI's client) show up in both visors and in the discovery with the same id,
 * carry transport pings both ways, and leave nothing behind when removed; a persistent
 * transport comes back by itself after the peer restarts.
 */
import { assert, assertEquals, assertRejects } from "@std/assert";
import { generateKeyPair, makeTransportId } from "../../../mod/cipher/mod.ts";
import { TransportDiscoveryClient } from "../../../mod/transport/mod.ts";
import { ControlClient, VisorApiError } from "../../../services/visor/mod.ts";
import { eventually, kvKeys, visorNetwork } from "./_visors.ts";

Deno.test("visors make dmsg and stcpr transports through their control endpoints; both list them, the discovery has them", async () => {
  await using net = await visorNetwork();
  const a = await net.visor();
  const b = await net.visor();
  const cliA = new ControlClient({ addr: a.control!.address });
  const cliB = new ControlClient({ addr: b.control!.address });
  assertEquals(await cliA.transports.types(), ["dmsg", "stcpr"]);
  const summary = await cliB.summary();
  assertEquals(summary.public_key, b.pk.hex());
  assertEquals(summary.transport_discovery, net.tpd.url);
  assertEquals(summary.address_resolver, net.ar.url);
  await eventually("b's stcpr binding", async () => (await cliB.summary()).stcpr_bound);

  const tpd = new TransportDiscoveryClient({ url: net.tpd.url, keys: generateKeyPair() });
  for (const type of ["dmsg", "stcpr"]) {
    const added = await cliA.transports.add({ remote_pk: b.pk.hex(), type });
    const id = makeTransportId(a.pk, b.pk, type);
    assertEquals([added.id, added.type, added.remote_pk, added.is_up], [
      id,
      type,
      b.pk.hex(),
      true,
    ]);
    await eventually(
      `b to list the ${type} transport`,
      async () =>
        (await cliB.transports.list({ types: [type] })).some((tp) => tp.id === id && tp.is_up),
    );
    const entry = await tpd.getById(id);
    assertEquals(entry?.edges.map((e) => e.hex()).sort(), [a.pk.hex(), b.pk.hex()].sort());
    assertEquals(entry?.type, type);

    // Packets flow both ways: transport pings answered by the other visor.
    assert((await cliA.transports.ping(id)) >= 0);
    assert((await cliB.transports.ping(id)) >= 0);
    const onB = await cliB.transports.get(id);
    assert(onB.log.recv >= 16 && onB.log.sent >= 16, JSON.stringify(onB.log));
  }
  const discovered = await cliA.transports.discover({ pk: a.pk.hex() });
  assertEquals(discovered.map((e) => e.type).sort(), ["dmsg", "stcpr"]);
  assertEquals((await cliA.summary()).transports, 2);

  // Adding again returns the same transport; removing on one side removes it everywhere.
  const again = await cliA.transports.add({ remote_pk: b.pk.hex(), type: "dmsg" });
  assertEquals(again.id, makeTransportId(a.pk, b.pk, "dmsg"));
  await cliB.transports.remove(again.id);
  await eventually(
    "a to drop the dmsg transport",
    () => a.transports.manager.transports().length === 1,
  );
  assertEquals(await tpd.getById(again.id), undefined);
  assertEquals(await cliA.transports.removeAll(), 1);
  await eventually(
    "b to drop the stcpr transport",
    () => b.transports.manager.transports().length === 0,
  );
  assertEquals(await tpd.getByEdge(a.pk), []);
});

Deno.test("the control API refuses bad requests with their status", async () => {
  await using net = await visorNetwork();
  const a = await net.visor();
  const cli = new ControlClient({ addr: a.control!.address });
  const status = async (what: Promise<unknown>) =>
    (await assertRejects(() => what, VisorApiError)).status;
  assertEquals(await status(cli.transports.add({ remote_pk: "zz", type: "dmsg" })), 400);
  assertEquals(await status(cli.transports.add({ remote_pk: a.pk.hex(), type: "dmsg" })), 400);
  assertEquals(
    await status(cli.transports.add({ remote_pk: generateKeyPair().pk.hex(), type: "sudph" })),
    400,
  );
  // A visor nobody runs: dmsg cannot find it, stcpr cannot resolve it.
  const nobody = generateKeyPair().pk.hex();
  assertEquals(await status(cli.transports.add({ remote_pk: nobody, type: "stcpr" })), 502);
  assertEquals(
    await status(cli.transports.add({ remote_pk: nobody, type: "dmsg", timeout_ms: 1 })),
    504,
  );
  const unknownId = crypto.randomUUID();
  assertEquals(await status(cli.transports.get(unknownId)), 404);
  assertEquals(await status(cli.transports.remove(unknownId)), 404);
  assertEquals(await status(cli.transports.get("not-an-id")), 400);
  assertEquals(await cli.transports.discover({ id: unknownId }), []);
  assertEquals(a.transports.manager.stats().dialing, 0);

  const base = cli.url;
  const raw = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(base + path, init);
    return { status: res.status, body: await res.json() };
  };
  const post = (body: string, headers: Record<string, string> = {}) =>
    raw("/api/transports", { method: "POST", body, headers });
  assertEquals((await post("{")).status, 400);
  assertEquals((await post("[]")).status, 400);
  assertEquals((await post('{"remote_pk":1,"type":"dmsg"}')).status, 400);
  assertEquals((await post("x".repeat(20_000))).status, 413);
  // What a web page could send is refused: any Origin, or a Host that is not this machine.
  const fromPage = await post(`{"remote_pk":"${nobody}","type":"dmsg"}`, { origin: "http://evil" });
  assertEquals([fromPage.status, fromPage.body.error], [
    403,
    "requests from web pages are refused",
  ]);
  // fetch keeps its own Host header: a raw request shows what a rebound name would send.
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(new URL(base).port) });
  await conn.write(
    new TextEncoder().encode(
      "GET /api/visor HTTP/1.1\r\nHost: evil.example:3435\r\nConnection: close\r\n\r\n",
    ),
  );
  const answer = new TextDecoder().decode(await new Response(conn.readable).arrayBuffer());
  assert(answer.startsWith("HTTP/1.1 403"), answer);
  assertEquals((await raw("/api/nope")).status, 404);
  assertEquals((await raw("/api/discovery/transports")).status, 400);
});

Deno.test("200 add/remove cycles through the control endpoint leave no entry in any map, KV or the discovery", async () => {
  await using net = await visorNetwork();
  const a = await net.visor();
  const b = await net.visor();
  const cli = new ControlClient({ addr: a.control!.address });
  await eventually("b's stcpr binding", () => b.transports.binding?.bound === true);
  const tpd = new TransportDiscoveryClient({ url: net.tpd.url, keys: generateKeyPair() });
  for (let i = 0; i < 200; i++) {
    const type = i % 2 === 0 ? "stcpr" : "dmsg";
    const tp = await cli.transports.add({ remote_pk: b.pk.hex(), type });
    // Every other cycle the far side removes it, so both removal paths run.
    if (i % 4 < 2) await cli.transports.remove(tp.id);
    else await new ControlClient({ addr: b.control!.address }).transports.remove(tp.id);
  }
  for (const visor of [a, b]) {
    await eventually("idle transport managers", () => {
      const stats = visor.transports.manager.stats();
      return stats.transports + stats.dialing + stats.accepting + stats.inflight === 0;
    });
    assertEquals(visor.transports.manager.stats().persistentBackoffs, 0);
    await eventually("no dmsg streams", () => visor.client.stats().streams === 0);
  }
  assertEquals(await tpd.getByEdge(a.pk), []);
  assertEquals(await tpd.getByEdge(b.pk), []);
  assertEquals(await kvKeys(net.tpdStorePath, ["transport_discovery", "tp"]), []);
  assertEquals(await kvKeys(net.tpdStorePath, ["transport_discovery", "edge"]), []);
});

Deno.test("a persistent transport comes back by itself after the peer restarts", async () => {
  await using net = await visorNetwork();
  const bKeys = generateKeyPair();
  let b = await net.visor({ keys: bKeys, name: "b" });
  const a = await net.visor({
    edit: (config) => {
      config.persistent_transports = [
        { pk: bKeys.pk.hex(), type: "stcpr" },
        { pk: bKeys.pk.hex(), type: "dmsg" },
      ];
    },
  });
  const tpd = new TransportDiscoveryClient({ url: net.tpd.url, keys: generateKeyPair() });
  const ids = ["stcpr", "dmsg"].map((type) => makeTransportId(a.pk, bKeys.pk, type));
  const allUp = () =>
    ids.every((id) => a.transports.manager.transport(id)?.isUp) &&
    ids.every((id) => b.transports.manager.transport(id)?.isUp);
  await eventually("both persistent transports", allUp);
  for (const id of ids) assert(await tpd.getById(id), `${id} registered`);
  const cliA = new ControlClient({ addr: a.control!.address });
  assertEquals((await cliA.summary()).persistent_transports.length, 2);
  assert((await cliA.transports.list()).every((tp) => tp.persistent));

  await b.close();
  await eventually(
    "a to see b gone",
    () => ids.every((id) => !a.transports.manager.transport(id)?.isUp),
  );
  // Kept (redialing), not forgotten.
  assertEquals(a.transports.manager.transports().length, 2);

  b = await net.visor({ keys: bKeys, name: "b" });
  await eventually("both persistent transports back", allUp, 20_000);
  for (const id of ids) {
    await eventually(`${id} registered again`, async () => (await tpd.getById(id)) !== undefined);
    assert((await cliA.transports.ping(id)) >= 0);
  }
});
