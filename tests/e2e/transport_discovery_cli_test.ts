import { assert, assertEquals, assertMatch } from "@std/assert";
import { generateKeyPair } from "../../mod/cipher/mod.ts";
import { TransportDiscoveryClient } from "../../mod/transport/mod.ts";
import { tempDir } from "../_util/temp_dir.ts";
import { settledEntry } from "../services/transport_discovery/_harness.ts";
import { skywire, SkywireProcess } from "./_skywire.ts";

/** Start `skywire svc tpd`; resolves with the URL it prints first. */
async function startCli(args: string[]) {
  const child = new SkywireProcess(["svc", "tpd", ...args]);
  const url = (await child.line(/^http/)).trim();
  const finish = async (signal: Deno.Signal) => {
    child.kill(signal);
    const code = await child.exit();
    return { code, stderr: child.stderr.join("\n") };
  };
  return { url, finish };
}

Deno.test("skywire svc tpd registers and serves transports across restarts, stops on signals", async () => {
  await using dir = await tempDir();
  const a = generateKeyPair(), b = generateKeyPair();
  const signed = settledEntry(a, b);
  const first = await startCli(["-a", "127.0.0.1:0", "-t", "--data", dir.path]);
  assertMatch(first.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  await new TransportDiscoveryClient({ url: first.url, keys: b }).register(signed);
  const stopped = await first.finish("SIGTERM");
  assertEquals(stopped.code, 0, stopped.stderr);
  assertMatch(stopped.stderr, /transport discovery stopped/);

  const second = await startCli(["--addr", "127.0.0.1:0", "--data", dir.path]);
  const client = new TransportDiscoveryClient({ url: second.url, keys: a });
  assertEquals(await client.getById(signed.entry.id), signed.entry);
  const interrupted = await second.finish("SIGINT");
  assertEquals(interrupted.code, 0, interrupted.stderr);
  assert(!interrupted.stderr.includes("ERROR"), interrupted.stderr);
});

Deno.test("skywire svc tpd refuses bad flags with exit 2 and one line", async () => {
  await using dir = await tempDir();
  for (const args of [["-a", "x"], ["--log-level", "loud"], ["--entry-timeout", "-5m"]]) {
    const out = await skywire(["svc", "tpd", "--data", dir.path, ...args]);
    assertEquals(out.code, 2, args.join(" "));
    assertEquals(out.stderr.trim().split("\n").length, 1);
  }
});
