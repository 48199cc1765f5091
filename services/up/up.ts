import { join, resolve } from "node:path";
import type { KeyPair } from "../../mod/cipher/mod.ts";
import { generateConfig, type SkywireConfig } from "../../mod/config/mod.ts";
import { DEFAULT_MAX_SESSIONS, type DmsgServer, startDmsgServer } from "../../mod/dmsg/mod.ts";
import type { HttpServer } from "../../mod/dmsg_http/mod.ts";
import { serveServerHealth } from "../../mod/dmsg_http/health.ts";
import { detectLaunch, type Launch, needsProjectDir, shellCommand } from "../../mod/launch/mod.ts";
import type { Logger, LogRing } from "../../mod/log/mod.ts";
import type { TlsCredentials } from "../../mod/tls/mod.ts";
import { lockDir, namespacedStore, openStore } from "../../mod/store/mod.ts";
import type { ScryptParams, UiServer } from "../../ui/mod.ts";
import { serveUi } from "../../ui/serve.ts";
import { type AddressResolverService, startAddressResolver } from "../address_resolver/mod.ts";
import { type DiscoveryService, startDiscovery } from "../dmsg_discovery/mod.ts";
import { serveRouteSetup } from "../dmsg_server/route_setup.ts";
import { type RouteFinder, startRouteFinder, transportSourceFrom } from "../route_finder/mod.ts";
import {
  startTransportDiscovery,
  type TransportDiscoveryService,
} from "../transport_discovery/mod.ts";
import type { Visor } from "../visor/mod.ts";
import { startVisor, VISOR_STORE_FILE } from "../visor/visor.ts";
import { createVisorApi } from "../visor/visor_api.ts";
import { loadOrCreateKeys } from "./keys.ts";
import { PROXY_CLIENT_APP, socksListenAddress, waitForProxy } from "./proxy.ts";
import {
  DEFAULT_ADDRESS_RESOLVER_PORT,
  DEFAULT_CLI_PORT,
  DEFAULT_DISCOVERY_PORT,
  DEFAULT_DMSG_SERVER_PORT,
  DEFAULT_EXIT_CLI_PORT,
  DEFAULT_ROUTE_FINDER_PORT,
  DEFAULT_SOCKS_PORT,
  DEFAULT_TRANSPORT_DISCOVERY_PORT,
  startWithPortFallback,
} from "./ports.ts";

/** Where `skywire up` keeps its state unless told otherwise (relative to the working dir). */
export const DEFAULT_UP_DATA_DIR = ".skywire-up";
/** The lock file in the data directory that keeps a second `up` off the same keys and stores. */
export const UP_LOCK_FILE = "up.lock";
/**
 * Key prefixes in the visor's store (`<dataDir>/visor/visor.kv`) under which the services (the
 * discovery, the transport discovery, the address resolver: each under its own name below it)
 * and the exit visor keep their records. The whole network uses that one KV file: every open
 * Deno KV file costs a SQLite connection, a thread that wakes about once a second, and memory.
 */
export const UP_STORE_PREFIXES = {
  services: ["up", "services"],
  exitVisor: ["up", "exit_visor"],
} as const;

/** Options for {@linkcode startUp}. */
export interface StartUpOptions {
  /** State directory (keys, discovery entries, the visor's store). */
  dataDir: string;
  /** Discovery port (default 9090; a taken port falls back to a free one; 0 = any). */
  discoveryPort?: number;
  /** dmsg server port (default 8081; same fallback). */
  serverPort?: number;
  /** Transport discovery port (default 9091; same fallback). */
  transportDiscoveryPort?: number;
  /** Address resolver port (default 9093; same fallback). */
  addressResolverPort?: number;
  /** Route finder port (default 9092; same fallback). */
  routeFinderPort?: number;
  /** The visor's control endpoint port on 127.0.0.1 (default 3435; same fallback). */
  cliPort?: number;
  /** The exit visor's control endpoint port on 127.0.0.1 (default 3436; same fallback). */
  exitCliPort?: number;
  /** The SOCKS5 proxy port on 127.0.0.1 (default 1080; same fallback). */
  socksPort?: number;
  /** How long to wait for the proxy's session before printing anyway, ms (default 30 000). */
  proxyWaitMs?: number;
  /** Where the services log. */
  logger: Logger;
  /** Client options for tests (entry debounce, reconnect pace). */
  dmsgTuning?: { updateDebounceMs?: number; reconnectBaseMs?: number };
  /** Abort the start (e.g. Ctrl-C before the visor is reachable); everything is closed. */
  signal?: AbortSignal;
  /** How this process was started, for the command to try (default: detected). */
  launch?: Launch;
  /** Web UI port on 127.0.0.1 (default 8000; a taken port falls back to a free one; 0 = any). */
  uiPort?: number;
  /** How long a UI login lasts, in ms (default 12 h). */
  uiSessionTtlMs?: number;
  /**
   * Serve the web UI over HTTPS with a self-signed certificate made once in the visor's
   * `tls` directory and reused (`up --ui-tls`).
   */
  uiTls?: boolean;
  /** scrypt cost of the UI password (tests use a cheap one). */
  uiScrypt?: ScryptParams;
  /** The newest log lines, for the UI's log page. */
  logs?: LogRing;
}

