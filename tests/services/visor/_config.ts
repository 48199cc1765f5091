import { join } from "node:path";
import { type KeyPair } from "../../../mod/cipher/mod.ts";
import { configToJson, generateConfig, type SkywireConfig } from "../../../mod/config/mod.ts";
import { openUpdaterState, type PendingUpdate } from "../../../services/updater/mod.ts";
import { VERSION } from "../../../mod/version/mod.ts";

/**
 * A visor config in `dir` using the discovery at `discovery`; written to
 * `dir/skywire-config.json`. No transport discovery or address resolver unless given (tests never
 * reach production's), and the control endpoint on a free loopback port.
 */
export async function writeVisorConfig(options: {
  dir: string;
  discovery: string;
  keys?: KeyPair;
  transportDiscovery?: string;
  addressResolver?: string;
  edit?: (config: SkywireConfig & Record<string, unknown>) => void;
}): Promise<{ path: string; config: SkywireConfig }> {
  const config = generateConfig({ keys: options.keys, localPath: join(options.dir, "local") });
  config.dmsg.discovery = options.discovery;
  config.transport.discovery = options.transportDiscovery ?? "";
  config.transport.address_resolver = options.addressResolver ?? "";
  config.cli_addr = "127.0.0.1:0";
  config.log_level = "warn";
  config.updater = { ...config.updater, enabled: false };
  // The web UI on a free port: tests must not depend on 8000 being free.
  if (config.hypervisor) config.hypervisor.http_addr = "127.0.0.1:0";
  options.edit?.(config as SkywireConfig & Record<string, unknown>);
  const path = join(options.dir, "skywire-config.json");
  await Deno.writeTextFile(path, configToJson(config));
  return { path, config };
}

/**
 * An update of this very build on trial: `<dir>/skywire` holds the "new" binary and
 * `<dir>/skywire.prev` the previous one; the pending entry is in `stateDir`.
 */
export async function pendingUpdate(options: {
  dir: string;
  stateDir: string;
  firstStartAt?: Date;
  bootTimeoutMs: number;
}): Promise<{ exe: string; previous: Uint8Array }> {
  const exe = join(options.dir, "skywire");
  const previous = new TextEncoder().encode("#!/bin/sh\necho 'skywire 0.0.9'\n");
  await Deno.writeTextFile(exe, "#!/bin/sh\necho 'skywire (this build)'\n");
  await Deno.writeFile(`${exe}.prev`, previous);
  const pending: PendingUpdate = {
    from_version: "0.0.9",
    to_version: VERSION,
    exe,
    prev: `${exe}.prev`,
    installed_at: new Date(Date.now() - 3_600_000).toISOString(),
    first_start_at: options.firstStartAt?.toISOString(),
    starts: options.firstStartAt ? 1 : 0,
    boot_timeout_ms: options.bootTimeoutMs,
  };
  using state = await openUpdaterState({ stateDir: options.stateDir });
  await state.setPending(pending);
  return { exe, previous };
}
