import { type KeyPair, PubKey } from "../../mod/cipher/mod.ts";
import { ConfigError, type SkywireConfig } from "../../mod/config/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";
import { httpUrlProblem, splitHostPort } from "../../mod/netutil/mod.ts";
import {
  AddressResolverClient,
  type BackoffOptions,
  createStcpNetwork,
  createStcprNetwork,
  DmsgNetwork,
  type DmsgTransportClient,
  KeptBinding,
  type PacketHandler,
  type PersistentTransport,
  type TcpNetwork,
  TransportDiscoveryClient,
  TransportManager,
  type TransportNetwork,
  TransportType,
} from "../../mod/transport/mod.ts";

/** Knobs for tests and for `skywire up`; a config has no say in them. */
export interface VisorTransportTuning {
  /** Interface the stcpr listener binds (default every interface, as Go's visor). */
  stcprHostname?: string;
  /** The addresses announced with the stcpr binding (default this host's interfaces, as Go). */
  stcprLocalAddresses?: () => string[];
  /** TransportPing period, ms (default 30 s). */
  pingIntervalMs?: number;
  /** How often missing persistent transports are dialed, ms (default 10 s, as Go). */
  persistentCheckMs?: number;
  /** Delays between failed dials of one persistent transport. */
  persistentBackoff?: BackoffOptions;
  /** Redial delays after a lost connection. */
  redialBackoff?: BackoffOptions;
  /** How long the higher edge leaves a persistent redial to the lower one, ms. */
  redialGraceMs?: number;
  /** How often the stcpr binding is repeated at the address resolver, ms (default 2 min). */
  bindRefreshMs?: number;
  /** Deadline of one discovery or resolver request, ms (default 10 s). */
  requestTimeoutMs?: number;
  /** How long closing waits for discovery and resolver requests before aborting them, ms. */
  closeGraceMs?: number;
}

/** Options for {@linkcode startVisorTransports}. */
export interface VisorTransportsOptions {
  /** The visor's config: its `transport`, `skywire-tcp` and `persistent_transports`. */
  config: SkywireConfig;
  /** The visor's keys. */
  keyPair: KeyPair;
  /** The visor's dmsg client (dmsg transports are streams to port 45 through it). */
  dmsg: DmsgTransportClient;
  /** Where the transport manager logs. */
  logger: Logger;
  /** Test and `up` knobs. */
  tuning?: VisorTransportTuning;
}

/** The transport side of a running visor. */
export interface VisorTransports {
  /** The transport manager: one transport per peer and type. */
  readonly manager: TransportManager;
  /** The transport discovery client (`transport.discovery`), if one is configured. */
  readonly discovery?: TransportDiscoveryClient;
  /** The address resolver client (`transport.address_resolver`), if one is configured. */
  readonly resolver?: AddressResolverClient;
  /** The stcpr binding kept at the resolver. */
  readonly binding?: KeptBinding;
  /** Where stcpr accepts (`host:port`), once listening. */
  readonly stcprAddress?: string;
  /** Where stcp accepts (`host:port`), when `skywire-tcp.listening_address` is set. */
  readonly stcpAddress?: string;
  /**
   * Where routing packets from every transport go (replacing the previous handler), or
   * nowhere (dropped, counted) with `undefined`. The visor has no router yet: tests and tools
   * take them here.
   */
  setPacketHandler(handler: PacketHandler | undefined): void;
  /** Close every transport (deregistering them), the networks and the binding. Idempotent. */
  close(): Promise<void>;
}

function serviceUrl(config: SkywireConfig, field: "discovery" | "address_resolver") {
  const url = config.transport[field].trim();
  if (url === "") return undefined;
  const problem = httpUrlProblem(url);
  if (problem) throw new ConfigError(`config field "transport.${field}": ${problem}`);
  return url;
}

function persistentList(config: SkywireConfig, types: string[], logger: Logger) {
  const list: PersistentTransport[] = [];
  for (const { pk, type } of config.persistent_transports ?? []) {
    if (!types.includes(type)) {
      logger.warn("persistent transport of a type this visor cannot make; skipped", { pk, type });
      continue;
    }
    list.push({ pk: PubKey.fromHex(pk), type });
  }
  return list;
}

function stcpTable(section: Record<string, unknown>, logger: Logger): Map<string, string> {
  const table = new Map<string, string>();
  for (const [pk, address] of Object.entries(section)) {
    try {
      PubKey.fromHex(pk);
      if (typeof address !== "string" || !splitHostPort(address)) throw new Error("not host:port");
      table.set(pk.toLowerCase(), address);
    } catch (error) {
      logger.warn("ignoring a skywire-tcp.pk_table entry", { pk, error: String(error) });
    }
  }
  return table;
}

