import { generateKeyPair, keyPairFromSecKey, PubKey, SecKey } from "../../mod/cipher/mod.ts";
import {
  bool,
  checkSpec,
  ConfigError,
  type Infer,
  int,
  list,
  object,
  parseSpec,
  publicKey,
  secretKey,
  str,
  url,
  withDefault,
} from "../../mod/config/mod.ts";
import { parseLogLevel } from "../../mod/log/mod.ts";
import {
  DEFAULT_MAX_SESSIONS,
  DEFAULT_MAX_SESSIONS_PER_ADDRESS,
  type DmsgServerOptions,
  MAX_BUFFERED_BYTES_PER_SESSION,
  MAX_PENDING_STREAMS,
  MAX_PENDING_STREAMS_PER_SESSION,
  MAX_RELAYED_STREAMS,
  MAX_SESSION_HANDSHAKES,
  MAX_SESSION_HANDSHAKES_PER_ADDRESS,
  MAX_STREAMS_PER_SESSION,
  type PeerConfig,
} from "../../mod/dmsg/mod.ts";
import {
  joinHostPort,
  parseHostPort,
  parseListenAddress,
  splitHostPort,
} from "../../mod/netutil/mod.ts";

// Largest count limit accepted: far beyond what one process can hold, small enough that a
// typo (an extra digit or three) is caught rather than taken as "unlimited".
const MOST = 1_000_000;

/** One of the server's limits: what it caps, its default and the values accepted. */
export interface ServerLimit {
  /** What it caps (the flag's help text). */
  description: string;
  /** The default. */
  value: number;
  /** Least accepted. */
  min: number;
  /** Most accepted. */
  max: number;
}

/**
 * The server's limits by config field; each is also a `--max-…` flag of `dmsg server start`
 * (the field's name with dashes). Defaults are `mod/dmsg`'s.
 */
export const SERVER_LIMITS = {
  max_sessions_per_ip: {
    description: "client sessions from one IPv4 address or IPv6 /64 (0: no cap; Go --limit-ip)",
    value: DEFAULT_MAX_SESSIONS_PER_ADDRESS,
    min: 0,
    max: MOST,
  },
  max_handshakes: {
    description: "session handshakes under way at once (past it the oldest is dropped)",
    value: MAX_SESSION_HANDSHAKES,
    min: 1,
    max: MOST,
  },
  max_handshakes_per_ip: {
    description: "session handshakes under way from one IPv4 address or IPv6 /64",
    value: MAX_SESSION_HANDSHAKES_PER_ADDRESS,
    min: 1,
    max: MOST,
  },
  max_streams_per_session: {
    description: "streams one session may have in the relay at once",
    value: MAX_STREAMS_PER_SESSION,
    min: 1,
    max: MOST,
  },
  max_relayed_streams: {
    description: "relayed streams over the whole server at once",
    value: MAX_RELAYED_STREAMS,
    min: 1,
    max: MOST,
  },
  max_pending_streams_per_session: {
    description: "streams one session may have waiting for their answer",
    value: MAX_PENDING_STREAMS_PER_SESSION,
    min: 1,
    max: MOST,
  },
  max_pending_streams: {
    description: "streams waiting for their answer over the whole server",
    value: MAX_PENDING_STREAMS,
    min: 1,
    max: MOST,
  },
  max_buffered_bytes_per_session: {
    description: "bytes a client's streams may hold unread in the server (>= one 256 KiB window)",
    value: MAX_BUFFERED_BYTES_PER_SESSION,
    min: 256 * 1024,
    max: Number.MAX_SAFE_INTEGER,
  },
} as const satisfies Record<string, ServerLimit>;

/** A config field that holds one of {@linkcode SERVER_LIMITS}. */
export type ServerLimitField = keyof typeof SERVER_LIMITS;

function limit(field: ServerLimitField) {
  const { value, min, max } = SERVER_LIMITS[field];
  return withDefault(int(min, max), () => value);
}

/** The production discovery Go's `config gen` writes. */
export const DEFAULT_DISCOVERY_URL = "http://dmsgd.skywire.skycoin.com";

/**
 * The dmsg server config file: Go `dmsg-server`'s field names and order, plus our limits
 * (`max_sessions_per_ip`, Go's `--limit-ip` flag, and the rest, each a `--max-…` flag too),
 * `peers` (Go 2026's mesh list) and `enable_route_setup` (Go 2026's setup node inside the
 * server). Missing fields take `config gen`'s defaults, except `public_key` (derived from
 * `secret_key` when empty) and `health_endpoint_address` (empty).
 */
