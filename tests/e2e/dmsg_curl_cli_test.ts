/**
 * `skywire dmsg curl` as a child process against a network run by the test on 127.0.0.1: a
 * client there serves files over dmsg HTTP on port 80.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { join } from "node:path";
import { generateKeyPair } from "../../mod/cipher/mod.ts";
import { serveHttp } from "../../mod/dmsg_http/mod.ts";
import { tempDir } from "../_util/temp_dir.ts";
import { loopbackNetwork, waitFor } from "../mod/dmsg_http/_network.ts";
import { seededBytes } from "../_util/prng.ts";
import { sha256Hex } from "../mod/dmsg_http/_util.ts";
import { skywire, SkywireProcess } from "./_skywire.ts";
import { freePort } from "../_util/ports.ts";
import { silentListener } from "../_util/silent_listener.ts";

Deno.test("skywire dmsg curl: body to stdout or -o FILE, --json, HTTP errors, unreachable keys, bad URLs", async () => {
  await using dir = await tempDir();
  await using net = await loopbackNetwork();
  await net.server();
  const host = await net.client();
  const file = seededBytes(5 * 1024 * 1024, 5);
  const seen: string[] = [];
  const server = serveHttp(host.listen(80), (request) => {
    const path = new URL(request.url).pathname;
    seen.push(`${request.method} ${path} ${request.headers.get("x-test") ?? ""}`);
    if (path === "/file.bin") return new Response(file);
    if (path === "/hello") return Response.json({ hello: "dmsg" });
    if (path === "/echo") return new Response(request.body);
    return new Response("no such thing\n", { status: 404 });
  });
  try {
    const disc = ["-d", net.discovery.url];
    const base = `dmsg://${host.pk.hex()}`;

    const hello = await skywire(["dmsg", "curl", ...disc, `${base}/hello`]);
    assertEquals([hello.code, hello.stdout], [0, '{"hello":"dmsg"}']);

    const out = join(dir.path, "file.bin");
    const saved = await skywire(["dmsg", "curl", ...disc, "-o", out, `${base}:80/file.bin`]);
    assertEquals(saved.code, 0, saved.stderr);
    assertEquals(await sha256Hex(await Deno.readFile(out)), await sha256Hex(file));

    const json = await skywire([
      "dmsg",
      "curl",
      ...disc,
      "--json",
      "-H",
      "X-Test: yes",
      `${base}/hello`,
    ]);
    const parsed = JSON.parse(json.stdout);
    assertEquals([parsed.status, parsed.body], [200, { hello: "dmsg" }]);
    assertEquals(parsed.headers["content-type"], "application/json");

    const posted = await skywire([
      "dmsg",
      "curl",
      ...disc,
      "-X",
      "POST",
      "--data",
      "ping",
      `${base}/echo`,
    ]);
    assertEquals(posted.stdout, "ping");
    assert(seen.includes("GET /hello yes"));
    assert(seen.includes("POST /echo "));

    const missing = await skywire(["dmsg", "curl", ...disc, `${base}/missing`]);
    assertEquals([missing.code, missing.stdout], [1, "no such thing\n"]);
    assertEquals(missing.stderr.trim(), "skywire dmsg curl: HTTP 404 Not Found");

    const stranger = await skywire([
      "dmsg",
      "curl",
      ...disc,
      `dmsg://${generateKeyPair().pk.hex()}/`,
    ]);
    assertEquals(stranger.code, 1);
    assertEquals(stranger.stderr.trim().split("\n").length, 1);
    assertMatch(stranger.stderr, /^skywire dmsg curl: dmsg: /);

    const bad = await skywire(["dmsg", "curl", ...disc, "http://example.com/"]);
    assertEquals(bad.code, 2);
    assertMatch(bad.stderr, /want a dmsg:\/\/ URL/);

    // Each run deleted its ephemeral entry on the way out.
    await waitFor("ephemeral entries deleted", async () => {
      const response = await fetch(`${net.discovery.url}/dmsg-discovery/entries`);
      const keys: string[] = await response.json();
      return keys.length === 1 && keys[0] === host.pk.hex();
    });
  } finally {
    await server.shutdown();
  }
});

Deno.test("skywire dmsg curl: a discovery without a scheme is misuse (exit 2)", async () => {
  const url = `dmsg://${generateKeyPair().pk.hex()}:80/health`;
  const out = await skywire(["dmsg", "curl", "-d", "127.0.0.1:9090", url]);
  assertEquals(out.code, 2);
  assertEquals(out.stderr.trim().split("\n").length, 1);
  assertMatch(out.stderr, /--discovery: "127\.0\.0\.1:9090" is not a URL: it has no scheme/);
});

Deno.test("skywire dmsg curl: a discovery that is down says so, not 'entry is not found'", async () => {
  const discovery = `http://127.0.0.1:${freePort()}`;
  const pk = generateKeyPair().pk.hex();
  const out = await skywire(["dmsg", "curl", "-d", discovery, `dmsg://${pk}:80/health`]);
  assertEquals(out.code, 1);
  assertEquals(
    out.stderr.trim(),
    `skywire dmsg curl: cannot reach the discovery: GET /dmsg-discovery/entry/${pk}: ` +
      `connection refused at ${discovery}`,
  );
});

Deno.test("skywire dmsg curl: --timeout holds against a discovery that accepts and never answers", async () => {
  // The close after giving up gets a short budget: this exited only after the whole 10 s
  // shutdown budget before (the entry registration and deletion waited on the silent peer).
  await using silent = silentListener();
  const pk = generateKeyPair().pk.hex();
  const discovery = `http://127.0.0.1:${silent.port}`;
  await using curl = new SkywireProcess([
    "dmsg",
    "curl",
    "--timeout",
    "1s",
    "-d",
    discovery,
    `dmsg://${pk}:80/health`,
  ]);
  // Killed, and the test failed, if it still runs 6 s after its start (it took 11 s before).
  assertEquals(await curl.exit(6_000), 1);
  assertEquals(curl.stderr.join("\n").trim(), "skywire dmsg curl: timed out after 1s");
});
