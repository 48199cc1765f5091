/**
 * Our dmsg (server, client, discovery, dmsg HTTP) against Go's (github.com/skycoin/dmsg 2023:
 * dmsg-discovery, dmsg-server, dmsghttp, dmsgget), on 127.0.0.1:
 *
 * - (a) Go client (dmsgget) → our dmsg server → our client serving a file and /health;
 * - (b) our client (dmsgFetch) → Go dmsg-server → Go client (dmsghttp serving a file), all
 *   found through the Go discovery;
 * - (c) Go dmsg-server, dmsghttp and dmsgget registered in our discovery, plus our client's
 *   /health fetched by dmsgget through the Go server;
 * - (d) our dmsg server registered in the Go discovery; our client ↔ our client through it,
 *   and dmsgget fetching /health through it.
 *
 * Each moves 50 MB with a SHA-256 check. The Go programs come from `_go_ref.ts` (flags used
 * are listed there); without them the tests are ignored with the reason printed. Our clients
 * publish entries without `client_type`: the 2023 Go discovery does not know that field, so it
 * would re-marshal our entry without it and reject the signature.
 */
import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { generateKeyPair, type KeyPair } from "../../mod/cipher/mod.ts";
import {
  DmsgClient,
  type DmsgListener,
  type DmsgServer,
  startDmsgServer,
} from "../../mod/dmsg/mod.ts";
import { dmsgFetch, healthApp, type HttpServer, serveHttp } from "../../mod/dmsg_http/mod.ts";
import { startDiscovery } from "../../services/dmsg_discovery/mod.ts";
import { tempDir } from "../_util/temp_dir.ts";
import { quietLogger, waitFor } from "../mod/dmsg_http/_network.ts";
import {
  findGoReference,
  goGet,
  redisAvailable,
  startGoDiscovery,
  startGoHttp,
  startGoServer,
  startRedis,
} from "./_go_ref.ts";

const FILE_BYTES = 50 * 1024 * 1024;
const FILE_NAME = "payload.bin";

const reference = await findGoReference();
const goSkip = "skip" in reference ? reference.skip : undefined;
const redisSkip = goSkip ? undefined : await redisAvailable();
if (goSkip) console.log(`dmsg interop tests ignored: ${goSkip}`);
else if (redisSkip) console.log(`dmsg interop tests (b) and (d) ignored: ${redisSkip}`);
const bin = "bin" in reference ? reference.bin : "";

/** A 50 MB file of seeded bytes in `dir`, and its SHA-256. */
async function payload(dir: string): Promise<{ path: string; sha256: string }> {
  const path = join(dir, FILE_NAME);
  const block = new Uint8Array(1024 * 1024);
  let state = 0x2545f491;
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const hash = new Sha256Stream();
  for (let written = 0; written < FILE_BYTES; written += block.length) {
    for (let i = 0; i < block.length; i += 4) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      new DataView(block.buffer).setUint32(i, state >>> 0);
    }
    await hash.update(block);
    let offset = 0;
    while (offset < block.length) offset += await file.write(block.subarray(offset));
  }
  return { path, sha256: await hash.digest() };
}