export const DMSG_SERVER_CONFIG_SPEC = object({
  /** The server's public key, hex; empty means the key of `secret_key`. */
  public_key: withDefault(str(), () => ""),
  /** The server's secret key, hex (never logged). */
  secret_key: secretKey(),
  /** Discovery URL (http or https). */
  discovery: withDefault(url(), () => DEFAULT_DISCOVERY_URL),
  /**
   * `host:port` published in the discovery; empty means the address the server listens on,
   * and port 0 the port it got.
   */
  public_address: withDefault(str(), () => ""),
  /** `host:port` to listen on (`:8081` is every interface). */
  local_address: withDefault(str(), () => ":8081"),
  /** Go's health HTTP endpoint; kept for compatibility, not served (see the service docs). */
  health_endpoint_address: withDefault(str(), () => ""),
  /** trace, debug, info, warn or error (any case, as Go's logrus reads it). */
  log_level: withDefault(str(), () => "info"),
  /** Entry refresh period in nanoseconds (a Go duration); 0 means the default (1 min). */
  update_interval: withDefault(int(0, Number.MAX_SAFE_INTEGER), () => 0),
  /** Client sessions accepted at once. */
  max_sessions: withDefault(int(1, Number.MAX_SAFE_INTEGER), () => DEFAULT_MAX_SESSIONS),
  max_sessions_per_ip: limit("max_sessions_per_ip"),
  /** Cap this host's own addresses (127.0.0.1, ::1) per IP too; off, local visors share them. */
  limit_loopback: withDefault(bool(), () => false),
  max_handshakes: limit("max_handshakes"),
  max_handshakes_per_ip: limit("max_handshakes_per_ip"),
  max_streams_per_session: limit("max_streams_per_session"),
  max_relayed_streams: limit("max_relayed_streams"),
  max_pending_streams_per_session: limit("max_pending_streams_per_session"),
  max_pending_streams: limit("max_pending_streams"),
  max_buffered_bytes_per_session: limit("max_buffered_bytes_per_session"),
  /** Peer servers of the mesh. */
  peers: withDefault(list(object({ public_key: publicKey(), address: str() })), () => []),
  /**
   * Also be a route setup node (Go 2026's field): `SetupRPCGateway` on dmsg port 36 of the
   * server's own key, for visors that list this key in `routing.route_setup_nodes`.
   */
  enable_route_setup: withDefault(bool(), () => false),
});

/** A checked dmsg server config file. */
export type DmsgServerConfig = Infer<typeof DMSG_SERVER_CONFIG_SPEC>;

/** A parsed config file and its warnings (unknown fields). */
export interface ParsedServerConfig {
  /** The config, defaults filled. */
  config: DmsgServerConfig;
  /** Non-fatal findings, such as unknown fields. */
  warnings: string[];
}

/** A new config with a fresh key pair and Go's defaults (`dmsg-server config gen`). */
export function generateServerConfig(): DmsgServerConfig {
  const keys = generateKeyPair();
  // The spec's defaults are config gen's; the keys and Go's public and health addresses
  // are added.
  const fresh = {
    public_key: keys.pk.hex(),
    secret_key: keys.sk.hex(),
    public_address: "127.0.0.1:8081",
    health_endpoint_address: ":8082",
  };
  return checkSpec(DMSG_SERVER_CONFIG_SPEC, fresh).value;
}

/** The file text: Go's field order, tab-indented as Go's `json.MarshalIndent` writes it. */
export function serverConfigToJson(config: DmsgServerConfig): string {
  const ordered = {
    public_key: config.public_key,
    secret_key: config.secret_key,
    discovery: config.discovery,
    public_address: config.public_address,
    local_address: config.local_address,
    health_endpoint_address: config.health_endpoint_address,
    log_level: config.log_level,
    update_interval: config.update_interval,
    max_sessions: config.max_sessions,
    max_sessions_per_ip: config.max_sessions_per_ip,
    limit_loopback: config.limit_loopback,
    max_handshakes: config.max_handshakes,
    max_handshakes_per_ip: config.max_handshakes_per_ip,
    max_streams_per_session: config.max_streams_per_session,
    max_relayed_streams: config.max_relayed_streams,
    max_pending_streams_per_session: config.max_pending_streams_per_session,
    max_pending_streams: config.max_pending_streams,
    max_buffered_bytes_per_session: config.max_buffered_bytes_per_session,
    peers: config.peers,
    enable_route_setup: config.enable_route_setup,
  };
  return JSON.stringify(ordered, null, "\t") + "\n";
}

