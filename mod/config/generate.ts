import { generateKeyPair, type KeyPair } from "../cipher/mod.ts";
import { VERSION } from "../version/mod.ts";
import { type ServiceEndpoints, SERVICES } from "./services.ts";
import { defaultStore, defaultUpdater } from "./schema.ts";
import type { SkywireConfig } from "./types.ts";

/** Options for {@linkcode generateConfig}. */
export interface GenerateOptions {
  /** Keep this key pair instead of making a new one (regeneration). */
  keys?: KeyPair;
  /** Use the test deployment instead of production. */
  testEnv?: boolean;
  /** Opt in to cascade (source-driven) route setup. */
  cascade?: boolean;
  /** Minimum hops for routes. */
  minHops?: number;
  /** Hypervisor public keys (hex). */
  hypervisors?: string[];
  /** Directory for local state. Default `./local`. */
  localPath?: string;
  /** Service endpoints that replace the deployment's (e.g. a private network's discovery). */
  services?: Partial<ServiceEndpoints>;
  /** The visor's control address (`cli_addr`). Default `localhost:3435`, as Go. */
  cliAddr?: string;
}

function serviceEndpointsOf(config: SkywireConfig): ServiceEndpoints {
  return {
    dmsgDiscovery: config.dmsg.discovery,
    transportDiscovery: config.transport.discovery,
    addressResolver: config.transport.address_resolver,
    routeFinder: config.routing.route_finder,
    routeSetupNodes: [...(config.routing.route_setup_nodes ?? [])],
    transportSetup: [...(config.transport.transport_setup ?? [])],
    uptimeTracker: config.uptime_tracker?.addr ?? "",
    serviceDiscovery: config.launcher.service_discovery ?? "",
  };
}

/**
 * The service endpoints of `config` that are no known deployment's: the ones an operator
 * chose (e.g. a private network's discovery), which regenerating the config keeps.
 */
export function customServiceEndpoints(config: SkywireConfig): Partial<ServiceEndpoints> {
  const custom: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(serviceEndpointsOf(config))) {
    const known = Object.values(SERVICES).some((deployment) =>
      String(deployment[name as keyof ServiceEndpoints]) === String(value)
    );
    if (!known) custom[name] = value;
  }
  return custom as Partial<ServiceEndpoints>;
}

/** Build a complete visor config, as `skywire config gen` writes it. */
export function generateConfig(options: GenerateOptions = {}): SkywireConfig {
  const keys = options.keys ?? generateKeyPair();
  const services = { ...SERVICES[options.testEnv ? "test" : "prod"], ...options.services };
  const localPath = options.localPath ?? "./local";
  return {
    version: VERSION,
    sk: keys.sk.hex(),
    pk: keys.pk.hex(),
    dmsg: {
      discovery: services.dmsgDiscovery,
      sessions_count: 1,
      servers: [],
      servers_type: "all",
    },
    dmsgpty: {
      dmsg_port: 22,
      cli_network: "unix",
      cli_address: "/tmp/dmsgpty.sock",
      whitelist: [],
    },
    transport: {
      discovery: services.transportDiscovery,
      address_resolver: services.addressResolver,
      // Off, unlike Go's default: a node joins public visors only when its operator asks.
      public_autoconnect: false,
      transport_setup: [...services.transportSetup],
      log_store: {
        type: "file",
        location: `${localPath}/transport_logs`,
        rotation_interval: "168h0m0s",
      },
      stcpr_port: 0,
      sudph_port: 0,
    },
    routing: {
      route_setup_nodes: [...services.routeSetupNodes],
      route_finder: services.routeFinder,
      route_finder_timeout: "10s",
      min_hops: options.minHops ?? 0,
      enable_cascade_route_setup: options.cascade ?? false,
    },
    uptime_tracker: { addr: services.uptimeTracker },
    launcher: {
      service_discovery: services.serviceDiscovery,
      apps: [
        { name: "skychat", args: ["-addr", ":8001"], auto_start: true, port: 1 },
        { name: "skysocks", auto_start: true, port: 3 },
        { name: "skysocks-client", args: ["-addr", ":1080"], auto_start: false, port: 13 },
      ],
      server_addr: "localhost:5505",
      bin_path: "./apps",
      display_node_ip: false,
    },
    survey_whitelist: [],
    hypervisors: options.hypervisors ?? [],
    cli_addr: options.cliAddr ?? "localhost:3435",
    log_level: "info",
    local_path: localPath,
    stun_servers: [],
    shutdown_timeout: "10s",
    is_public: false,
    persistent_transports: null,
    hypervisor: {
      db_path: `${localPath}/users.db`,
      enable_auth: false,
      http_addr: "127.0.0.1:8000",
      enable_tls: false,
      tls_cert_file: "./ssl/cert.pem",
      tls_key_file: "./ssl/key.pem",
    },
    store: defaultStore(),
    updater: defaultUpdater(),
  };
}
