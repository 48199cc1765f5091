import { ConfigError } from "../../mod/config/mod.ts";
import { isIPv4Mapped, parseIP, splitHostPort } from "../../mod/netutil/mod.ts";

/** Where the control endpoint listens by default, and where the CLI looks (Go's `cli_addr`). */
export const DEFAULT_CLI_ADDR = "localhost:3435";

/** A parsed control address. */
export interface ControlAddress {
  /** Hostname to bind or dial (`localhost` becomes `127.0.0.1`). */
  hostname: string;
  /** TCP port (0 = any free port, for tests). */
  port: number;
}

function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  const ip = parseIP(host); // 16 bytes, IPv4 mapped into IPv6
  if (!ip) return false;
  if (isIPv4Mapped(ip)) return ip[12] === 127;
  return ip.subarray(0, 15).every((b) => b === 0) && ip[15] === 1;
}

function split(addr: string): { host: string; port: number } | undefined {
  const parts = splitHostPort(addr.trim());
  if (!parts || !/^\d{1,5}$/.test(parts.port) || Number(parts.port) > 65535) return undefined;
  return { host: parts.host, port: Number(parts.port) };
}

/**
 * The address the visor's control endpoint listens on, from the config's `cli_addr`, or
 * `undefined` when it is empty (no endpoint). The endpoint asks for no credentials, so only a
 * loopback address is accepted (`localhost`, `127.x.x.x`, `::1`); anything else, `:3435`
 * (every interface) included, is a {@linkcode ConfigError} naming the field.
 */
export function controlListenAddress(cliAddr: string | undefined): ControlAddress | undefined {
  if (cliAddr === undefined || cliAddr.trim() === "") return undefined;
  const parts = split(cliAddr);
  if (!parts) {
    throw new ConfigError(`config field "cli_addr": "${cliAddr}" is not host:port`);
  }
  if (!isLoopback(parts.host)) {
    throw new ConfigError(
      `config field "cli_addr": "${cliAddr}" is not a loopback address; the control endpoint ` +
        `has no authentication, so it listens only on localhost, 127.0.0.1 or ::1`,
    );
  }
  return { hostname: parts.host === "localhost" ? "127.0.0.1" : parts.host, port: parts.port };
}

/**
 * The base URL of a visor's control endpoint at `addr` (`host:port`, Go's `--rpc`), for the
 * CLI. Throws a `RangeError` for text that is not `host:port`.
 */
export function controlUrl(addr: string): string {
  const parts = split(addr);
  if (!parts || parts.port === 0) throw new RangeError(`"${addr}" is not host:port`);
  const host = parts.host === "" || parts.host === "localhost" ? "127.0.0.1" : parts.host;
  return `http://${host.includes(":") ? `[${host}]` : host}:${parts.port}`;
}

/** Whether a `Host` header names this machine (checked against DNS rebinding). */
export function isLoopbackHost(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  const parts = splitHostPort(hostHeader);
  const host = parts ? parts.host : hostHeader.replace(/^\[(.*)\]$/, "$1");
  return isLoopback(host);
}