/** `skywire up`'s web UI port: the Go hypervisor's (`:8000`). */
export const DEFAULT_UI_PORT = 8000;

/** How long the visor may take to become reachable on loopback before `up` gives up. */
const READY_TIMEOUT_MS = 30_000;

/** Addresses of a running private network, as `skywire up --json` prints them. */
export interface UpInfo {
  /** The web UI (what a newcomer opens). */
  ui: string;
  /** SHA-256 fingerprint of the UI's certificate with `--ui-tls` (to compare), else `null`. */
  ui_cert_sha256: string | null;
  /** The discovery's base URL. */
  discovery: string;
  /** The dmsg server. */
  dmsg_server: { pk: string; address: string };
  /** The transport discovery's base URL. */
  transport_discovery: string;
  /** The address resolver's base URL. */
  address_resolver: string;
  /** The route finder's base URL. */
  route_finder: string;
  /** The route setup node: the dmsg server's public key (dmsg port 36). */
  setup_node: string;
  /** The visor: its key, its control endpoint (`--rpc`) and where it accepts stcpr. */
  visor: { pk: string; cli_addr: string; stcpr: string };
  /** The second visor, running skysocks: the proxy's exit. */
  exit_visor: { pk: string; cli_addr: string; stcpr: string };
  /** The SOCKS5 proxy (the first visor's skysocks-client), `127.0.0.1:PORT`, or `null`. */
  socks5: string | null;
  /** A curl through the proxy to a local service, run the same way, or `null`. */
  try_proxy: string | null;
  /** The state directory (absolute). */
  data_dir: string;
  /** The visor's `/health` over dmsg HTTP. */
  health_url: string;
  /** A command that fetches it, in the form that runs the way this node was started. */
  try: string;
  /** Where {@linkcode UpInfo.try} must run (`deno task` forms), or `null` (anywhere). */
  try_dir: string | null;
  /** A command that lists the visor's transports (`cli visor tp ls`), run the same way. */
  try_transports: string;
}

/** A running private network. */
export interface UpNetwork {
  /** Addresses and keys. */
  readonly info: UpInfo;
  /** The discovery. */
  readonly discovery: DiscoveryService;
  /** The dmsg server. */
  readonly server: DmsgServer;
  /** The transport discovery. */
  readonly transportDiscovery: TransportDiscoveryService;
  /** The address resolver. */
  readonly addressResolver: AddressResolverService;
  /** The route finder. */
  readonly routeFinder: RouteFinder;
  /** The visor (runs the proxy client). */
  readonly visor: Visor;
  /** The exit visor (runs skysocks). */
  readonly exitVisor: Visor;
  /** The visor's config, as `up` made it (pointing at the services above). */
  readonly visorConfig: SkywireConfig;
  /** The web UI. */
  readonly ui: UiServer;
  /** Stop the visor, then the services in the reverse order of their start. Idempotent. */
  close(): Promise<void>;
}

