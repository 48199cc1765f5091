/** A launcher app entry (`launcher.apps[]`). */
export interface AppConfig {
  /** App name, e.g. `skysocks`. */
  name: string;
  /** Command-line arguments for the app. */
  args?: string[];
  /** Start the app with the visor. */
  auto_start: boolean;
  /** The app's routing port. */
  port: number;
}

/** A dmsg server known up front (`dmsg.servers[]`), in discovery-entry form. */
export interface DmsgServerConfig {
  /** The server's public key. */
  static: string;
  /** Its address. */
  server: { address: string; availableSessions?: number };
  // Other discovery-entry fields are allowed and ignored.
  [field: string]: unknown;
}

/** Our updater section (not in Go Skywire, whose updater is an external script). */
export interface UpdaterConfig {
  /** Run the background check. */
  enabled: boolean;
  /** Release channel: `stable` or `testing`. */
  channel: string;
  /**
   * Manifest URL (`http(s)://`, `file://`) or file path; `{channel}` in it is replaced by the
   * channel. Empty means no source: the check is skipped with a log line.
   */
  url: string;
  /** Interval between background checks (Go duration), jittered. */
  interval: string;
  /** Extra trusted Ed25519 release public keys (hex), besides the embedded ones. */
  trusted_keys: string[];
  /** Environment file with `RESTART_SERVICES`. */
  env_file: string;
  /** systemd unit of this node. */
  service: string;
  /** How long a freshly updated node has to write its "booted OK" mark before rollback. */
  boot_timeout: string;
  /** Install updates found by the background check (otherwise only report them). */
  auto_install: boolean;
}

/** Our store section. */
export interface StoreConfig {
  /** Interval of the periodic KV health probe (Go duration; "0s" disables it). */
  health_check_interval: string;
}

/** Hypervisor (web UI) section. */
export interface HypervisorConfig {
  /** Hypervisor user database path. */
  db_path: string;
  /** Require a login. */
  enable_auth: boolean;
  /** Address the web UI listens on. */
  http_addr: string;
  /** Serve over TLS. */
  enable_tls: boolean;
  /** TLS certificate file. */
  tls_cert_file: string;
  /** TLS key file. */
  tls_key_file: string;
}

/** `skywire-config.json`, with Skywire's field names. */
export interface SkywireConfig {
  /** Version of the program that wrote the file. */
  version: string;
  /** Secret key (hex). Never logged. */
  sk: string;
  /** Public key (hex); must match `sk`. */
  pk: string;
  /** dmsg client settings. */
  dmsg: {
    discovery: string;
    sessions_count: number;
    servers: DmsgServerConfig[];
    servers_type?: string;
  };
  /** dmsgpty settings. */
  dmsgpty?: { dmsg_port: number; cli_network: string; cli_address: string; whitelist: string[] };
  /** Transport settings. */
  transport: {
    discovery: string;
    address_resolver: string;
    public_autoconnect: boolean;
    transport_setup: string[];
    log_store: { type: string; location: string; rotation_interval: string };
    stcpr_port: number;
    sudph_port: number;
  };
  /** Routing settings. */
  routing: {
    route_setup_nodes: string[];
    route_finder: string;
    route_finder_timeout: string;
    min_hops: number;
    enable_cascade_route_setup: boolean;
  };
  /** Uptime tracker. */
  uptime_tracker?: { addr: string };
  /** App launcher. */
  launcher: {
    service_discovery: string;
    apps: AppConfig[];
    server_addr: string;
    bin_path: string;
    display_node_ip: boolean;
  };
  /** Keys allowed to request surveys. */
  survey_whitelist: string[];
  /** Hypervisors this visor accepts. */
  hypervisors: string[];
  /** Visor RPC address. */
  cli_addr: string;
  /** trace, debug, info, warn, error, fatal. */
  log_level: string;
  /** Directory for local state (KV stores, logs). */
  local_path: string;
  /** STUN servers. */
  stun_servers: string[];
  /** Grace period on shutdown (Go duration). */
  shutdown_timeout: string;
  /** Announce this visor as public. */
  is_public: boolean;
  /** Transports to keep up. */
  persistent_transports: Array<{ pk: string; type: string }> | null;
  /** Web UI. */
  hypervisor?: HypervisorConfig;
  /** KV health probe. */
  store: StoreConfig;
  /** Auto-update. */
  updater: UpdaterConfig;
}
