/**
 * The web UI from the command line: `skywire up` prints its address first (and as `ui` in
 * `--json`); `skywire cli visor hv password` sets the password a running node then accepts;
 * `skywire visor` serves the UI from its config's hypervisor section, on loopback unless
 * `allow_remote` says otherwise, and says so when it does.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { join } from "node:path";
import { tempDir } from "../_util/temp_dir.ts";
import { loopbackNetwork } from "../mod/dmsg_http/_network.ts";
import { writeVisorConfig } from "../services/visor/_config.ts";
import { MAIN, skywire, SkywireProcess } from "./_skywire.ts";

const PORTS = ["--discovery-port", "0", "--server-port", "0", "--ui-port", "0"];

async function apiLogin(ui: string, password: string): Promise<number> {
  const response = await fetch(`${ui}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password }),
  });
  await response.body?.cancel();
  return response.status;
}

Deno.test("skywire up prints the web UI first; cli visor hv password sets what it accepts", async () => {
  await using dir = await tempDir();
  const data = join(dir.path, "up");
  await using up = new SkywireProcess(["up", "--data", data, ...PORTS]);
  await up.line(/Stop with Ctrl-C/);
  assertMatch(up.stdout[0], /^Open http:\/\/127\.0\.0\.1:\d+ in a browser: the node's web UI/);
  const ui = up.stdout[0].match(/http:\/\/127\.0\.0\.1:\d+/)![0];
  const setup = await fetch(ui, { redirect: "manual" });
  assertEquals(setup.headers.get("location"), "/setup");
  await setup.body?.cancel();

  // From stdin, as a script pipes it.
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "cli", "visor", "hv", "password", "--local-path", `${data}/visor`],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode("piped password one\n"));
  await writer.close();
  const result = await child.output();
  assertEquals(result.code, 0, new TextDecoder().decode(result.stderr));
  assertEquals(await apiLogin(ui, "piped password one"), 200);

  // From the flag; the old password no longer works. Too short a password is misuse.
  const flag = await skywire([
    "cli",
    "visor",
    "hv",
    "password",
    "--local-path",
    `${data}/visor`,
    "--password",
    "flag password two",
  ]);
  assertEquals(flag.code, 0, flag.stderr);
  assertStringIncludes(flag.stderr, "web UI password set");
  assertEquals(await apiLogin(ui, "piped password one"), 401);
  assertEquals(await apiLogin(ui, "flag password two"), 200);
  const short = await skywire([
    "cli",
    "visor",
    "hv",
    "password",
    "--local-path",
    data,
    "--password",
    "x",
  ]);
  assertEquals(short.code, 2);

  up.kill("SIGINT");
  assertEquals(await up.exit(), 0);

  await using again = new SkywireProcess(["up", "--data", data, "--json", ...PORTS]);
  const info = JSON.parse(await again.line(/^\{/));
  assertMatch(info.ui, /^http:\/\/127\.0\.0\.1:\d+$/);
  // The password is kept in the visor's store across restarts.
  assertEquals(await apiLogin(info.ui, "flag password two"), 200);
});

Deno.test("skywire visor serves the UI from its hypervisor section, loopback unless allow_remote", async () => {
  await using dir = await tempDir();
  await using net = await loopbackNetwork();
  const server = await net.server();
  const run = async (name: string, allowRemote: boolean) => {
    await Deno.mkdir(join(dir.path, name), { recursive: true });
    const { path, config } = await writeVisorConfig({
      dir: join(dir.path, name),
      discovery: net.discovery.url,
      edit: (c) => {
        c.log_level = "info";
        c.dmsg.servers = [{ static: server.pk.hex(), server: { address: server.address } }];
        c.hypervisor!.http_addr = "0.0.0.0:0";
        if (allowRemote) c.hypervisor!.allow_remote = true;
      },
    });
    return { visor: new SkywireProcess(["visor", "-c", path]), localPath: config.local_path };
  };

  const loopback = await run("loopback", false);
  await using narrowed = loopback.visor;
  const line = await narrowed.line(/web UI url=/, 30_000, "stderr");
  const url = line.match(/url=(http:\/\/\S+)/)![1];
  assertMatch(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert(narrowed.stderr.some((l) => l.includes("listening on 127.0.0.1 only")));
  const setup = await (await fetch(`${url}/setup`)).text();
  assertStringIncludes(setup, "Choose the password");
  narrowed.kill("SIGINT");
  assertEquals(await narrowed.exit(), 0);

  const remote = await run("remote", true);
  await using open = remote.visor;
  const remoteLine = await open.line(/web UI url=/, 30_000, "stderr");
  const remoteUrl = remoteLine.match(/url=(http:\/\/\S+)/)![1];
  assert(open.stderr.some((l) => l.includes("listens beyond this machine")));
  // Every page says so.
  const set = await skywire([
    "cli",
    "visor",
    "hv",
    "password",
    "--local-path",
    remote.localPath,
    "--password",
    "remote password",
  ]);
  assertEquals(set.code, 0, set.stderr);
  const login = await fetch(`${remoteUrl}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: "remote password" }),
  });
  const cookie = login.headers.getSetCookie()[0].split(";")[0];
  await login.body?.cancel();
  const page = await (await fetch(`${remoteUrl}/dmsg`, { headers: { cookie } })).text();
  assertStringIncludes(page, "This UI listens beyond this machine");
  open.kill("SIGINT");
  assertEquals(await open.exit(), 0);
});

Deno.test("skywire up --ui-tls --json: an https UI whose certificate cli visor hv cert names", async () => {
  await using dir = await tempDir();
  const data = join(dir.path, "up");
  await using up = new SkywireProcess(["up", "--data", data, "--json", "--ui-tls", ...PORTS]);
  const info = JSON.parse(await up.line(/^\{/));
  assertMatch(info.ui, /^https:\/\/127\.0\.0\.1:\d+$/);
  const cert = await skywire([
    "cli",
    "visor",
    "hv",
    "cert",
    "--local-path",
    `${data}/visor`,
    "--json",
  ]);
  assertEquals(cert.code, 0, cert.stderr);
  const shown = JSON.parse(cert.stdout);
  assertEquals(shown.sha256, info.ui_cert_sha256);
  assertEquals(shown.self_signed, true);
  using client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(shown.cert)] });
  const setup = await fetch(info.ui, { client, redirect: "manual" });
  await setup.body?.cancel();
  assertEquals(setup.headers.get("location"), "/setup");
  up.kill("SIGINT");
  assertEquals(await up.exit(), 0);
});
