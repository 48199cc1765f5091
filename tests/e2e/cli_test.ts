import { assert, assertEquals, assertMatch } from "@std/assert";
import { parseConfig } from "../../mod/config/mod.ts";
import { tempDir } from "../_util/temp_dir.ts";
import { skywire } from "./_skywire.ts";

Deno.test("skywire --version prints the version", async () => {
  const r = await skywire(["--version"]);
  assertEquals(r.code, 0);
  assertMatch(r.stdout, /^skywire \d+\.\d+\.\d+ /);
});

Deno.test("skywire version --json names the secp256k1 and AEAD backends in use", async () => {
  const r = await skywire(["version", "--json"]);
  assertEquals(r.code, 0, r.stderr);
  const { version, secp256k1, aead } = JSON.parse(r.stdout);
  assertMatch(version, /^\d+\.\d+\.\d+/);
  // Without the native library each answer says why (a missing library, no FFI permission…).
  for (const backend of [secp256k1, aead]) {
    assert(["ffi", "node", "noble"].includes(backend.backend), r.stdout);
    assertEquals(backend.backend === "ffi", backend.note === undefined, r.stdout);
  }
});

Deno.test("every command answers --help with exit 0", async () => {
  for (
    const path of [[], ["config"], ["config", "gen"], ["cli", "tp", "id"], ["dmsg"], ["version"]]
  ) {
    const r = await skywire([...path, "--help"]);
    assertEquals(r.code, 0, path.join(" "));
    assertMatch(r.stdout, /Usage: skywire/);
  }
});

Deno.test("misuse exits 2 with a one-line reason", async () => {
  for (
    const args of [["config", "gen", "--bogus"], ["nosuch"], ["cli", "tp", "id", "onlyone"], [
      "config",
      "gen",
      "--min-hops",
      "x",
    ]]
  ) {
    const r = await skywire(args);
    assertEquals(r.code, 2, args.join(" "));
    assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
    assertEquals(r.stdout, "");
  }
});

Deno.test("config gen writes a valid config; -r keeps keys and opt-ins", async () => {
  await using dir = await tempDir();
  const first = await skywire(["config", "gen", "--cascade", "--min-hops", "2"], { cwd: dir.path });
  assertEquals(first.code, 0, first.stderr);
  const a = parseConfig(await Deno.readTextFile(`${dir.path}/skywire-config.json`));
  assertEquals(a.config.routing.enable_cascade_route_setup, true);
  assertEquals((await Deno.stat(`${dir.path}/skywire-config.json`)).mode! & 0o777, 0o600);

  const again = await skywire(["config", "gen"], { cwd: dir.path });
  assertEquals(again.code, 1, "refuses to overwrite without -r");
  assertMatch(again.stderr, /already exists/);

  const regen = await skywire(["config", "gen", "-r"], { cwd: dir.path });
  assertEquals(regen.code, 0, regen.stderr);
  const b = parseConfig(await Deno.readTextFile(`${dir.path}/skywire-config.json`));
  assertEquals(b.pk.hex(), a.pk.hex());
  assertEquals(b.config.routing.enable_cascade_route_setup, true);
  assertEquals(b.config.routing.min_hops, 2);
  assert(!regen.stderr.includes(b.config.sk), "secret key never printed");
});

Deno.test("config gen --stdout prints JSON and writes nothing", async () => {
  await using dir = await tempDir();
  const r = await skywire(["config", "gen", "--stdout", "-o", "x.json"], { cwd: dir.path });
  assertEquals(r.code, 0);
  parseConfig(r.stdout);
  assertEquals([...Deno.readDirSync(dir.path)].length, 0);
});

