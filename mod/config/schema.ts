/** A node in the config schema. */
export type Spec =
  | { kind: "string"; optional?: boolean }
  | { kind: "int"; min: number; max: number; optional?: boolean }
  | { kind: "bool"; optional?: boolean }
  | { kind: "pk"; optional?: boolean }
  | { kind: "sk"; optional?: boolean }
  | { kind: "duration"; optional?: boolean }
  | { kind: "enum"; values: readonly string[]; optional?: boolean }
  | { kind: "array"; items: Spec; nullable?: boolean; optional?: boolean }
  | { kind: "object"; fields: Record<string, Spec>; open?: boolean; optional?: boolean };

const str = (optional = false): Spec => ({ kind: "string", optional });
const bool = (optional = false): Spec => ({ kind: "bool", optional });
const int = (min: number, max: number, optional = false): Spec => ({
  kind: "int",
  min,
  max,
  optional,
});
const dur = (optional = false): Spec => ({ kind: "duration", optional });
const pks = (optional = false): Spec => ({
  kind: "array",
  items: { kind: "pk" },
  nullable: true,
  optional,
});
const obj = (fields: Record<string, Spec>, optional = false, open = false): Spec => ({
  kind: "object",
  fields,
  optional,
  open,
});

/** The schema of `skywire-config.json`. */
export const CONFIG_SCHEMA: Spec = obj({
  version: str(),
  sk: { kind: "sk" },
  pk: { kind: "pk" },
  dmsg: obj({
    discovery: str(),
    sessions_count: int(0, 1 << 16),
    servers: {
      kind: "array",
      nullable: true,
      items: obj(
        { static: { kind: "pk" }, server: obj({ address: str() }, false, true) },
        false,
        true,
      ),
    },
    servers_type: { kind: "enum", values: ["all", "official", "community", ""], optional: true },
  }),
  dmsgpty: obj({
    dmsg_port: int(0, 65535),
    cli_network: str(),
    cli_address: str(),
    whitelist: pks(),
  }, true),
  "skywire-tcp": obj({
    pk_table: { kind: "object", fields: {}, open: true, optional: true },
    listening_address: str(true),
  }, true),
  transport: obj({
    discovery: str(),
    address_resolver: str(),
    public_autoconnect: bool(),
    transport_setup: pks(true),
    log_store: obj({
      type: { kind: "enum", values: ["file", "memory"] },
      location: str(),
      rotation_interval: dur(true),
    }, true),
    stcpr_port: int(0, 65535, true),
    sudph_port: int(0, 65535, true),
  }),
  routing: obj({
    route_setup_nodes: pks(true),
    route_finder: str(),
    route_finder_timeout: dur(true),
    min_hops: int(0, 65535),
    enable_cascade_route_setup: bool(true),
  }),
  uptime_tracker: obj({ addr: str() }, true),
  launcher: obj({
    service_discovery: str(true),
    apps: {
      kind: "array",
      nullable: true,
      items: obj({
        name: str(),
        args: { kind: "array", items: { kind: "string" }, nullable: true, optional: true },
        auto_start: bool(true),
        port: int(0, 65535),
      }),
    },
    server_addr: str(true),
    bin_path: str(true),
    display_node_ip: bool(true),
  }),
  survey_whitelist: pks(true),
  hypervisors: pks(true),
  cli_addr: str(true),
  log_level: {
    kind: "enum",
    values: ["trace", "debug", "info", "warn", "warning", "error", "fatal", "panic"],
  },
  local_path: str(),
  dmsghttp_server_path: str(true),
  stun_servers: { kind: "array", items: { kind: "string" }, nullable: true, optional: true },
  shutdown_timeout: dur(true),
  is_public: bool(true),
  persistent_transports: {
    kind: "array",
    nullable: true,
    optional: true,
    items: obj({ pk: { kind: "pk" }, type: str() }),
  },
  hypervisor: obj({
    db_path: str(true),
    enable_auth: bool(true),
    cookies: { kind: "object", fields: {}, open: true, optional: true },
    dmsg_port: int(0, 65535, true),
    http_addr: str(),
    enable_tls: bool(true),
    tls_cert_file: str(true),
    tls_key_file: str(true),
  }, true),
  store: obj({ health_check_interval: dur() }, true),
  updater: obj({
    enabled: bool(),
    channel: { kind: "enum", values: ["stable", "testing"] },
    url: str(),
    interval: dur(),
    trusted_keys: { kind: "array", items: { kind: "string" }, nullable: true, optional: true },
    env_file: str(),
    service: str(),
    boot_timeout: dur(),
    auto_install: bool(true),
  }, true),
});
