import { generateKeyPair, type KeyPair } from "../../../mod/cipher/mod.ts";
import { DmsgClient, type DmsgClientOptions } from "../../../mod/dmsg/mod.ts";
import { createLogger, type Logger, type LogLevel } from "../../../mod/log/mod.ts";
import { type DiscoveryService, startDiscovery } from "../../../services/discovery/mod.ts";
import {
  type DmsgServer,
  type DmsgServerOptions,
  startDmsgServer,
} from "../../../services/dmsg_server/mod.ts";
import { tempDir } from "../../_util/temp_dir.ts";

/** Logs only when SKYWIRE_TEST_LOG names a level (quiet tests by default). */
export function quietLogger(component: string): Logger {
  const level = (Deno.env.get("SKYWIRE_TEST_LOG") ?? "fatal") as LogLevel;
  return createLogger({ level, component });
}

/** A discovery (test mode, KV in a temp dir), dmsg servers and clients on 127.0.0.1. */
export interface LoopbackNetwork extends AsyncDisposable {
  discovery: DiscoveryService;
  /** Start a dmsg server on 127.0.0.1:0. */
  server(options?: Partial<DmsgServerOptions>): Promise<DmsgServer>;
  /** Start a client and wait until it is ready (reachable). */
  client(options?: Partial<DmsgClientOptions> & { keys?: KeyPair }): Promise<DmsgClient>;
}

/** Start a loopback network; everything in it is closed on dispose. */
export async function loopbackNetwork(): Promise<LoopbackNetwork> {
  const dir = await tempDir("skywire-dmsg-http-");
  const discovery = await startDiscovery({
    storePath: `${dir.path}/discovery.kv`,
    addr: "127.0.0.1:0",
    testMode: true,
    rateLimit: false,
    logger: quietLogger("discovery"),
  });
  const servers: DmsgServer[] = [];
  const clients: DmsgClient[] = [];
  return {
    discovery,
    async server(options = {}) {
      const keys = generateKeyPair();
      const server = await startDmsgServer({
        pk: keys.pk,
        sk: keys.sk,
        addr: "127.0.0.1:0",
        discovery: discovery.url,
        updateDebounceMs: 50,
        logger: quietLogger("dmsg_server"),
        ...options,
      });
      servers.push(server);
      return server;
    },
    async client(options = {}) {
      const keys = options.keys ?? generateKeyPair();
      const client = new DmsgClient({
        pk: keys.pk,
        sk: keys.sk,
        discovery: discovery.url,
        updateDebounceMs: 50,
        reconnectBaseMs: 100,
        logger: quietLogger("dmsg_client"),
        ...options,
      });
      clients.push(client);
      await client.start();
      await client.ready(AbortSignal.timeout(10_000));
      return client;
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all(servers.map((server) => server.close()));
      await discovery.close();
      await dir[Symbol.asyncDispose]();
    },
  };
}

/** Poll `check` every 10 ms until it holds; throws after `ms`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 10_000,
): Promise<void> {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
