/**
 * The dmsg discovery's loopback rule for server addresses (Go's `isLoopbackAddr`), on top of
 * Go's address parsing in `mod/netutil`.
 *
 * @module
 */
import { isIPv4Mapped, parseIP, splitHostPort } from "../../mod/netutil/mod.ts";

/**
 * The Go discovery's `isLoopbackAddr`: an address whose host is empty or a loopback IP
 * (127.0.0.0/8, also IPv4-mapped, or ::1). Addresses Go cannot split, and host names, are not
 * loopback.
 */
export function isLoopbackAddr(addr: string): boolean {
  const split = splitHostPort(addr);
  if (!split) return false;
  if (split.host === "") return true;
  const ip = parseIP(split.host);
  if (!ip) return false;
  if (isIPv4Mapped(ip)) return ip[12] === 127;
  return ip.subarray(0, 15).every((b) => b === 0) && ip[15] === 1;
}
