import { parseDuration, type SkywireConfig } from "../../mod/config/mod.ts";
import type { Logger, LogRing } from "../../mod/log/mod.ts";
import { type ScryptParams, serveUi, type UiServer } from "../../ui/mod.ts";
import type { BackgroundUpdater } from "../updater/mod.ts";
import type { Visor } from "./visor.ts";
import { createVisorApi } from "./visor_api.ts";

/** Options for {@linkcode startWebUi}. */
export interface StartWebUiOptions {
  /** The config (its `hypervisor` section says whether and where). */
  config: SkywireConfig;
  /** The running visor. */
  visor: Visor;
  /** Its background updater. */
  updater?: BackgroundUpdater;
  /** Its newest log lines. */
  logs?: LogRing;
  /** Where the UI logs. */
  logger: Logger;
  /** scrypt cost of a first password (tests). */
  scrypt?: ScryptParams;
}

/**
 * Go's `hypervisor.cookies.expires_duration` in ms: Go writes a `time.Duration` as integer
 * nanoseconds; a duration string ("12h") is taken too. `undefined` when absent or unusable.
 */
export function sessionTtlFromCookies(cookies: Record<string, unknown> | undefined) {
  const value = cookies?.expires_duration;
  if (typeof value === "number" && value > 0) return Math.max(1, Math.floor(value / 1e6));
  if (typeof value === "string") {
    const ms = parseDuration(value);
    if (ms !== undefined && ms > 0) return ms;
  }
  return undefined;
}

/**
 * Serve the web UI of a visor when its config has a `hypervisor` section, on
 * `hypervisor.http_addr` (loopback unless `hypervisor.allow_remote`). TLS is not served by
 * this build: with `enable_tls` the UI stays on loopback over plain HTTP, and says so. A UI
 * that cannot listen (port taken, bad address) is logged and left out: the node runs on.
 */
export async function startWebUi(options: StartWebUiOptions): Promise<UiServer | undefined> {
  const { config, logger } = options;
  const section = config.hypervisor;
  if (!section) {
    logger.info("no web UI: the config has no hypervisor section");
    return undefined;
  }
  let allowRemote = section.allow_remote === true;
  if (section.enable_tls) {
    logger.warn(
      "hypervisor.enable_tls is not supported by this build: the web UI is served over " +
        "plain HTTP on loopback only",
    );
    allowRemote = false;
  }
  const api = createVisorApi({
    visor: options.visor,
    config,
    updater: options.updater,
    logs: options.logs,
  });
  try {
    return await serveUi({
      addr: section.http_addr,
      allowRemote,
      api,
      // This node first, then the visors connected to its hypervisor port.
      fleet: options.visor.fleet?.fleet(api, options.visor.startedAt),
      kv: () => options.visor.store.kv,
      logger,
      sessionTtlMs: sessionTtlFromCookies(section.cookies),
      scrypt: options.scrypt,
    });
  } catch (error) {
    logger.error("the web UI is not served", { http_addr: section.http_addr, error });
    return undefined;
  }
}
