import { splitHostPort } from "./go_net.ts";

/** Go's `net.JoinHostPort`: `host:port`, with the host in brackets when it is IPv6. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * `host:port` as Go's `SplitHostPort` reads it, with a decimal port up to 65535; `undefined`
 * for anything else. An empty host (`:8080`) becomes `emptyHost`.
 */
export function parseHostPort(
  addr: string,
  emptyHost: string,
): { hostname: string; port: number } | undefined {
  const split = splitHostPort(addr);
  if (!split || !/^\d+$/.test(split.port)) return undefined;
  const port = Number(split.port);
  if (port > 65535) return undefined;
  return { hostname: split.host === "" ? emptyHost : split.host, port };
}

/**
 * Parse a Go listen address (`:9091` is every interface, port 0 picks one). Throws a
 * `RangeError` naming the problem for anything that is not `host:port` with a decimal port up
 * to 65535.
 */
export function parseListenAddress(addr: string): { hostname: string; port: number } {
  const parsed = parseHostPort(addr, "0.0.0.0");
  if (!parsed) throw new RangeError(`invalid listen address "${addr}" (want host:port)`);
  return parsed;
}

/**
 * The host part of a URL that reaches a server bound to `hostname`: a wildcard address becomes
 * loopback, an IPv6 address goes in brackets.
 */
export function urlHost(hostname: string): string {
  if (hostname === "0.0.0.0") return "127.0.0.1";
  if (hostname === "::") return "[::1]";
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}