/** Parse `PK@host:port`. */
export function parsePeer(text: string): PeerConfig {
  const at = text.indexOf("@");
  if (at < 0) throw new ConfigError(`peer "${text}" is not PK@host:port`);
  return peerFrom(text.slice(0, at), text.slice(at + 1), `peer "${text}"`);
}

function peerFrom(pkHex: string, address: string, what: string): PeerConfig {
  let pk: PubKey;
  try {
    pk = PubKey.fromHex(pkHex.trim());
  } catch (error) {
    throw new ConfigError(`${what}: ${(error as Error).message}`);
  }
  if (pk.isNull()) throw new ConfigError(`${what}: null public key`);
  try {
    parseListenAddress(address.trim());
  } catch {
    throw new ConfigError(`${what}: invalid address "${address}"`);
  }
  return { pk, address: address.trim() };
}

/**
 * Parse and check a config file's text (missing fields take `config gen`'s defaults). Errors
 * are {@linkcode ConfigError}s naming the field, as for the visor's config.
 */
export function parseServerConfig(text: string): ParsedServerConfig {
  const { value: config, warnings } = parseSpec(DMSG_SERVER_CONFIG_SPEC, text);
  const pk = keyPairFromSecKey(SecKey.fromHex(config.secret_key)).pk;
  if (config.public_key === "") config.public_key = pk.hex();
  else if (config.public_key !== pk.hex()) {
    throw new ConfigError(`config field "public_key" does not belong to "secret_key"`);
  }
  if (!parseLogLevel(config.log_level)) {
    throw new ConfigError(`config field "log_level": "${config.log_level}" is not a level`);
  }
  if (config.public_address !== "" && !isHostPort(config.public_address)) {
    throw new ConfigError(
      `config field "public_address": "${config.public_address}" is not host:port`,
    );
  }
  config.peers.forEach((p, i) => peerFrom(p.public_key, p.address, `config field "peers[${i}]"`));
  return { config, warnings };
}

/** Whether `text` is `host:port` with a host and a port number (what a server can publish). */
export function isHostPort(text: string): boolean {
  const split = splitHostPort(text);
  return split !== undefined && split.host !== "" && /^\d{1,5}$/.test(split.port) &&
    Number(split.port) <= 65535;
}

/**
 * Listen on `addr` instead of the config's `local_address`. A `public_address` that named the
 * old listening port follows to the new one (port 0 included, which the server resolves to the
 * port it gets), so the server never advertises a port it does not listen on; any other public
 * address is the operator's and stays. Throws `TypeError` for an `addr` that is not host:port.
 */
export function withListenAddress(config: DmsgServerConfig, addr: string): void {
  const listen = parseHostPort(addr.trim(), "0.0.0.0");
  if (!listen) throw new TypeError(`invalid listen address "${addr}"`);
  const oldPort = splitHostPort(config.local_address)?.port;
  const published = splitHostPort(config.public_address);
  config.local_address = addr;
  if (published === undefined || oldPort === undefined || published.port !== oldPort) return;
  config.public_address = joinHostPort(published.host, listen.port);
}

/** Server options from a checked config (the discovery URL and the rest as written). */
export function serverOptionsFromConfig(
  config: DmsgServerConfig,
): Omit<DmsgServerOptions, "logger"> {
  const sk = SecKey.fromHex(config.secret_key);
  return {
    pk: keyPairFromSecKey(sk).pk,
    sk,
    addr: config.local_address,
    publicAddress: config.public_address || undefined,
    discovery: config.discovery,
    maxSessions: config.max_sessions,
    maxSessionsPerAddress: config.max_sessions_per_ip,
    limitLoopback: config.limit_loopback,
    maxHandshakes: config.max_handshakes,
    maxHandshakesPerAddress: config.max_handshakes_per_ip,
    maxStreamsPerSession: config.max_streams_per_session,
    maxRelayedStreams: config.max_relayed_streams,
    maxPendingStreamsPerSession: config.max_pending_streams_per_session,
    maxPendingStreams: config.max_pending_streams,
    maxBufferedBytesPerSession: config.max_buffered_bytes_per_session,
    peers: config.peers.map((p) => peerFrom(p.public_key, p.address, "peer")),
    // Go 2024 visors dial only keys with a client entry; the setup node is on this key.
    selfDelegated: config.enable_route_setup,
    updateIntervalMs: config.update_interval > 0
      ? Math.max(1, Math.round(config.update_interval / 1e6))
      : undefined,
  };
}
