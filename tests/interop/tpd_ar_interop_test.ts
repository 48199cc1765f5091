/**
 * The transport discovery and address resolver against Go's (skywire-services 2025:
 * `transport-discovery`, `address-resolver`; skywire 2024: `skywire-visor`, `skywire-cli`;
 * dmsg 2024: `dmsg-discovery-2024`, `dmsg-server-2024`), on 127.0.0.1:
 *
 * - our TPD and AR clients against Go's services (`-t`, in-memory stores);
 * - the same requests to ours and to Go's, answered with the same status and body;
 * - two Go visors using our TPD (also as their uptime tracker) and our AR (test mode, so the
 *   visors bind from 127.0.0.1): `tp add -t dmsg` and `-t stcpr` register in our TPD with both
 *   signatures, `tp rm` deletes.
 *
 * Binaries come from `SKYWIRE_GO_REF_BIN=/dir` (the Go reference build); without them, or
 * without `redis-server` for the Go dmsg discovery, the tests are ignored with the reason.
 * Go flags used: `transport-discovery -t -a ADDR`, `address-resolver -t -a ADDR`,
 * `dmsg-discovery-2024 -t -a ADDR --redis URL --official-servers PK`,
 * `dmsg-server-2024 config gen -o FILE` / `start FILE`,
 * `skywire-cli config gen --nofetch --nodefaults -S SERVICES -y -o FILE`,
 * `skywire-visor -c FILE`, `skywire-cli visor tp add|rm|ls --rpc ADDR`.
 */
import { assertEquals } from "@std/assert";
import { join } from "node:path";
import { generateKeyPair, type KeyPair, PubKey } from "../../mod/cipher/mod.ts";
import { HttpAuthClient, signRequest } from "../../mod/httpauth/mod.ts";
import {
  AddressNotFoundError,
  AddressResolverClient,
  TransportDiscoveryClient,
} from "../../mod/transport/mod.ts";
import { startAddressResolver } from "../../services/address_resolver/mod.ts";
import { startTransportDiscovery } from "../../services/transport_discovery/mod.ts";
import { captureLogger } from "../_util/capture_logger.ts";
import { tempDir } from "../_util/temp_dir.ts";
import { settledEntry } from "../services/transport_discovery/_harness.ts";
import { ChildProcess, freePort, redisAvailable, startRedis } from "./_go_ref.ts";

const SERVICES = ["transport-discovery", "address-resolver"];
const VISOR_NETWORK = ["skywire-visor", "skywire-cli", "dmsg-discovery-2024", "dmsg-server-2024"];

async function missing(dir: string | undefined, names: string[]): Promise<string | undefined> {
  if (!dir) return "SKYWIRE_GO_REF_BIN is not set";
  const absent: string[] = [];
  for (const name of names) {
    const info = await Deno.stat(join(dir, name)).catch(() => undefined);
    if (!info?.isFile) absent.push(name);
  }
  return absent.length ? `SKYWIRE_GO_REF_BIN=${dir} lacks ${absent.join(", ")}` : undefined;
}

const bin = Deno.env.get("SKYWIRE_GO_REF_BIN");
const servicesSkip = await missing(bin, SERVICES);
const visorSkip = (await missing(bin, VISOR_NETWORK)) ?? await redisAvailable();
if (servicesSkip) console.log(`tpd/ar interop tests ignored: ${servicesSkip}`);
else if (visorSkip) console.log(`tpd/ar interop test with Go visors ignored: ${visorSkip}`);

