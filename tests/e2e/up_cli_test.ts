/**
 * `skywire up` as operators run it: a child process that starts a private network, prints its
 * keys and a command to try; that command, run as another child process, fetches the visor's
 * /health over dmsg; SIGINT stops it with exit code 0 (the CLI exits 1 when its shutdown
 * overruns the 2 s budget); a restart on the same data directory keeps the keys.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { join } from "node:path";
import { tempDir } from "../_util/temp_dir.ts";
import { MAIN, shell, skywire, SkywireProcess, startUp, upPorts } from "./_skywire.ts";

const PK = /[0-9a-f]{66}/;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

Deno.test("skywire up: prints keys, answers the printed dmsg curl, stops on SIGINT, keeps its keys", async () => {
  await using dir = await tempDir();
  const data = join(dir.path, "data");
  const ports = upPorts();

  let first: { visor: string; server: string };
  {
    await using up = new SkywireProcess(["up", "--data", data, ...ports]);
    await up.line(/Stop with Ctrl-C/);
    const visor = (await up.line(/^\s+visor\s/)).match(PK)![0];
    const server = (await up.line(/^\s+dmsg server\s/)).match(PK)![0];
    // Started with `deno run`: the printed command is `deno run -A <main.ts> dmsg curl ...`,
    // which runs from any directory (tests/e2e/up_try_it_test.ts covers the other forms).
    const tryLine = (await up.line(/ dmsg curl /)).trim();
    assertMatch(
      tryLine,
      new RegExp(
        `^\\S*deno run -A ${
          escape(MAIN)
        } dmsg curl -d http://127\\.0\\.0\\.1:\\d+ dmsg://${visor}:80/health$`,
      ),
    );
    assert(
      up.stdout.some((line) =>
        line === "Try it from another terminal (the visor answers /health on dmsg port 80):"
      ),
    );

    // The exact printed command, from another process in another directory.
    const curl = await shell(tryLine, { cwd: dir.path });
    assertEquals(curl.code, 0, curl.stderr);
    const health = JSON.parse(curl.stdout);
    assertEquals(health.role, "visor");
    assertEquals(health.pk, visor);
    assertEquals(health.sessions.server_pks, [server]);

    // The printed transport listing runs too: the visor's one transport, to the exit visor.
    const exit = (await up.line(/^\s+exit visor\s/)).match(PK)![0];
    const lsLine = (await up.line(/ cli visor tp ls --rpc /)).trim();
    const ls = await shell(lsLine, { cwd: dir.path });
    assertEquals(ls.code, 0, ls.stderr);
    const rows = ls.stdout.trim().split("\n").map((row) => row.trim().split(/\s+/));
    assertEquals(rows[0], ["type", "id", "remote_pk", "mode", "label", "is_up"]);
    assertEquals(rows.length, 2);
    assertEquals([rows[1][0], rows[1][2], rows[1][5]], ["stcpr", exit, "true"]);

    up.kill("SIGINT");
    assertEquals(await up.exit(), 0, up.stderr.join("\n"));
    first = { visor, server };
  }

  const { up: again, info } = await startUp(data, { timeoutMs: 30_000 });
  await using _again = again;
  assertEquals(info.visor.pk, first.visor);
  assertEquals(info.dmsg_server.pk, first.server);
  assertEquals(info.health_url, `dmsg://${first.visor}:80/health`);
  const curl = await skywire(["dmsg", "curl", "--json", "-d", info.discovery, info.health_url]);
  assertEquals(curl.code, 0, curl.stderr);
  assertEquals(JSON.parse(curl.stdout).body.pk, first.visor);
  // The transport services are announced, and the visor uses them.
  for (const url of [info.transport_discovery, info.address_resolver, info.route_finder]) {
    assertMatch(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  }
  // Route setup lives in the dmsg server.
  assertEquals(info.setup_node, info.dmsg_server.pk);
  const visorInfo = await skywire(["cli", "visor", "info", "--json", "--rpc", info.visor.cli_addr]);
  assertEquals(visorInfo.code, 0, visorInfo.stderr);
  const summary = JSON.parse(visorInfo.stdout);
  assertEquals(summary.public_key, first.visor);
  assertEquals(summary.transport_discovery, info.transport_discovery);
  assertEquals(summary.address_resolver, info.address_resolver);
  assertEquals(summary.stcpr_address, info.visor.stcpr);
  again.kill("SIGTERM");
  assertEquals(await again.exit(), 0);
});

Deno.test("skywire up falls back to a free port when its port is taken", async () => {
  await using dir = await tempDir();
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { up, info } = await startUp(join(dir.path, "data"), {
    ports: { "--discovery-port": String(taken.addr.port) },
    timeoutMs: 30_000,
  });
  await using _up = up;
  const port = Number(new URL(info.discovery).port);
  assert(port > 0 && port !== taken.addr.port, `discovery on ${port}`);
  assert(up.stderr.some((line) => line.includes(`port ${taken.addr.port} is taken`)));
  up.kill("SIGINT");
  assertEquals(await up.exit(), 0);
});

Deno.test("skywire up locks its data directory: a second up exits 2 naming the first; a killed one's lock is taken over", async () => {
  await using dir = await tempDir();
  const data = join(dir.path, "data");
  const ports = upPorts();
  const { up: first, info } = await startUp(data, { timeoutMs: 30_000 });
  await using _first = first;

  const second = await skywire(["up", "--data", data, ...ports]);
  assertEquals(second.code, 2, second.stderr);
  assertEquals(second.stdout, "");
  const reason = second.stderr.trim();
  assertEquals(reason.split("\n").length, 1, reason);
  assertMatch(
    reason,
    new RegExp(`^skywire up: ${escape(data)} is in use by skywire up \\(pid \\d+`),
  );
  for (const part of [info.discovery, info.dmsg_server.address, info.visor.pk]) {
    assert(reason.includes(part), reason);
  }

  // Killed without a chance to release: the next up takes the lock over and says so.
  first.kill("SIGKILL");
  await first.exit();
  const { up: third, info: thirdInfo } = await startUp(data, { timeoutMs: 30_000 });
  await using _third = third;
  assertEquals(thirdInfo.visor.pk, info.visor.pk);
  assert(third.stderr.some((line) => line.includes("stale lock")), third.stderr.join("\n"));
  third.kill("SIGINT");
  assertEquals(await third.exit(), 0);
});