function visorConfig(
  dataDir: string,
  name: string,
  keys: KeyPair,
  discovery: string,
  server: DmsgServer,
  services: {
    transportDiscovery: string;
    addressResolver: string;
    routeFinder: string;
    cliPort: number;
  },
): SkywireConfig {
  const config = generateConfig({
    keys,
    localPath: join(dataDir, name),
    services: {
      dmsgDiscovery: discovery,
      transportDiscovery: services.transportDiscovery,
      addressResolver: services.addressResolver,
      routeFinder: services.routeFinder,
      // The dmsg server is the setup node (route setup inside the server).
      routeSetupNodes: [server.pk.hex()],
      transportSetup: [],
    },
  });
  config.dmsg = {
    discovery,
    sessions_count: 1,
    // Our own server up front: the visor connects without waiting on available_servers.
    servers: [{
      static: server.pk.hex(),
      server: { address: server.address, availableSessions: DEFAULT_MAX_SESSIONS },
    }],
    servers_type: "all",
  };
  config.transport.stcpr_port = 0;
  delete config.transport.log_store;
  config.cli_addr = `127.0.0.1:${services.cliPort}`;
  config.updater = { ...config.updater, enabled: false };
  return config;
}

/**
 * `skywire up`: a whole private network in one process on 127.0.0.1: a dmsg discovery (test
 * mode), a dmsg server that is also the route setup node (dmsg port 36 of its key), a
 * transport discovery and an address resolver (test mode, loopback binds allowed; the three
 * and the exit visor keep their records in the visor's store, under
 * {@linkcode UP_STORE_PREFIXES}),
 * a route finder reading that transport discovery's store, and two visors that use them all:
 * dmsg, stcpr bound at the resolver, transports registered in the discovery, routes from the
 * route finder and the setup node, control endpoints on 127.0.0.1 (ports 3435 and 3436 or free
 * ones). The second visor (the exit) runs skysocks; the first keeps an stcpr transport to it
 * and runs skysocks-client, a SOCKS5 proxy on 127.0.0.1:1080 (or a free port) whose session
 * rides a route to the exit. The server and the visors answer `/health` on dmsg port 80. Key pairs are
 * kept in `<dataDir>/up-keys.json` (0600), so public keys survive restarts. The data directory
 * is locked (`<dataDir>/up.lock`) while the network runs: a second `startUp` on it throws
 * `DirLockedError` (mod/store) naming the first. Resolves once the visors are reachable and
 * the proxy's session is up (or after `proxyWaitMs`, the proxy still trying).
 */