function addressOf(network: TransportNetwork | undefined): string | undefined {
  const addr = (network as TcpNetwork | undefined)?.listenAddr;
  return addr ? `${addr.hostname}:${addr.port}` : undefined;
}

/**
 * The transport side of a visor, from its config (Go's `initTransport`):
 *
 * - `dmsg` transports always, through the visor's dmsg client;
 * - `stcpr` when `transport.address_resolver` is set: TCP on `transport.stcpr_port` (0 = any
 *   free port), bound at the resolver and kept bound ({@linkcode KeptBinding});
 * - `stcp` when the `skywire-tcp` section is there: its `pk_table`, and its
 *   `listening_address` to accept on;
 * - registration of accepted transports in `transport.discovery` when it is set;
 * - `persistent_transports` kept up.
 *
 * `transport.public_autoconnect`, `transport_setup` and `log_store` are not run (the caller
 * names them). A service that is down is not fatal: registrations and binds are retried or
 * logged. Throws `ConfigError` for a service URL that is not `http(s)://`.
 */
export async function startVisorTransports(
  options: VisorTransportsOptions,
): Promise<VisorTransports> {
  const { config, keyPair, tuning = {} } = options;
  const logger = options.logger;
  const discoveryUrl = serviceUrl(config, "discovery");
  const resolverUrl = serviceUrl(config, "address_resolver");
  // Requests still running at close are aborted after a grace period, so a discovery that does
  // not answer cannot hold the visor's shutdown past its budget.
  const stopRequests = new AbortController();
  const fetchUntilClosed: typeof fetch = (input, init) =>
    fetch(input, {
      ...init,
      signal: init?.signal
        ? AbortSignal.any([init.signal, stopRequests.signal])
        : stopRequests.signal,
    });
  const clientOptions = {
    keys: keyPair,
    timeoutMs: tuning.requestTimeoutMs,
    fetch: fetchUntilClosed,
  };
  const discovery = discoveryUrl
    ? new TransportDiscoveryClient({ url: discoveryUrl, ...clientOptions })
    : undefined;
  const resolver = resolverUrl
    ? new AddressResolverClient({ url: resolverUrl, ...clientOptions })
    : undefined;
  const binding = resolver
    ? new KeptBinding({ resolver, refreshMs: tuning.bindRefreshMs, logger: logger.child("stcpr") })
    : undefined;

  const networks: TransportNetwork[] = [new DmsgNetwork(options.dmsg)];
  if (binding) {
    networks.push(createStcprNetwork({
      keyPair,
      resolver: binding,
      port: config.transport.stcpr_port ?? 0,
      hostname: tuning.stcprHostname,
      localAddresses: tuning.stcprLocalAddresses,
      logger,
    }));
  }
  const stcp = config["skywire-tcp"];
  if (stcp) {
    networks.push(createStcpNetwork({
      keyPair,
      pkTable: stcpTable(stcp.pk_table ?? {}, logger),
      listeningAddress: stcp.listening_address || undefined,
      logger,
    }));
  }
  const types = networks.map((network) => network.type);
  let packetHandler: PacketHandler | undefined;
  const manager = new TransportManager({
    keyPair,
    networks,
    registry: discovery,
    onPacket: (packet, transport) => packetHandler?.(packet, transport),
    persistent: persistentList(config, types, logger),
    pingIntervalMs: tuning.pingIntervalMs,
    persistentCheckMs: tuning.persistentCheckMs,
    persistentBackoff: tuning.persistentBackoff,
    redialBackoff: tuning.redialBackoff,
    redialGraceMs: tuning.redialGraceMs,
    logger,
  });
  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      const grace = setTimeout(() => stopRequests.abort(), tuning.closeGraceMs ?? 1_000);
      try {
        await manager.close();
        await binding?.close();
      } finally {
        clearTimeout(grace);
        stopRequests.abort();
      }
    })();
  try {
    await manager.start();
  } catch (error) {
    await close();
    throw error;
  }
  const stcprAddress = addressOf(manager.network(TransportType.stcpr));
  const stcpAddress = addressOf(manager.network(TransportType.stcp));
  logger.child("transport").info("transports started", {
    types: types.join(", "),
    discovery: discoveryUrl ?? "none",
    address_resolver: resolverUrl ?? "none",
    stcpr: stcprAddress,
    stcp: stcpAddress,
    persistent: manager.persistent.length,
  });
  return {
    manager,
    discovery,
    resolver,
    binding,
    stcprAddress,
    stcpAddress,
    setPacketHandler: (handler) => packetHandler = handler,
    close,
  };
}