/** SHA-256 over data fed in pieces (node:crypto, as mod/cipher's sha256 does for one buffer). */
class Sha256Stream {
  readonly #hash = (async () => (await import("node:crypto")).createHash("sha256"))();
  async update(data: Uint8Array): Promise<void> {
    (await this.#hash).update(data);
  }
  async digest(): Promise<string> {
    return (await this.#hash).digest("hex");
  }
}

async function fileSha256(path: string): Promise<string> {
  const hash = new Sha256Stream();
  using file = await Deno.open(path);
  for await (const chunk of file.readable) await hash.update(chunk);
  return await hash.digest();
}

async function bodySha256(response: Response): Promise<{ bytes: number; sha256: string }> {
  const hash = new Sha256Stream();
  let bytes = 0;
  for await (const chunk of response.body!) {
    bytes += chunk.length;
    await hash.update(chunk);
  }
  return { bytes, sha256: await hash.digest() };
}

/** Our client: no client_type (the 2023 Go discovery would reject the entry's signature). */
async function ourClient(
  discovery: string,
  keys: KeyPair = generateKeyPair(),
): Promise<DmsgClient> {
  const client = new DmsgClient({
    pk: keys.pk,
    sk: keys.sk,
    discovery,
    clientType: "",
    updateDebounceMs: 50,
    reconnectBaseMs: 200,
    logger: quietLogger("dmsg_client"),
  });
  await client.start();
  await client.ready(AbortSignal.timeout(30_000));
  return client;
}

/** Serve `/health` and the payload file on `listener` (dmsg port 80). */
function serveFiles(client: DmsgClient, listener: DmsgListener, file: string): HttpServer {
  const health = healthApp({
    role: "visor",
    pk: client.pk.hex(),
    sessions: () => ({
      count: client.sessions().length,
      server_pks: client.sessions().map((s) => s.serverPk.hex()),
    }),
  });
  return serveHttp(listener, async (request) => {
    const path = new URL(request.url).pathname;
    if (path === `/${FILE_NAME}`) {
      const info = await Deno.stat(file);
      const handle = await Deno.open(file);
      return new Response(handle.readable, {
        headers: {
          "content-length": String(info.size),
          "content-type": "application/octet-stream",
        },
      });
    }
    return health.fetch(request);
  });
}

async function ourServer(discovery: string): Promise<DmsgServer> {
  const keys = generateKeyPair();
  return await startDmsgServer({
    pk: keys.pk,
    sk: keys.sk,
    addr: "127.0.0.1:0",
    discovery,
    updateDebounceMs: 50,
    logger: quietLogger("dmsg_server"),
  });
}

async function ourDiscovery(dir: string) {
  return await startDiscovery({
    storePath: join(dir, "discovery.kv"),
    addr: "127.0.0.1:0",
    testMode: true,
    rateLimit: false,
    logger: quietLogger("discovery"),
  });
}

async function dmsggetJson(
  discovery: string,
  url: string,
  dir: string,
): Promise<Record<string, unknown>> {
  const out = join(dir, `get-${crypto.randomUUID()}.json`);
  const result = await goGet(bin, discovery, url, out);
  assertEquals(result.code, 0, result.output);
  return JSON.parse(await Deno.readTextFile(out));
}

Deno.test({
  name: "(a) Go dmsgget → our dmsg server → our client: /health and 50 MB",
  ignore: goSkip !== undefined,
  async fn() {
    await using dir = await tempDir();
    const file = await payload(dir.path);
    const discovery = await ourDiscovery(dir.path);
    const server = await ourServer(discovery.url);
    const client = await ourClient(discovery.url);
    const http = serveFiles(client, client.listen(80), file.path);
    try {
      const health = await dmsggetJson(
        discovery.url,
        `dmsg://${client.pk.hex()}:80/health`,
        dir.path,
      );
      assertEquals(health.pk, client.pk.hex());
      assertEquals(health.sessions, { count: 1, server_pks: [server.pk.hex()] });

      const out = join(dir.path, "fetched.bin");
      const result = await goGet(
        bin,
        discovery.url,
        `dmsg://${client.pk.hex()}:80/${FILE_NAME}`,
        out,
      );
      assertEquals(result.code, 0, result.output);
      assertEquals((await Deno.stat(out)).size, FILE_BYTES);
      assertEquals(await fileSha256(out), file.sha256);
    } finally {
      await http.shutdown();
      await client.close();
      await server.close();
      await discovery.close();
    }
  },
});

Deno.test({
  name: "(b) our dmsgFetch → Go dmsg-server → Go dmsghttp: 50 MB, found via the Go discovery",
  ignore: goSkip !== undefined || redisSkip !== undefined,
  async fn() {
    await using dir = await tempDir();
    const file = await payload(dir.path);
    await using redis = await startRedis();
    await using discovery = await startGoDiscovery(bin, redis.url);
    await using server = await startGoServer(bin, discovery.url, dir.path);
    const httpKeys = generateKeyPair();
    await using http = await startGoHttp(bin, discovery.url, httpKeys.sk.hex(), dir.path);
    const client = await ourClient(discovery.url);
    try {
      assertEquals(client.sessions().map((s) => s.serverPk.hex()), [server.pk]);
      const response = await dmsgFetch(client, `dmsg://${httpKeys.pk.hex()}:80/${FILE_NAME}`);
      assertEquals(response.status, 200);
      assertEquals(response.headers.get("content-length"), String(FILE_BYTES));
      assertEquals(await bodySha256(response), { bytes: FILE_BYTES, sha256: file.sha256 });
      const missing = await dmsgFetch(client, `dmsg://${httpKeys.pk.hex()}:80/nothing-here`);
      assertEquals(missing.status, 404);
      await missing.body?.cancel();
      assert(http.output.includes("Serving"));
    } finally {
      await client.close();
    }
  },
});

Deno.test({
  name: "(c) Go dmsg-server, dmsghttp and dmsgget in our discovery: 50 MB, and our /health via Go",
  ignore: goSkip !== undefined,
  async fn() {
    await using dir = await tempDir();
    const file = await payload(dir.path);
    const discovery = await ourDiscovery(dir.path);
    try {
      await using server = await startGoServer(bin, discovery.url, dir.path);
      const httpKeys = generateKeyPair();
      await using _http = await startGoHttp(bin, discovery.url, httpKeys.sk.hex(), dir.path);
      const out = join(dir.path, "fetched.bin");
      const result = await goGet(
        bin,
        discovery.url,
        `dmsg://${httpKeys.pk.hex()}:80/${FILE_NAME}`,
        out,
      );
      assertEquals(result.code, 0, result.output);
      assertEquals(await fileSha256(out), file.sha256);

      // Our client on the Go server, found by dmsgget through our discovery.
      const client = await ourClient(discovery.url);
      const ours = serveFiles(client, client.listen(80), file.path);
      try {
        assertEquals(client.sessions().map((s) => s.serverPk.hex()), [server.pk]);
        const health = await dmsggetJson(
          discovery.url,
          `dmsg://${client.pk.hex()}:80/health`,
          dir.path,
        );
        assertEquals(health.sessions, { count: 1, server_pks: [server.pk] });
      } finally {
        await ours.shutdown();
        await client.close();
      }
    } finally {
      await discovery.close();
    }
  },
});

Deno.test({
  name: "(d) our dmsg server in the Go discovery: our client ↔ our client (50 MB), dmsgget /health",
  ignore: goSkip !== undefined || redisSkip !== undefined,
  async fn() {
    await using dir = await tempDir();
    const file = await payload(dir.path);
    await using redis = await startRedis();
    await using discovery = await startGoDiscovery(bin, redis.url);
    const server = await ourServer(discovery.url);
    try {
      // The Go discovery lists our server to everyone.
      await waitFor("our server listed", async () => {
        const response = await fetch(`${discovery.url}/dmsg-discovery/available_servers`);
        const text = await response.text();
        return response.ok && text.includes(server.pk.hex());
      });
      const a = await ourClient(discovery.url);
      const b = await ourClient(discovery.url);
      const http = serveFiles(b, b.listen(80), file.path);
      try {
        const response = await dmsgFetch(a, `dmsg://${b.pk.hex()}:80/${FILE_NAME}`);
        assertEquals(await bodySha256(response), { bytes: FILE_BYTES, sha256: file.sha256 });
        const health = await dmsggetJson(discovery.url, `dmsg://${b.pk.hex()}:80/health`, dir.path);
        assertEquals(health.sessions, { count: 1, server_pks: [server.pk.hex()] });
      } finally {
        await http.shutdown();
        await a.close();
        await b.close();
      }
    } finally {
      await server.close();
    }
  },
});
