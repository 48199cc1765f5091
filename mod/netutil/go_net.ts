/**
 * Go's `net.SplitHostPort`, `net.ParseIP` and `IP.String`. Services decide on addresses with
 * them (the dmsg discovery's loopback check, the address resolver's public-IP check), so they
 * must agree with Go on every string.
 *
 * @module
 */

/** Go's `net.SplitHostPort`; `undefined` where Go returns an error. */
export function splitHostPort(hostport: string): { host: string; port: string } | undefined {
  const i = hostport.lastIndexOf(":");
  if (i < 0) return undefined;
  let host: string;
  let j = 0, k = 0;
  if (hostport[0] === "[") {
    const end = hostport.indexOf("]");
    if (end < 0) return undefined;
    if (end + 1 !== i) return undefined; // missing port, or too many colons
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(":")) return undefined;
  }
  if (hostport.slice(j).includes("[") || hostport.slice(k).includes("]")) return undefined;
  return { host, port: hostport.slice(i + 1) };
}

function parseIPv4(s: string): number[] | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseIPv6(s: string): number[] | undefined {
  let head = s, tail = "";
  const gap = s.indexOf("::");
  if (gap >= 0) {
    head = s.slice(0, gap);
    tail = s.slice(gap + 2);
    if (tail.includes("::")) return undefined;
  }
  const groups = (text: string): number[] | undefined => {
    if (text === "") return [];
    const out: number[] = [];
    const fields = text.split(":");
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      if (i === fields.length - 1 && f.includes(".")) {
        const v4 = parseIPv4(f);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(f)) out.push(parseInt(f, 16));
      else return undefined;
    }
    return out;
  };
  const a = groups(head), b = groups(tail);
  if (!a || !b) return undefined;
  // An embedded IPv4 address may only end the whole address.
  if (gap >= 0 && head.includes(".")) return undefined;
  const total = a.length + b.length;
  if (gap < 0 ? total !== 8 : total > 7) return undefined;
  return [...a, ...new Array(8 - total).fill(0), ...b];
}

/** Go's `net.ParseIP` as 16 bytes (IPv4 mapped into IPv6); `undefined` where Go gives nil. */
export function parseIP(s: string): Uint8Array | undefined {
  const v4 = parseIPv4(s);
  if (v4) return Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4]);
  if (!s.includes(":") || s.includes("%")) return undefined; // Go's ParseIP refuses zones
  const groups = parseIPv6(s);
  if (!groups) return undefined;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** Whether 16-byte `ip` is an IPv4 address mapped into IPv6 (`::ffff:a.b.c.d`). */
export function isIPv4Mapped(ip: Uint8Array): boolean {
  return ip.subarray(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff;
}

/**
 * Go's `net.IP.String` for 16 bytes: dotted decimal for an IPv4(-mapped) address, otherwise
 * RFC 5952 text (lower case, the longest run of two or more zero groups written `::`).
 */
export function formatIP(ip: Uint8Array): string {
  if (isIPv4Mapped(ip)) return Array.from(ip.subarray(12)).join(".");
  const groups = Array.from({ length: 8 }, (_, i) => (ip[i * 2] << 8) | ip[i * 2 + 1]);
  let bestAt = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) [bestAt, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (list: number[]) => list.map((g) => g.toString(16)).join(":");
  if (bestAt < 0) return hex(groups);
  return `${hex(groups.slice(0, bestAt))}::${hex(groups.slice(bestAt + bestLen))}`;
}

/** `text` in Go's canonical form when it is an IP (`::ffff:1.2.3.4` → `1.2.3.4`); else as is. */
export function canonicalIP(text: string): string {
  const ip = parseIP(text);
  return ip ? formatIP(ip) : text;
}
