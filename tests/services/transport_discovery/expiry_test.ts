import { assertEquals } from "@std/assert";
import { Sig } from "../../../mod/cipher/mod.ts";
import { registerBody, send, settledEntry, startTestTpd } from "./_harness.ts";

Deno.test("tpd: an entry not registered again within the entry timeout expires", async () => {
  await using tpd = await startTestTpd({ entryTtlMs: 60_000 });
  const a = tpd.visor(), b = tpd.visor();
  const signed = settledEntry(a, b);
  const id = signed.entry.id;
  assertEquals((await send(b, "POST", "/transports/", registerBody([signed]))).status, 201);
  tpd.clock.ms += 59_000;
  assertEquals((await send(a, "GET", `/transports/id:${id}`)).status, 200);
  tpd.clock.ms += 1_001;
  assertEquals((await send(a, "GET", `/transports/id:${id}`)).status, 404);
  assertEquals((await send(a, "GET", `/transports/edge:${a.pk.hex()}`)).status, 404);
  assertEquals((await fetch(`${tpd.url}/all-transports`)).status, 404);
  // Expired, it needs both signatures again: a bare refresh is refused, a settled entry is not.
  const bare = { ...signed, signatures: [Sig.zero(), Sig.zero()] as [Sig, Sig] };
  assertEquals((await send(a, "POST", "/transports/", registerBody([bare]))).status, 400);
  assertEquals((await send(a, "POST", "/transports/", registerBody([signed]))).status, 201);
});

Deno.test("tpd: re-registration (bare or signed) and the client heartbeat keep entries alive", async () => {
  await using tpd = await startTestTpd({ entryTtlMs: 60_000 });
  const a = tpd.visor(), b = tpd.visor(), c = tpd.visor();
  const ab = settledEntry(a, b), ac = settledEntry(a, c);
  await send(b, "POST", "/transports/", registerBody([ab]));
  await send(c, "POST", "/transports/", registerBody([ac]));
  for (let round = 0; round < 4; round++) {
    tpd.clock.ms += 50_000;
    // a keeps ab (as Go visors do every 90 s) but has dropped ac.
    await a.tpd.heartbeat([ab.entry.id]);
  }
  assertEquals(await a.tpd.getById(ab.entry.id) !== undefined, true);
  assertEquals(await a.tpd.getById(ac.entry.id), undefined);
  // And it survives a restart of the discovery.
  await tpd.restart();
  const again = tpd.visor(a);
  assertEquals((await again.tpd.getByEdge(a.pk)).map((e) => e.id), [ab.entry.id]);
});

Deno.test("tpd: in test mode entries do not expire (Go's in-memory test store)", async () => {
  await using tpd = await startTestTpd({ testMode: true });
  const a = tpd.visor(), b = tpd.visor();
  const signed = settledEntry(a, b);
  await send(b, "POST", "/transports/", registerBody([signed]));
  tpd.clock.ms += 7 * 24 * 3_600_000;
  assertEquals((await send(a, "GET", `/transports/id:${signed.entry.id}`)).status, 200);
});
