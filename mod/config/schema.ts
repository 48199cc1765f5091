import {
  bool,
  duration,
  type Infer,
  int,
  list,
  nullable,
  object,
  oneOf,
  openObject,
  optional,
  publicKey,
  secretKey,
  str,
  url,
  withDefault,
} from "./spec.ts";

// `skywire-config.json`, declared once: the types in types.ts are derived from these specs,
// and parseConfig checks files against them.

/** Log levels a config may name (Go's logrus names included). */
export const CONFIG_LOG_LEVELS = [
  "trace",
  "debug",
  "info",
  "warn",
  "warning",
  "error",
  "fatal",
  "panic",
] as const;

const pkList = () => nullable(list(publicKey()));

/** A launcher app entry (`launcher.apps[]`). */
export const APP_SPEC = object({
  /** App name, e.g. `skysocks`. */
  name: str(),
  /** Go 2024: the binary under `launcher.bin_path` (`skywire`, with args `app NAME ...`). */
  binary: optional(str()),
  /** Command-line arguments for the app. */
  args: optional(nullable(list(str()))),
  /** Start the app with the visor. */
  auto_start: optional(bool()),
  /** The app's routing port. */
  port: int(0, 65535),
});

/** A dmsg server known up front (`dmsg.servers[]`), in discovery-entry form. */
export const DMSG_SERVER_ENTRY_SPEC = openObject({
  /** The server's public key. */
  static: publicKey(),
  /** Its address (other discovery-entry fields are allowed and ignored). */
  server: openObject({ address: str() }),
});

/** Our store section: the periodic KV health probe. */
export const STORE_SPEC = object({
  /** Interval of the probe (Go duration; "0s" disables it). */
  health_check_interval: duration(),
});

/** Our updater section (not in Go Skywire, whose updater is an external script). */
export const UPDATER_SPEC = object({
  /** Run the background check. */
  enabled: bool(),
  /** Release channel. */
  channel: oneOf(["stable", "testing"]),
  /**
   * Manifest URL (`http(s)://`, `file://`) or file path; `{channel}` in it is replaced by the
   * channel. Empty means no source: the check is skipped with a log line.
   */
  url: str(),
  /** Interval between background checks (Go duration), jittered. */
  interval: duration(),
  /** Extra trusted Ed25519 release public keys (hex), besides the embedded ones. */
  trusted_keys: withDefault(list(str()), () => []),
  /** Environment file with `RESTART_SERVICES`. */
  env_file: str(),
  /** systemd unit of this node. */
  service: str(),
  /** How long a freshly updated node has to write its "booted OK" mark before rollback. */
  boot_timeout: duration(),
  /** Install updates found by the background check (otherwise only report them). */
  auto_install: withDefault(bool(), () => false),
});

/** Hypervisor (web UI) section. */
export const HYPERVISOR_SPEC = object({
  /** Hypervisor user database path. */
  db_path: optional(str()),
  /** Require a login. */
  enable_auth: optional(bool()),
  /** Session cookie settings (Go's; kept as written). */
  cookies: optional(openObject({})),
  /** dmsg port of the hypervisor. */
  dmsg_port: optional(int(0, 65535)),
  /** Address the web UI listens on. */
  http_addr: str(),
  /**
   * Ours: serve the web UI on a non-loopback `http_addr`. Without it such an address is
   * narrowed to 127.0.0.1, so exposing the UI to the network is an explicit choice.
   */
  allow_remote: optional(bool()),
  /** Serve over TLS. */
  enable_tls: optional(bool()),
  /** TLS certificate file. */
  tls_cert_file: optional(str()),
  /** TLS key file. */
  tls_key_file: optional(str()),
});

/** Defaults of our store section. */
export function defaultStore(): Infer<typeof STORE_SPEC> {
  return { health_check_interval: "5m0s" };
}

