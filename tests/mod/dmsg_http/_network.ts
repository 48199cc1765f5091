import type { KeyPair } from "../../../mod/cipher/mod.ts";
import type {
  DmsgClient,
  DmsgClientOptions,
  DmsgServer,
  DmsgServerOptions,
} from "../../../mod/dmsg/mod.ts";
import { createLogger, type Logger, type LogLevel } from "../../../mod/log/mod.ts";
import type { DiscoveryService } from "../../../services/dmsg_discovery/mod.ts";
import { testNetwork, waitFor } from "../dmsg/_harness.ts";

export { waitFor };

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

/**
 * The dmsg test network (tests/mod/dmsg/_harness.ts) with clients that are ready (published
 * with a server) before they are handed out; everything in it is closed on dispose.
 */
export async function loopbackNetwork(): Promise<LoopbackNetwork> {
  const net = await testNetwork();
  return {
    get discovery() {
      return net.discovery;
    },
    server: (options) => net.server(options),
    async client(options = {}) {
      const client = await net.client(options);
      await client.ready(AbortSignal.timeout(10_000));
      return client;
    },
    [Symbol.asyncDispose]: () => net[Symbol.asyncDispose](),
  };
}
