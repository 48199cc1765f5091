import { join } from "node:path";
import { generateKeyPair, type KeyPair } from "../../../mod/cipher/mod.ts";
import { generateConfig, type SkywireConfig } from "../../../mod/config/mod.ts";
import type { DmsgServer } from "../../../mod/dmsg/mod.ts";
import {
  type AddressResolverService,
  startAddressResolver,
} from "../../../services/address_resolver/mod.ts";
import {
  startTransportDiscovery,
  type TransportDiscoveryService,
} from "../../../services/transport_discovery/mod.ts";
import {
  startVisor,
  type StartVisorOptions,
  type Visor,
  type VisorTransportTuning,
} from "../../../services/visor/mod.ts";
import { tempDir } from "../../_util/temp_dir.ts";
import {
  type LoopbackNetwork,
  loopbackNetwork,
  quietLogger,
} from "../../mod/dmsg_http/_network.ts";

/** Fast timers for tests: persistent dials and redials within a second. */
export const FAST_TRANSPORTS: VisorTransportTuning = {
  stcprHostname: "127.0.0.1",
  pingIntervalMs: 0,
  persistentCheckMs: 200,
  persistentBackoff: { initialMs: 100, maxMs: 1_000, factor: 2 },
  redialBackoff: { initialMs: 100, maxMs: 1_000, factor: 2 },
  redialGraceMs: 300,
};

/** Options for {@linkcode VisorNetwork.visor}. */
export interface TestVisorOptions {
  /** Keys (a restart passes the same). */
  keys?: KeyPair;
  /** Its directory name under the network's temp dir (a restart passes the same). */
  name?: string;
  /** Change the config before the start. */
  edit?: (config: SkywireConfig) => void;
  /** Hypervisor-link and fleet knobs. */
  fleetTuning?: StartVisorOptions["fleetTuning"];
}

/**
 * A private network on 127.0.0.1 as `skywire up` builds it (dmsg discovery and server,
 * transport discovery, address resolver, all ours and in this process) for visors started with
 * `startVisor`; everything is closed on dispose, visors first.
 */
export interface VisorNetwork extends AsyncDisposable {
  readonly dmsg: LoopbackNetwork;
  readonly server: DmsgServer;
  readonly tpd: TransportDiscoveryService;
  readonly ar: AddressResolverService;
  /** The transport discovery's KV file. */
  readonly tpdStorePath: string;
  /** Start a visor using the network's services; stopped on dispose unless closed before. */
  visor(options?: TestVisorOptions): Promise<Visor>;
}

/** Start the services. */
export async function visorNetwork(): Promise<VisorNetwork> {
  const dir = await tempDir("skywire-visors-");
  const dmsg = await loopbackNetwork();
  const server = await dmsg.server();
  const tpdStorePath = join(dir.path, "tpd.kv");
  const tpd = await startTransportDiscovery({
    storePath: tpdStorePath,
    testMode: true,
    logger: quietLogger("tpd"),
    keyRateLimit: false,
    ipRateLimit: false,
  });
  const ar = await startAddressResolver({
    storePath: join(dir.path, "ar.kv"),
    testMode: true,
    logger: quietLogger("ar"),
    keyRateLimit: false,
    ipRateLimit: false,
  });
  const visors = new Set<Visor>();
  let count = 0;
  return {
    dmsg,
    server,
    tpd,
    ar,
    tpdStorePath,
    async visor(options = {}) {
      const keys = options.keys ?? generateKeyPair();
      const name = options.name ?? `visor-${++count}`;
      const config = generateConfig({
        keys,
        localPath: join(dir.path, name),
        services: {
          dmsgDiscovery: dmsg.discovery.url,
          transportDiscovery: tpd.url,
          addressResolver: ar.url,
          transportSetup: [],
        },
      });
      config.dmsg.servers = [{ static: server.pk.hex(), server: { address: server.address } }];
      config.cli_addr = "127.0.0.1:0";
      config.updater = { ...config.updater, enabled: false };
      options.edit?.(config);
      const visor = await startVisor({
        config,
        pk: keys.pk,
        sk: keys.sk,
        logger: quietLogger(name),
        dmsgTuning: { updateDebounceMs: 50, reconnectBaseMs: 100 },
        transportTuning: FAST_TRANSPORTS,
        fleetTuning: options.fleetTuning,
      });
      visors.add(visor);
      await visor.ready(AbortSignal.timeout(10_000));
      // Reachable over stcpr too before it is handed out.
      if (visor.transports.binding) {
        await eventually("the stcpr binding", () => visor.transports.binding!.bound);
      }
      const close = visor.close;
      return Object.assign(visor, {
        close: () => {
          visors.delete(visor);
          return close();
        },
      });
    },
    async [Symbol.asyncDispose]() {
      await Promise.allSettled([...visors].map((visor) => visor.close()));
      await tpd.close();
      await ar.close();
      await dmsg[Symbol.asyncDispose]();
      await dir[Symbol.asyncDispose]();
    },
  };
}

/** Wait until `check` holds (polling), or fail naming `what`. */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 10_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The keys under `prefix` in a Deno KV file (opened beside its owner, read only). */
export async function kvKeys(path: string, prefix: Deno.KvKey): Promise<Deno.KvKey[]> {
  const kv = await Deno.openKv(path);
  try {
    const keys: Deno.KvKey[] = [];
    for await (const item of kv.list({ prefix })) keys.push(item.key);
    return keys;
  } finally {
    kv.close();
  }
}
