import { isIPv4Mapped, parseIP } from "./go_net.ts";

/**
 * Skywire's `netutil.IsPublicIP`: an IPv4 address outside loopback, link-local, 10/8,
 * 172.16/12 and 192.168/16. Every IPv6 address, and any text that is not an IP, is not public
 * (Go's rule: the address resolver binds stcpr only from public IPv4 addresses).
 */
export function isPublicIP(text: string): boolean {
  const ip = parseIP(text);
  if (!ip || !isIPv4Mapped(ip)) return false;
  const [a, b] = ip.subarray(12);
  if (a === 127 || a === 10) return false;
  if (a === 169 && b === 254) return false; // link-local unicast
  if (a === 172 && b >= 16 && b <= 31) return false;
  if (a === 192 && b === 168) return false;
  // Link-local multicast 224.0.0.0/24.
  if (a === 224 && b === 0 && ip[14] === 0) return false;
  return true;
}
