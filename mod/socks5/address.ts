import { formatIP, isIPv4Mapped, parseIP } from "../netutil/mod.ts";
import { AddressType } from "./constants.ts";
import { Socks5Error } from "./errors.ts";

/** A SOCKS5 address: a host (IPv4, IPv6 or a name, by `type`) and a port. */
export interface SocksAddress {
  /** Which form `host` has on the wire. */
  type: "ipv4" | "ipv6" | "domain";
  /** Dotted IPv4, RFC 5952 IPv6 text (no brackets), or a host name. */
  host: string;
  /** TCP port, 0–65535. */
  port: number;
}

/** The longest host name the one-byte length field can carry. */
export const MAX_DOMAIN_LENGTH = 255;

/**
 * A target for `host` and `port`, with the type chosen from the host's form: an IPv4 or IPv6
 * literal (brackets allowed) is an address, anything else a name.
 */
export function socksAddress(host: string, port: number): SocksAddress {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const ip = parseIP(bare);
  if (ip) {
    const v4 = isIPv4Mapped(ip) && !bare.includes(":");
    return { type: v4 ? "ipv4" : "ipv6", host: formatIP(ip), port };
  }
  return { type: "domain", host, port };
}

/** `host:port`, with an IPv6 host in brackets. */
export function formatSocksAddress(address: SocksAddress): string {
  const host = address.type === "ipv6" ? `[${address.host}]` : address.host;
  return `${host}:${address.port}`;
}

/** The wire form `ATYP | ADDR | PORT` of `address`. Throws {@linkcode Socks5Error} if it cannot. */
export function encodeAddress(address: SocksAddress): Uint8Array {
  const { port } = address;
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) {
    throw new Socks5Error(`port ${port} out of range`);
  }
  let head: Uint8Array;
  if (address.type === "domain") {
    const name = new TextEncoder().encode(address.host);
    if (name.length === 0 || name.length > MAX_DOMAIN_LENGTH) {
      throw new Socks5Error(`host name length ${name.length} out of range 1..255`);
    }
    head = new Uint8Array(2 + name.length);
    head[0] = AddressType.Domain;
    head[1] = name.length;
    head.set(name, 2);
  } else {
    const ip = parseIP(address.host);
    if (!ip) throw new Socks5Error(`"${address.host}" is not an IP address`);
    if (address.type === "ipv4") {
      if (!isIPv4Mapped(ip)) throw new Socks5Error(`"${address.host}" is not an IPv4 address`);
      head = new Uint8Array(5);
      head[0] = AddressType.IPv4;
      head.set(ip.subarray(12), 1);
    } else {
      head = new Uint8Array(17);
      head[0] = AddressType.IPv6;
      head.set(ip, 1);
    }
  }
  const out = new Uint8Array(head.length + 2);
  out.set(head);
  out[head.length] = port >> 8;
  out[head.length + 1] = port & 0xff;
  return out;
}

/** Dotted text of four IPv4 bytes. */
export function ipv4Text(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 4)).join(".");
}

/** RFC 5952 text of sixteen IPv6 bytes (a v4-mapped address stays in IPv6 form). */
export function ipv6Text(bytes: Uint8Array): string {
  if (isIPv4Mapped(bytes)) return `::ffff:${ipv4Text(bytes.subarray(12))}`;
  return formatIP(bytes);
}
