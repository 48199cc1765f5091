import { join } from "node:path";
import { parseDuration, type SkywireConfig } from "../../mod/config/mod.ts";
import type { Logger, LogRing } from "../../mod/log/mod.ts";
import { parseListenAddress } from "../../mod/netutil/mod.ts";
import {
  defaultCertificateHosts,
  ensureTlsCredentials,
  type TlsCredentials,
} from "../../mod/tls/mod.ts";
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

/** Where a visor keeps the self-signed pair of its web UI: `<local_path>/tls`. */
export function uiTlsDir(localPath: string): string {
  return join(localPath, "tls");
}

/**
 * Names a new self-signed certificate of the web UI is for: {@linkcode defaultCertificateHosts}
 * plus the host of `http_addr` when it is a specific one.
 */
export function uiCertificateHosts(httpAddr = ""): string[] {
  let host = "";
  try {
    host = parseListenAddress(httpAddr).hostname;
  } catch {
    // No usable address (serveUi reports a malformed one): the loopback names still go in.
  }
  return defaultCertificateHosts(host);
}

/**
 * The web UI's certificate for `hypervisor.enable_tls`: `tls_cert_file` and `tls_key_file`
 * when both exist, else a self-signed pair made once in `<local_path>/tls` and reused.
 * Throws `TlsFileError` naming the file at fault.
 */
export function uiTlsCredentials(config: SkywireConfig, logger: Logger): Promise<TlsCredentials> {
  const section = config.hypervisor;
  return ensureTlsCredentials({
    certFile: section?.tls_cert_file,
    keyFile: section?.tls_key_file,
    selfSignedDir: uiTlsDir(config.local_path),
    hosts: uiCertificateHosts(section?.http_addr),
    logger,
  });
}

/**
 * Serve the web UI of a visor when its config has a `hypervisor` section, on
 * `hypervisor.http_addr` (loopback unless `hypervisor.allow_remote`), over HTTPS with
 * `enable_tls`. A UI that cannot be served (port taken, bad address, TLS files that cannot be
 * used) is logged and left out: the node runs on.
 */
export async function startWebUi(options: StartWebUiOptions): Promise<UiServer | undefined> {
  const { config, logger } = options;
  const section = config.hypervisor;
  if (!section) {
    logger.info("no web UI: the config has no hypervisor section");
    return undefined;
  }
  const api = createVisorApi({
    visor: options.visor,
    config,
    updater: options.updater,
    logs: options.logs,
  });
  try {
    const tls = section.enable_tls ? await uiTlsCredentials(config, logger) : undefined;
    return await serveUi({
      addr: section.http_addr,
      allowRemote: section.allow_remote === true,
      tls,
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