/** Defaults of our updater section: daily check, report only, no source configured. */
export function defaultUpdater(): Infer<typeof UPDATER_SPEC> {
  return {
    enabled: true,
    channel: "stable",
    url: "",
    interval: "24h0m0s",
    trusted_keys: [],
    env_file: "/etc/skywire.conf",
    service: "skywire",
    boot_timeout: "2m0s",
    auto_install: false,
  };
}

/** The schema of `skywire-config.json`, with Skywire's field names. */
export const CONFIG_SCHEMA = object({
  /** Version of the program that wrote the file. */
  version: str(),
  /** Secret key (hex). Never logged. */
  sk: secretKey(),
  /** Public key (hex); must match `sk`. */
  pk: publicKey(),
  /** dmsg client settings. */
  dmsg: object({
    /** dmsg discovery URL (the visor's dmsg client fetches from it). */
    discovery: url(),
    /** Sessions with dmsg servers to keep. */
    sessions_count: int(0, 1 << 16),
    /** Servers known up front. */
    servers: nullable(list(DMSG_SERVER_ENTRY_SPEC)),
    /** Which servers to use. */
    servers_type: optional(oneOf(["all", "official", "community", ""])),
  }),
  /** dmsgpty settings. */
  dmsgpty: optional(object({
    dmsg_port: int(0, 65535),
    cli_network: str(),
    cli_address: str(),
    whitelist: pkList(),
  })),
  /** Go's `skywire-tcp` section (kept as written). */
  "skywire-tcp": optional(object({
    pk_table: optional(openObject({})),
    listening_address: optional(str()),
  })),
  /** Transport settings. */
  transport: object({
    discovery: str(),
    address_resolver: str(),
    public_autoconnect: bool(),
    transport_setup: optional(pkList()),
    log_store: optional(object({
      type: oneOf(["file", "memory"]),
      location: str(),
      rotation_interval: optional(duration()),
    })),
    stcpr_port: optional(int(0, 65535)),
    sudph_port: optional(int(0, 65535)),
  }),
  /** Routing settings. */
  routing: object({
    route_setup_nodes: optional(pkList()),
    route_finder: str(),
    route_finder_timeout: optional(duration()),
    min_hops: int(0, 65535),
    enable_cascade_route_setup: optional(bool()),
    /** Refuse to relay for others: no intermediary rules (Go 2026 `no_transit`). */
    no_transit: optional(bool()),
  }),
  /** Uptime tracker. */
  uptime_tracker: optional(object({ addr: str() })),
  /** App launcher. */
  launcher: object({
    service_discovery: optional(str()),
    apps: nullable(list(APP_SPEC)),
    server_addr: optional(str()),
    bin_path: optional(str()),
    display_node_ip: optional(bool()),
  }),
  /** Keys allowed to request surveys. */
  survey_whitelist: optional(pkList()),
  /** Hypervisors this visor accepts. */
  hypervisors: optional(pkList()),
  /** Visor RPC address. */
  cli_addr: optional(str()),
  /** trace, debug, info, warn, error, fatal. */
  log_level: oneOf(CONFIG_LOG_LEVELS),
  /** Directory for local state (KV stores, logs); relative to the config file's directory. */
  local_path: str(),
  /** Go's dmsghttp server list file. */
  dmsghttp_server_path: optional(str()),
  /** STUN servers. */
  stun_servers: optional(nullable(list(str()))),
  /** Grace period on shutdown (Go duration; Go's default 10s). */
  shutdown_timeout: withDefault(duration(), () => "10s"),
  /** Announce this visor as public. */
  is_public: optional(bool()),
  /** Transports to keep up. */
  persistent_transports: optional(nullable(list(object({ pk: publicKey(), type: str() })))),
  /** Web UI. */
  hypervisor: optional(HYPERVISOR_SPEC),
  /** KV health probe. */
  store: withDefault(STORE_SPEC, defaultStore),
  /** Auto-update. */
  updater: withDefault(UPDATER_SPEC, defaultUpdater),
});