export async function startUp(options: StartUpOptions): Promise<UpNetwork> {
  const { logger } = options;
  const dataDir = resolve(options.dataDir);
  await Deno.mkdir(dataDir, { recursive: true, mode: 0o700 });
  options.signal?.throwIfAborted();
  // Throws DirLockedError (naming the running `up`) before any key or store is touched.
  const lock = await lockDir({ dir: dataDir, name: UP_LOCK_FILE, what: "skywire up", logger });

  const cleanups: Array<() => Promise<void>> = [() => Promise.resolve(lock.release())];
  const cleanup = async () => {
    for (const step of cleanups.splice(0).reverse()) {
      await step().catch((error) => logger.warn("cleanup step failed", { error }));
    }
  };
  try {
    const keys = await loadOrCreateKeys(
      dataDir,
      ["dmsg_server", "visor", "exit_visor"],
      logger.child("keys"),
    );
    // The visor's own store (its password and sessions stay where they always were), used by
    // the services and the exit visor too, each under a prefix. Closed after all of them.
    const store = await openStore({
      path: join(dataDir, "visor", VISOR_STORE_FILE),
      logger: logger.child("store"),
    });
    cleanups.push(() => Promise.resolve(store.close()));
    const servicesStore = namespacedStore(store, UP_STORE_PREFIXES.services);
    const discovery = await startWithPortFallback(
      "the discovery",
      options.discoveryPort ?? DEFAULT_DISCOVERY_PORT,
      (port) =>
        startDiscovery({
          store: servicesStore,
          // The visor probes the file (store.health_check_interval).
          storeCheckIntervalMs: 0,
          addr: `127.0.0.1:${port}`,
          testMode: true,
          logger: logger.child("dmsg_discovery"),
        }),
      logger,
    );
    cleanups.push(() => discovery.close());

    const server = await startWithPortFallback(
      "the dmsg server",
      options.serverPort ?? DEFAULT_DMSG_SERVER_PORT,
      (port) =>
        startDmsgServer({
          pk: keys.dmsg_server.pk,
          sk: keys.dmsg_server.sk,
          addr: `127.0.0.1:${port}`,
          discovery: discovery.url,
          // Reachable as a client too: Go 2024 visors dial their setup node only that way.
          selfDelegated: true,
          logger: logger.child("dmsg_server"),
        }),
      logger,
    );
    // Entries go with the network: a stopped `up` leaves nothing for its discovery to serve.
    cleanups.push(() => server.close({ deleteEntry: true }));
    const serverHealth: HttpServer = serveServerHealth(server, {
      logger: logger.child("dmsg_server/health"),
    });
    cleanups.push(() => serverHealth.shutdown());
    const setupNode = serveRouteSetup(server, { logger: logger.child("dmsg_server/route_setup") });
    cleanups.push(() => setupNode.close());

    const transportDiscovery = await startWithPortFallback(
      "the transport discovery",
      options.transportDiscoveryPort ?? DEFAULT_TRANSPORT_DISCOVERY_PORT,
      (port) =>
        startTransportDiscovery({
          store: servicesStore,
          addr: `127.0.0.1:${port}`,
          testMode: true,
          logger: logger.child("transport_discovery"),
        }),
      logger,
    );
    cleanups.push(() => transportDiscovery.close());
    const addressResolver = await startWithPortFallback(
      "the address resolver",
      options.addressResolverPort ?? DEFAULT_ADDRESS_RESOLVER_PORT,
      (port) =>
        startAddressResolver({
          store: servicesStore,
          addr: `127.0.0.1:${port}`,
          testMode: true,
          logger: logger.child("address_resolver"),
        }),
      logger,
    );
    cleanups.push(() => addressResolver.close());
    const routeFinder = await startWithPortFallback(
      "the route finder",
      options.routeFinderPort ?? DEFAULT_ROUTE_FINDER_PORT,
      (port) =>
        startRouteFinder({
          addr: `127.0.0.1:${port}`,
          // The transport discovery's store, read in this process.
          source: transportSourceFrom(transportDiscovery.transportsByEdge),
          logger: logger.child("route_finder"),
        }),
      logger,
    );
    cleanups.push(() => routeFinder.close());

    const services = {
      transportDiscovery: transportDiscovery.url,
      addressResolver: addressResolver.url,
      routeFinder: routeFinder.url,
    };
    const ready = async (visor: Visor) => {
      const timeout = AbortSignal.timeout(READY_TIMEOUT_MS);
      await visor.ready(options.signal ? AbortSignal.any([options.signal, timeout]) : timeout);
    };
    // The exit first: the visor's proxy client dials it as soon as it starts.
    const exitConfig = visorConfig(dataDir, "exit-visor", keys.exit_visor, discovery.url, server, {
      ...services,
      cliPort: options.exitCliPort ?? DEFAULT_EXIT_CLI_PORT,
    });
    exitConfig.launcher.apps = [{ name: "skysocks", auto_start: true, port: 3 }];
    // The exit links to the first visor's hypervisor port, so the one UI shows both visors; it
    // serves no UI of its own.
    exitConfig.hypervisors = [keys.visor.pk.hex()];
    delete exitConfig.hypervisor;
    // Its records (a start count) go in the visor's store, which the visor probes.
    exitConfig.store.health_check_interval = "0s";
    const exitVisor = await startVisor({
      config: exitConfig,
      pk: keys.exit_visor.pk,
      sk: keys.exit_visor.sk,
      logger: logger.child("exit_visor"),
      store: namespacedStore(store, UP_STORE_PREFIXES.exitVisor),
      dmsgTuning: options.dmsgTuning,
      transportTuning: { stcprHostname: "127.0.0.1" },
      // Its hypervisor starts after it, in this process: redial within seconds, not 30.
      fleetTuning: { linkBackoff: { initialMs: 500, maxMs: 4_000 } },
      cliAddrFallback: true,
    });
    cleanups.push(() => exitVisor.close({ deleteEntry: true }));
    await ready(exitVisor);

    const exitPk = keys.exit_visor.pk.hex();
    const config = visorConfig(dataDir, "visor", keys.visor, discovery.url, server, {
      ...services,
      cliPort: options.cliPort ?? DEFAULT_CLI_PORT,
    });
    // A transport to the exit that the visor keeps up, and the proxy client through it.
    config.persistent_transports = [{ pk: exitPk, type: "stcpr" }];
    const socksAddr = socksListenAddress(options.socksPort ?? DEFAULT_SOCKS_PORT, logger);
    config.launcher.apps = [
      ...(config.launcher.apps ?? []).filter((app) => app.name !== PROXY_CLIENT_APP),
      {
        name: PROXY_CLIENT_APP,
        args: ["-srv", exitPk, "-addr", socksAddr],
        auto_start: true,
        port: 13,
      },
    ];
    const visor = await startVisor({
      config,
      pk: keys.visor.pk,
      sk: keys.visor.sk,
      logger: logger.child("visor"),
      store,
      dmsgTuning: options.dmsgTuning,
      transportTuning: { stcprHostname: "127.0.0.1" },
      cliAddrFallback: true,
    });
    cleanups.push(() => visor.close({ deleteEntry: true }));
    await ready(visor);
    const socks5 = await waitForProxy(visor, exitPk, options.proxyWaitMs ?? 30_000, logger);

    const api = createVisorApi({ visor, config, logs: options.logs });
    const uiLogger = logger.child("ui");
    const tls = options.uiTls ? await uiTlsCredentials(config.local_path, uiLogger) : undefined;
    const ui = await serveUi({
      addr: `127.0.0.1:${options.uiPort ?? DEFAULT_UI_PORT}`,
      tls,
      portFallback: true,
      api,
      fleet: visor.fleet?.fleet(api, visor.startedAt),
      kv: () => visor.store.kv,
      logger: uiLogger,
      sessionTtlMs: options.uiSessionTtlMs,
      scrypt: options.uiScrypt,
    });
    // Closed before the visor: its live streams read the visor.
    cleanups.push(() => ui.close());

    const healthUrl = `dmsg://${keys.visor.pk.hex()}:80/health`;
    const launch = options.launch ?? detectLaunch();
    const cliAddr = visor.control?.address ?? "";
    const exitCli = exitVisor.control?.address ?? "";
    const info: UpInfo = {
      ui: ui.url,
      ui_cert_sha256: ui.certSha256 ?? null,
      discovery: discovery.url,
      dmsg_server: { pk: server.pk.hex(), address: server.address },
      transport_discovery: transportDiscovery.url,
      address_resolver: addressResolver.url,
      route_finder: routeFinder.url,
      setup_node: server.pk.hex(),
      visor: {
        pk: keys.visor.pk.hex(),
        cli_addr: cliAddr,
        stcpr: visor.transports.stcprAddress ?? "",
      },
      exit_visor: {
        pk: exitPk,
        cli_addr: exitCli,
        stcpr: exitVisor.transports.stcprAddress ?? "",
      },
      socks5: socks5 ?? null,
      // Any local service does as a target: the machine may have no internet.
      try_proxy: socks5 ? `curl --socks5-hostname ${socks5} ${discovery.url}/health` : null,
      data_dir: dataDir,
      health_url: healthUrl,
      try: shellCommand(launch, ["dmsg", "curl", "-d", discovery.url, healthUrl]),
      try_dir: needsProjectDir(launch) ? launch.projectDir ?? null : null,
      try_transports: shellCommand(launch, ["cli", "visor", "tp", "ls", "--rpc", cliAddr]),
    };
    await lock.update({
      ui: info.ui,
      discovery: info.discovery,
      "dmsg server": info.dmsg_server.address,
      visor: info.visor.pk,
      "visor control": info.visor.cli_addr,
      "exit visor": info.exit_visor.pk,
      socks5: info.socks5 ?? "none",
    });
    let closing: Promise<void> | undefined;
    return {
      info,
      discovery,
      server,
      transportDiscovery,
      addressResolver,
      routeFinder,
      visor,
      exitVisor,
      visorConfig: config,
      ui,
      close: () => closing ??= cleanup(),
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * The UI's certificate (self-signed, kept in the visor's TLS directory): its modules load only
 * when TLS is asked for.
 */
async function uiTlsCredentials(localPath: string, logger: Logger): Promise<TlsCredentials> {
  const { defaultCertificateHosts, ensureTlsCredentials } = await import("../../mod/tls/mod.ts");
  const { uiTlsDir } = await import("../visor/web_ui.ts");
  return await ensureTlsCredentials({
    selfSignedDir: uiTlsDir(localPath),
    hosts: defaultCertificateHosts("127.0.0.1"),
    logger,
  });
}
