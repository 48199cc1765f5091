import { assert, assertEquals, assertMatch } from "@std/assert";
import { generateKeyPair } from "../../mod/cipher/mod.ts";
import { settledEntry, startTestTpd } from "../services/transport_discovery/_harness.ts";
import { skywire, SkywireProcess } from "./_skywire.ts";

Deno.test("skywire svc rf answers /routes over the transport discovery given, stops on SIGTERM", async () => {
  await using tpd = await startTestTpd();
  const a = generateKeyPair(), b = generateKeyPair();
  const signed = settledEntry(a, b);
  await tpd.visor(a).tpd.register(signed);
  const child = new SkywireProcess(["svc", "rf", "-a", "127.0.0.1:0", "--tpd", tpd.url]);
  const url = (await child.line(/^http/)).trim();
  assertMatch(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const [A, B] = [a.pk.hex(), b.pk.hex()];
  const res = await fetch(`${url}/routes`, {
    method: "POST",
    body: JSON.stringify({ Edges: [`${A}:${B}`], Opts: { MinHops: 0, MaxHops: 50 } }),
  });
  assertEquals(res.status, 200);
  assertEquals(await res.json(), {
    [`${A}:${B}`]: [[{ TpID: signed.entry.id, From: A, To: B }]],
  });
  child.kill("SIGTERM");
  assertEquals(await child.exit(), 0);
  const log = child.stderr.join("\n");
  assertMatch(log, /route finder stopped/);
  assert(!log.includes("ERROR"), log);
});

Deno.test("skywire svc rf refuses bad flags with exit 2 and one line", async () => {
  for (const args of [["-a", "x"], ["--tpd", "nowhere"], ["--log-level", "loud"]]) {
    const out = await skywire(["svc", "rf", ...args]);
    assertEquals(out.code, 2, args.join(" "));
    assertEquals(out.stderr.trim().split("\n").length, 1);
  }
});
