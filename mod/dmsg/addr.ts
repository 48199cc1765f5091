import { PubKey } from "../cipher/mod.ts";

/** A dmsg address: an entity's public key and a port (Go `dmsg.Addr`). Text form `pk:port`. */
export interface DmsgAddr {
  /** The entity's public key. */
  pk: PubKey;
  /** The dmsg port (1–65535; 0 means unset). */
  port: number;
}

/** Go's text form: `<pk hex>:<port>`, or `<pk hex>:~` when the port is 0. */
export function formatAddr(addr: DmsgAddr): string {
  return `${addr.pk.hex()}:${addr.port === 0 ? "~" : addr.port}`;
}

/**
 * Parse `pk:port` (also `pk:~` and a bare `pk`, both port 0). Throws `TypeError` for anything
 * else.
 */
export function parseAddr(text: string): DmsgAddr {
  const parts = text.trim().split(":").map((part) => part.trim());
  if (parts.length > 2) throw new TypeError(`invalid dmsg address "${text}"`);
  let pk: PubKey;
  try {
    pk = parts[0] === "" ? PubKey.NULL : PubKey.fromHex(parts[0]);
  } catch (cause) {
    throw new TypeError(`invalid dmsg address "${text}": bad public key`, { cause });
  }
  const portText = parts[1] ?? "";
  if (portText === "" || portText === "~") return { pk, port: 0 };
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 0xffff) {
    throw new TypeError(`invalid dmsg port "${portText}"`);
  }
  return { pk, port: Number(portText) };
}

/** Whether two addresses are the same key and port. */
export function addrEquals(a: DmsgAddr, b: DmsgAddr): boolean {
  return a.port === b.port && a.pk.equals(b.pk);
}
