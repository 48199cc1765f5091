import { dirname, isAbsolute, join, resolve } from "node:path";
import { parseConfig, type ParsedConfig } from "./validate.ts";

/** The config file the node's commands use unless told otherwise (`-c`). */
export const DEFAULT_CONFIG_FILE = "skywire-config.json";

/** A node config read from its file, with `local_path` (and the UI's TLS files) resolved. */
export interface NodeConfig extends ParsedConfig {
  /** The config file, absolute. */
  path: string;
  /** `local_path` as an absolute directory (also written back into `config.local_path`). */
  stateDir: string;
}

/**
 * The state directory of a config at `configPath`: a relative `local_path` (empty means
 * `local`) is taken relative to the config file, which is the working directory
 * `skywire install` gives the node, so the visor and `skywire update` find the same state.
 */
export function resolveLocalPath(configPath: string, localPath: string): string {
  const local = localPath || "local";
  return isAbsolute(local) ? local : join(dirname(resolve(configPath)), local);
}

/**
 * Read and validate the node config at `path` and resolve its `local_path` and relative
 * `hypervisor.tls_cert_file` / `tls_key_file` (against the config's directory). An unreadable file
 * is an error naming the path; a bad one a `ConfigError` naming the field. Warnings are left
 * for the caller to log.
 */
export async function loadNodeConfig(path: string): Promise<NodeConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new Error(`cannot read config ${path}: ${(error as Error).message}`);
  }
  const parsed = parseConfig(text);
  const stateDir = resolveLocalPath(path, parsed.config.local_path);
  parsed.config.local_path = stateDir;
  // Go takes `./ssl/cert.pem` from its working directory, which for an installed node is the
  // config's directory; taking them from there does not depend on where the node was started.
  const hypervisor = parsed.config.hypervisor;
  for (const key of ["tls_cert_file", "tls_key_file"] as const) {
    const file = hypervisor?.[key];
    if (hypervisor && file && !isAbsolute(file)) {
      hypervisor[key] = join(dirname(resolve(path)), file);
    }
  }
  return { ...parsed, path: resolve(path), stateDir };
}