/** A Go service (`-t`) on a free port, answering /health. */
async function startGoService(name: string): Promise<ChildProcess & { url: string }> {
  const port = freePort();
  const child = new ChildProcess(join(bin!, name), ["-t", "-a", `127.0.0.1:${port}`], { name });
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 20_000;
  while (
    !(await fetch(`${url}/health`).then((r) => r.body?.cancel().then(() => r.ok), () => false))
  ) {
    if (Date.now() > end) {
      await child[Symbol.asyncDispose]();
      throw new Error(`${name} did not answer; output:\n${child.output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return Object.assign(child, { url });
}

const decoder = new TextDecoder();

Deno.test({
  name: "interop: our TPD and AR clients against Go's transport-discovery and address-resolver",
  ignore: servicesSkip !== undefined,
  async fn() {
    await using goTpd = await startGoService("transport-discovery");
    await using goAr = await startGoService("address-resolver");
    const a = generateKeyPair(), b = generateKeyPair();
    const signed = settledEntry(a, b, "stcpr");
    const tpdA = new TransportDiscoveryClient({ url: goTpd.url, keys: a });
    const tpdB = new TransportDiscoveryClient({ url: goTpd.url, keys: b });
    await tpdB.register(signed);
    assertEquals(await tpdA.getById(signed.entry.id), signed.entry);
    assertEquals(await tpdA.getByEdge(b.pk), [signed.entry]);
    // Go's 2025 discovery has neither the heartbeat nor the batch route: both degrade quietly.
    await tpdA.heartbeat([signed.entry.id]);
    assertEquals(await tpdA.deregisterMany([signed.entry.id]), 1);
    assertEquals(await tpdA.getById(signed.entry.id), undefined);

    const ar = new AddressResolverClient({ url: goAr.url, keys: a });
    let refused = "";
    await ar.bind(30_000, ["127.0.0.1"]).catch((error) => refused = String(error));
    // Go's resolver binds public IPv4 only: loopback is refused, with the text ours gives too.
    assertEquals(refused.includes("Invalid IP address in request: {30000 [127.0.0.1]}"), true);
    await ar.resolve(b.pk).then(
      () => Promise.reject(new Error("resolved an unbound visor")),
      (error) => assertEquals(error instanceof AddressNotFoundError, true),
    );
  },
});

/** The same request to two services: both answers' status and body. */
async function both(
  urls: [string, string],
  path: string,
  init: (url: string) => RequestInit | Promise<RequestInit> = () => ({}),
): Promise<Array<{ status: number; body: string }>> {
  return await Promise.all(urls.map(async (url) => {
    const res = await fetch(url + path, await init(url));
    return { status: res.status, body: await res.text() };
  }));
}

Deno.test({
  name: "interop: ours and Go's answer the same requests alike",
  ignore: servicesSkip !== undefined,
  async fn() {
    await using dir = await tempDir();
    await using goTpd = await startGoService("transport-discovery");
    await using goAr = await startGoService("address-resolver");
    const ourTpd = await startTransportDiscovery({
      storePath: join(dir.path, "tpd.kv"),
      testMode: true,
      logger: captureLogger(),
    });
    const ourAr = await startAddressResolver({
      storePath: join(dir.path, "ar.kv"),
      logger: captureLogger(),
    });
    try {
      const keys = generateKeyPair();
      const tpds: [string, string] = [ourTpd.url, goTpd.url];
      const ars: [string, string] = [ourAr.url, goAr.url];
      const same = async (
        urls: [string, string],
        path: string,
        init?: (u: string) => RequestInit | Promise<RequestInit>,
      ) => {
        const [ours, go] = await both(urls, path, init);
        assertEquals(ours, go, path);
      };
      const nonceOf = async (url: string, k: KeyPair) =>
        await new HttpAuthClient({ baseUrl: url, ...k }).fetchNonce();
      const signed = (k: KeyPair, body = "") => async (url: string): Promise<RequestInit> => {
        const nonce = await nonceOf(url, k);
        return {
          body: body || undefined,
          method: body ? "POST" : "GET",
          headers: {
            "SW-Public": k.pk.hex(),
            "SW-Nonce": String(nonce),
            "SW-Sig": signRequest(new TextEncoder().encode(body), nonce, k.sk).hex(),
          },
        };
      };
      for (const urls of [tpds, ars]) {
        await same(urls, `/security/nonces/${keys.pk.hex()}`);
        await same(urls, "/security/nonces/000");
        await same(urls, "/security/nonces/zz");
      }
      await same(tpds, `/transports/edge:${keys.pk.hex()}`);
      await same(
        tpds,
        `/transports/edge:${keys.pk.hex()}`,
        () => ({ headers: { "SW-Public": keys.pk.hex() } }),
      );
      await same(
        tpds,
        `/transports/edge:${keys.pk.hex()}`,
        (url) =>
          signed(keys)(url).then((init) => ({
            ...init,
            headers: { ...init.headers as Record<string, string>, "SW-Nonce": "7" },
          })),
      );
      await same(tpds, "/transports/id:zz", signed(keys));
      await same(tpds, `/transports/id:${crypto.randomUUID()}`, signed(keys));
      await same(tpds, "/transports/edge:zz", signed(keys));
      await same(tpds, "/nope");
      const statuses = await both(tpds, "/statuses", () => ({ method: "POST" }));
      assertEquals(statuses[0], statuses[1]);
      await same(ars, `/resolve/stcpr/${generateKeyPair().pk.hex()}`, signed(keys));
      await same(ars, "/resolve/stcpr/zz", signed(keys));
      await same(ars, "/transports");
      await same(ars, "/bind/stcpr", signed(keys, '{"port":"30000","addresses":["127.0.0.1"]}\n'));
    } finally {
      await ourTpd.close();
      await ourAr.close();
    }
  },
});

/** Run `skywire-cli ARGS` (it ignores SIGTERM: killed after 30 s). */
async function cli(args: string[], cwd?: string): Promise<{ code: number; out: string }> {
  const out = await new Deno.Command(join(bin!, "skywire-cli"), {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  return { code: out.code, out: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}

async function eventually(what: string, check: () => Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

Deno.test({
  name: "interop: Go visors register transports in our TPD and resolve stcpr through our AR",
  ignore: servicesSkip !== undefined || visorSkip !== undefined,
  async fn() {
    await using dir = await tempDir("skywire-go-visors-");
    await using redis = await startRedis();
    const d = dir.path;
    // dmsg: Go's 2024 discovery and server (what these visors speak).
    const serverConf = join(d, "dmsg-server.json");
    await new ChildProcess(join(bin!, "dmsg-server-2024"), ["config", "gen", "-o", serverConf])
      .exit();
    const server = JSON.parse(await Deno.readTextFile(serverConf));
    const discPort = freePort(), serverPort = freePort();
    Object.assign(server, {
      discovery: `http://127.0.0.1:${discPort}`,
      public_address: `127.0.0.1:${serverPort}`,
      local_address: `127.0.0.1:${serverPort}`,
      health_endpoint_address: `127.0.0.1:${freePort()}`,
    });
    await Deno.writeTextFile(serverConf, JSON.stringify(server));
    await using discovery = new ChildProcess(join(bin!, "dmsg-discovery-2024"), [
      "-t",
      "-a",
      `127.0.0.1:${discPort}`,
      "--redis",
      redis.url,
      "--official-servers",
      server.public_key,
    ], { name: "dmsg-discovery" });
    await discovery.line(/Serving discovery API/);
    await using dmsgServer = new ChildProcess(
      join(bin!, "dmsg-server-2024"),
      ["start", serverConf],
      {
        name: "dmsg-server",
      },
    );
    await dmsgServer.line(/Accepting sessions/);

    // Ours: the TPD (also the visors' uptime tracker: it serves /v4/update) and the AR.
    const tpd = await startTransportDiscovery({
      storePath: join(d, "tpd.kv"),
      testMode: true,
      logger: captureLogger(),
    });
    const ar = await startAddressResolver({
      storePath: join(d, "ar.kv"),
      testMode: true,
      logger: captureLogger(),
    });
    const visors: ChildProcess[] = [];
    try {
      const services = {
        dmsg_discovery: `http://127.0.0.1:${discPort}`,
        transport_discovery: tpd.url,
        address_resolver: ar.url,
        route_finder: `http://127.0.0.1:${freePort()}`,
        route_setup_nodes: [generateKeyPair().pk.hex()],
        transport_setup: [],
        uptime_tracker: tpd.url,
        service_discovery: `http://127.0.0.1:${freePort()}`,
        stun_servers: [],
        dns_server: "127.0.0.1",
        survey_whitelist: [],
      };
      await Deno.writeTextFile(join(d, "services.json"), JSON.stringify({ prod: services }));
      const rpc: Record<string, string> = {};
      const pks: Record<string, string> = {};
      for (const name of ["a", "b"]) {
        const home = join(d, `visor-${name}`);
        await Deno.mkdir(home);
        const file = join(d, `visor-${name}.json`);
        const gen = await cli([
          "config",
          "gen",
          "--nofetch",
          "--nodefaults",
          "-S",
          join(d, "services.json"),
          "-y",
          "-o",
          file,
        ], home);
        assertEquals(gen.code, 0, gen.out);
        const conf = JSON.parse(await Deno.readTextFile(file));
        rpc[name] = `127.0.0.1:${freePort()}`;
        pks[name] = conf.pk;
        conf.cli_addr = rpc[name];
        conf.dmsg.sessions_count = 1;
        conf.local_path = join(home, "local");
        conf.log_level = "debug";
        conf.launcher.apps = [];
        conf.launcher.server_addr = `127.0.0.1:${freePort()}`;
        if (conf.dmsghttp_server_path) conf.dmsghttp_server_path = join(home, "custom");
        if (conf.dmsgpty) conf.dmsgpty.cli_address = join(home, "dmsgpty.sock");
        conf["skywire-tcp"].listening_address = `127.0.0.1:${freePort()}`;
        conf.transport.log_store.location = join(home, "transport_logs");
        conf.transport.stcpr_port = freePort();
        conf.transport.sudph_port = freePort();
        await Deno.writeTextFile(file, JSON.stringify(conf));
        const visor = new ChildProcess(join(bin!, "skywire-visor"), ["-c", file], {
          cwd: home,
          name: `visor-${name}`,
        });
        visors.push(visor);
      }
      for (const visor of visors) await visor.line(/Startup complete/, 60_000);

      // Both visors bound stcpr in our AR from 127.0.0.1.
      const probe = new AddressResolverClient({ url: ar.url, keys: generateKeyPair() });
      for (const name of ["a", "b"]) {
        await eventually(
          `visor ${name}'s stcpr binding`,
          () => probe.resolve(PubKey.fromHex(pks[name])).then(() => true, () => false),
        );
      }
      for (const type of ["dmsg", "stcpr"]) {
        const added = await cli([
          "visor",
          "tp",
          "add",
          "-t",
          type,
          pks.b,
          "-o",
          "20s",
          "--rpc",
          rpc.a,
        ]);
        assertEquals(added.code, 0, `tp add -t ${type}: ${added.out}`);
      }
      const reader = new TransportDiscoveryClient({ url: tpd.url, keys: generateKeyPair() });
      const listed = await reader.getByEdge(PubKey.fromHex(pks.a));
      assertEquals(listed.map((e) => e.type).sort(), ["dmsg", "stcpr"]);
      for (const entry of listed) {
        assertEquals(entry.edges.map((e) => e.hex()).sort(), [pks.a, pks.b].sort());
        assertEquals(entry.label, "user");
      }
      const removed = await cli(["visor", "tp", "rm", "-a", "--rpc", rpc.a]);
      assertEquals(removed.code, 0, removed.out);
      await eventually(
        "the TPD to be empty",
        async () => (await reader.getByEdge(PubKey.fromHex(pks.a))).length === 0,
      );
    } finally {
      await Promise.all(visors.map((v) => v[Symbol.asyncDispose]()));
      await tpd.close();
      await ar.close();
    }
  },
});
