import { assert, assertEquals, assertMatch } from "@std/assert";
import { DiscoveryClient } from "../../mod/dmsg/mod.ts";
import { tempDir } from "../_util/temp_dir.ts";
import { clientEntry, generateKeyPair } from "../services/dmsg_discovery/_harness.ts";
import { skywire, SkywireProcess } from "./_skywire.ts";

/** Start `skywire dmsg discovery`; resolves with the URL it prints first. */
async function startCli(args: string[]) {
  const child = new SkywireProcess(["dmsg", "discovery", ...args]);
  const url = (await child.line(/^http/)).trim();
  return { url, finish: (signal: Deno.Signal) => child.stop(signal) };
}

Deno.test("skywire dmsg discovery serves, prints its URL and stops cleanly on SIGTERM/SIGINT", async () => {
  await using dir = await tempDir();
  const keys = generateKeyPair();
  const first = await startCli(["-a", "127.0.0.1:0", "-t", "--data", dir.path]);
  assertMatch(first.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const client = new DiscoveryClient({ url: first.url });
  const entry = clientEntry(keys, { ms: Date.now() });
  await client.postEntry(entry);
  const stopped = await first.finish("SIGTERM");
  assertEquals(stopped.code, 0, stopped.stderr);
  assertMatch(stopped.stderr, /shutting down signal=SIGTERM/);
  assertMatch(stopped.stderr, /dmsg discovery stopped/);

  // A second run on the same data directory still has the entry.
  const second = await startCli(["--addr", "127.0.0.1:0", "--data", dir.path]);
  const again = new DiscoveryClient({ url: second.url });
  assertEquals((await again.getEntry(keys.pk)).signature, entry.signature);
  const interrupted = await second.finish("SIGINT");
  assertEquals(interrupted.code, 0, interrupted.stderr);
  assert(!interrupted.stderr.includes("ERROR"), interrupted.stderr);
});

Deno.test("skywire dmsg discovery refuses a bad address or log level with exit 2", async () => {
  await using dir = await tempDir();
  for (const args of [["-a", "nonsense"], ["--log-level", "loud"]]) {
    const out = await skywire(["dmsg", "discovery", "--data", dir.path, ...args]);
    assertEquals(out.code, 2, args.join(" "));
    assertEquals(out.stderr.trim().split("\n").length, 1);
  }
});

Deno.test("skywire dmsg discovery on a taken address names it", async () => {
  await using dir = await tempDir();
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const addr = `127.0.0.1:${(taken.addr as Deno.NetAddr).port}`;
  const out = await skywire(["dmsg", "discovery", "-a", addr, "--data", dir.path]);
  assertEquals(out.code, 1);
  assertEquals(
    out.stderr.trim(),
    `skywire dmsg discovery: cannot listen on ${addr}: address already in use`,
  );
});

Deno.test("skywire dmsg discovery still exits on SIGTERM while a client holds a request open", async () => {
  await using dir = await tempDir();
  const cli = await startCli(["-a", "127.0.0.1:0", "-t", "--data", dir.path]);
  const port = Number(new URL(cli.url).port);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    // Headers promise a body that never comes: the request stays in flight.
    await conn.write(new TextEncoder().encode(
      "POST /dmsg-discovery/entry/ HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{",
    ));
    const stopped = await cli.finish("SIGTERM");
    assertEquals(stopped.code, 0, stopped.stderr);
    assertMatch(stopped.stderr, /dmsg discovery stopped/);
  } finally {
    conn.close();
  }
});

Deno.test("skywire dmsg discovery takes its rate limit from the config file and the flags", async () => {
  await using dir = await tempDir();
  const config = `${dir.path}/disc.json`;
  await Deno.writeTextFile(config, JSON.stringify({ rate_limit: { per_ip: 1, per_ip_burst: 3 } }));
  const limited = await startCli(["-a", "127.0.0.1:0", "--data", dir.path, "-c", config]);
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${limited.url}/health`);
    await res.body?.cancel();
    statuses.push(res.status);
  }
  assertEquals(statuses, [200, 200, 200, 429, 429]);
  assertEquals((await limited.finish("SIGTERM")).code, 0);

  // The flag overrides the file: off.
  const open = await startCli([
    ...["-a", "127.0.0.1:0", "--data", dir.path, "-c", config, "--rate-limit", "off"],
  ]);
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${open.url}/health`);
    await res.body?.cancel();
    assertEquals(res.status, 200);
  }
  assertEquals((await open.finish("SIGTERM")).code, 0);

  await Deno.writeTextFile(config, JSON.stringify({ rate_limit: { per_ipp: 1 } }));
  for (
    const args of [["-c", config], ["--rate-limit", "fast"], ["--rate-limit-burst", "0"]]
  ) {
    const out = await skywire(["dmsg", "discovery", "--data", dir.path, ...args]);
    assertEquals(out.code, 2, args.join(" "));
    assertEquals(out.stderr.trim().split("\n").length, 1, out.stderr);
  }
});
