import { generateKeyPair, type KeyPair } from "../../../mod/cipher/mod.ts";
import { readFull, writeAll } from "../../../mod/conn/mod.ts";
import {
  DmsgClient,
  type DmsgClientOptions,
  type DmsgServer,
  type DmsgServerOptions,
  type DmsgStream,
  startDmsgServer,
} from "../../../mod/dmsg/mod.ts";
import { createLogger, type Logger } from "../../../mod/log/mod.ts";
import { type DiscoveryService, startDiscovery } from "../../../services/dmsg_discovery/mod.ts";
import { tempDir } from "../../_util/temp_dir.ts";

/** A logger for tests: silent unless DMSG_TEST_LOG names a level. */
export function testLogger(component: string): Logger | undefined {
  const level = Deno.env.get("DMSG_TEST_LOG");
  if (!level) return undefined;
  return createLogger({ level: level as "debug", component });
}

/** A discovery on 127.0.0.1:0 with its KV in a temp dir (test mode, no rate limit). */
export interface TestNetwork extends AsyncDisposable {
  discovery: DiscoveryService;
  url: string;
  servers: DmsgServer[];
  clients: DmsgClient[];
  /** Start a dmsg server on 127.0.0.1:0 (closed on dispose). */
  server(options?: Partial<DmsgServerOptions> & { keys?: KeyPair }): Promise<DmsgServer>;
  /** Create and start a client (closed on dispose). */
  client(options?: Partial<DmsgClientOptions> & { keys?: KeyPair }): Promise<DmsgClient>;
  /** Restart the discovery on the same KV file and port. */
  restartDiscovery(): Promise<void>;
}

/** Start a test network: one discovery, servers and clients on demand. */
export async function testNetwork(): Promise<TestNetwork> {
  const dir = await tempDir("skywire-dmsg-");
  const storePath = `${dir.path}/discovery.kv`;
  const start = (addr = "127.0.0.1:0") =>
    startDiscovery({
      storePath,
      addr,
      testMode: true,
      rateLimit: false,
      logger: testLogger("discovery") ?? createLogger({ level: "fatal" }),
    });
  const net: TestNetwork = {
    discovery: await start(),
    servers: [],
    clients: [],
    get url() {
      return this.discovery.url;
    },
    async server(options = {}) {
      const keys = options.keys ?? generateKeyPair();
      const server = await startDmsgServer({
        pk: keys.pk,
        sk: keys.sk,
        addr: "127.0.0.1:0",
        discovery: this.url,
        updateDebounceMs: 50,
        logger: testLogger("dmsg_server"),
        ...options,
      });
      this.servers.push(server);
      return server;
    },
    async client(options = {}) {
      const keys = options.keys ?? generateKeyPair();
      const client = new DmsgClient({
        pk: keys.pk,
        sk: keys.sk,
        discovery: this.url,
        updateDebounceMs: 50,
        reconnectBaseMs: 100,
        logger: testLogger("dmsg_client"),
        ...options,
      });
      this.clients.push(client);
      await client.start();
      return client;
    },
    async restartDiscovery() {
      const port = this.discovery.port;
      await this.discovery.close();
      this.discovery = await start(`127.0.0.1:${port}`);
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(this.clients.map((c) => c.close()));
      await Promise.all(this.servers.map((s) => s.close()));
      await this.discovery.close();
      await dir[Symbol.asyncDispose]();
    },
  };
  return net;
}

/** Poll `check` every 10 ms until it is true; throws after `ms`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 30_000,
): Promise<void> {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Echo every accepted stream's bytes back until it ends, then close it. */
export async function echo(stream: DmsgStream): Promise<void> {
  const buf = new Uint8Array(32 * 1024);
  try {
    for (;;) {
      const n = await stream.read(buf);
      if (n === null) break;
      await writeAll(stream, buf.subarray(0, n));
    }
  } catch {
    // The peer went away; nothing to echo to.
  } finally {
    stream.close();
  }
}

/** Write `data`, read the same number of bytes back. */
export async function roundTrip(stream: DmsgStream, data: Uint8Array): Promise<Uint8Array> {
  const back = new Uint8Array(data.length);
  await Promise.all([writeAll(stream, data), readFull(stream, back)]);
  return back;
}
