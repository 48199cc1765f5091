import { generateKeyPair, keyPairFromSecKey, PubKey, SecKey } from "../../mod/cipher/mod.ts";
import { parseLogLevel } from "../../mod/log/mod.ts";
import {
  DEFAULT_MAX_SESSIONS,
  type DmsgServerOptions,
  type PeerConfig,
  splitListenAddress,
} from "../../mod/dmsg/mod.ts";

/** The production discovery Go's `config gen` writes. */
export const DEFAULT_DISCOVERY_URL = "http://dmsgd.skywire.skycoin.com";

/**
 * The dmsg server config file: Go `dmsg-server`'s field names and order, plus `peers` (ours,
 * Go 2026's mesh list). `update_interval` is a Go duration in nanoseconds (0 = default).
 */
export interface DmsgServerConfig {
  /** The server's public key, hex. */
  public_key: string;
  /** The server's secret key, hex (never logged). */
  secret_key: string;
  /** Discovery URL. */
  discovery: string;
  /** `host:port` published in the discovery. */
  public_address: string;
  /** `host:port` to listen on (`:8081` is every interface). */
  local_address: string;
  /** Go's health HTTP endpoint; kept for compatibility, not served (see the service docs). */
  health_endpoint_address: string;
  /** trace, debug, info, warn or error. */
  log_level: string;
  /** Entry refresh period in nanoseconds; 0 means the default (1 min). */
  update_interval: number;
  /** Client sessions accepted at once. */
  max_sessions: number;
  /** Peer servers of the mesh. */
  peers: Array<{ public_key: string; address: string }>;
}

/** A config file that cannot be used; the message names the field. */
export class DmsgServerConfigError extends Error {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "DmsgServerConfigError";
  }
}

/** A new config with a fresh key pair and Go's defaults (`dmsg-server config gen`). */
export function generateServerConfig(): DmsgServerConfig {
  const keys = generateKeyPair();
  return {
    public_key: keys.pk.hex(),
    secret_key: keys.sk.hex(),
    discovery: DEFAULT_DISCOVERY_URL,
    public_address: "127.0.0.1:8081",
    local_address: ":8081",
    health_endpoint_address: ":8082",
    log_level: "info",
    update_interval: 0,
    max_sessions: DEFAULT_MAX_SESSIONS,
    peers: [],
  };
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
    peers: config.peers,
  };
  return JSON.stringify(ordered, null, "\t") + "\n";
}

/** Parse `PK@host:port`. */
export function parsePeer(text: string): PeerConfig {
  const at = text.indexOf("@");
  if (at < 0) throw new DmsgServerConfigError(`peer "${text}" is not PK@host:port`);
  return peerFrom(text.slice(0, at), text.slice(at + 1), `peer "${text}"`);
}

function peerFrom(pkHex: string, address: string, what: string): PeerConfig {
  let pk: PubKey;
  try {
    pk = PubKey.fromHex(pkHex.trim());
  } catch (error) {
    throw new DmsgServerConfigError(`${what}: ${(error as Error).message}`);
  }
  if (pk.isNull()) throw new DmsgServerConfigError(`${what}: null public key`);
  try {
    splitListenAddress(address.trim());
  } catch {
    throw new DmsgServerConfigError(`${what}: invalid address "${address}"`);
  }
  return { pk, address: address.trim() };
}

function field<T extends string | number>(
  raw: Record<string, unknown>,
  name: string,
  fallback: T,
): T {
  const value = raw[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== typeof fallback) {
    throw new DmsgServerConfigError(`"${name}" must be a ${typeof fallback}`);
  }
  return value as T;
}

/** Parse and check a config file's text (missing fields take `config gen`'s defaults). */
export function parseServerConfig(text: string): DmsgServerConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new DmsgServerConfigError(`not JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new DmsgServerConfigError("not a JSON object");
  }
  const r = raw as Record<string, unknown>;
  const defaults = { ...generateServerConfig(), public_key: "", secret_key: "" };
  const config: DmsgServerConfig = {
    public_key: field(r, "public_key", ""),
    secret_key: field(r, "secret_key", ""),
    discovery: field(r, "discovery", defaults.discovery),
    public_address: field(r, "public_address", defaults.public_address),
    local_address: field(r, "local_address", defaults.local_address),
    health_endpoint_address: field(r, "health_endpoint_address", ""),
    log_level: field(r, "log_level", defaults.log_level),
    update_interval: field(r, "update_interval", 0),
    max_sessions: field(r, "max_sessions", defaults.max_sessions),
    peers: [],
  };
  let sk: SecKey;
  try {
    sk = SecKey.fromHex(config.secret_key);
  } catch {
    throw new DmsgServerConfigError(`"secret_key" is not a valid secret key`);
  }
  const pk = keyPairFromSecKey(sk).pk;
  if (config.public_key === "") config.public_key = pk.hex();
  else if (config.public_key !== pk.hex()) {
    throw new DmsgServerConfigError(`"public_key" does not belong to "secret_key"`);
  }
  if (!parseLogLevel(config.log_level)) {
    throw new DmsgServerConfigError(`"log_level" "${config.log_level}" is not a level`);
  }
  if (!Number.isInteger(config.max_sessions) || config.max_sessions <= 0) {
    throw new DmsgServerConfigError(`"max_sessions" must be a positive integer`);
  }
  if (!Number.isInteger(config.update_interval) || config.update_interval < 0) {
    throw new DmsgServerConfigError(`"update_interval" must be nanoseconds >= 0`);
  }
  const peers = r.peers ?? [];
  if (!Array.isArray(peers)) throw new DmsgServerConfigError(`"peers" must be a list`);
  config.peers = peers.map((peer, i) => {
    const p = (peer ?? {}) as Record<string, unknown>;
    if (typeof p.public_key !== "string" || typeof p.address !== "string") {
      throw new DmsgServerConfigError(`peers[${i}] needs "public_key" and "address" strings`);
    }
    peerFrom(p.public_key, p.address, `peers[${i}]`);
    return { public_key: p.public_key, address: p.address };
  });
  return config;
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
    peers: config.peers.map((p) => peerFrom(p.public_key, p.address, "peer")),
    updateIntervalMs: config.update_interval > 0
      ? Math.max(1, Math.round(config.update_interval / 1e6))
      : undefined,
  };
}