Deno.test("cli tp id prints Go's transport id format", async () => {
  const a = "021a5314c394980a80c3a3f457c54a0850c2ec8a678e30ad2c931c5f9b3e1dd644";
  const b = "02087c845fc773c8954e279795ecc04ed6d62593edfc6a085e856d9b0a1b325719";
  const r1 = await skywire(["cli", "tp", "id", a, b, "-t", "dmsg"]);
  const r2 = await skywire(["cli", "tp", "id", b, a, "-t", "dmsg"]);
  assertEquals(r1.code, 0);
  assertEquals(r1.stdout, r2.stdout);
  assertMatch(r1.stdout.trim(), /^[0-9a-f-]{36}$/);
  const bad = await skywire(["cli", "tp", "id", a, "nothex", "-t", "dmsg"]);
  assertEquals(bad.code, 2);
});

Deno.test("config gen points the node at other services; -r keeps custom ones; a URL needs a scheme", async () => {
  await using dir = await tempDir();
  const pk = "0324579f003e6b4048bae2def4365e634d8e0e3054a20fc7af49daf2a179658557";
  const first = await skywire([
    "config",
    "gen",
    "--discovery",
    "http://127.0.0.1:9090",
    "--transport-discovery",
    "http://127.0.0.1:9091",
    "--address-resolver",
    "http://127.0.0.1:9093",
    "--route-finder",
    "http://127.0.0.1:9092",
    "--uptime-tracker",
    "http://127.0.0.1:9096",
    "--service-discovery",
    "https://sd.example",
    "--routesetup",
    pk,
    "--tpsetup",
    pk,
    "--cli-addr",
    "127.0.0.1:3436",
  ], { cwd: dir.path });
  assertEquals(first.code, 0, first.stderr);
  const read = async () =>
    parseConfig(await Deno.readTextFile(`${dir.path}/skywire-config.json`)).config;
  const expectCustom = (config: Awaited<ReturnType<typeof read>>) => {
    assertEquals(config.dmsg.discovery, "http://127.0.0.1:9090");
    assertEquals(config.transport.discovery, "http://127.0.0.1:9091");
    assertEquals(config.transport.address_resolver, "http://127.0.0.1:9093");
    assertEquals(config.routing.route_finder, "http://127.0.0.1:9092");
    assertEquals(config.uptime_tracker?.addr, "http://127.0.0.1:9096");
    assertEquals(config.launcher.service_discovery, "https://sd.example");
    assertEquals(config.routing.route_setup_nodes, [pk]);
    assertEquals(config.transport.transport_setup, [pk]);
    assertEquals(config.cli_addr, "127.0.0.1:3436");
    assertEquals(config.transport.public_autoconnect, false);
  };
  expectCustom(await read());

  const regen = await skywire(["config", "gen", "-r"], { cwd: dir.path });
  assertEquals(regen.code, 0, regen.stderr);
  expectCustom(await read());
  const moved = await skywire(["config", "gen", "-r", "--discovery", "https://d.example"], {
    cwd: dir.path,
  });
  assertEquals(moved.code, 0, moved.stderr);
  assertEquals((await read()).dmsg.discovery, "https://d.example");
  assertEquals((await read()).routing.route_finder, "http://127.0.0.1:9092");

  for (const [flag, value] of [["--discovery", "127.0.0.1:9090"], ["--route-finder", "ftp://x"]]) {
    const bad = await skywire(["config", "gen", "-n", flag, value], { cwd: dir.path });
    assertEquals(bad.code, 2, `${flag} ${value}`);
    assertEquals(bad.stderr.trim().split("\n").length, 1);
    assert(bad.stderr.includes(`${flag}: "${value}"`), bad.stderr);
  }
  const bad = await skywire(["config", "gen", "-n", "--discovery", "127.0.0.1:9090"]);
  assert(bad.stderr.includes("did you mean http://127.0.0.1:9090?"), bad.stderr);
  const exposed = await skywire(["config", "gen", "-n", "--cli-addr", "0.0.0.0:3435"]);
  assertEquals(exposed.code, 2);
  assert(exposed.stderr.includes("is not a loopback address"), exposed.stderr);
});
