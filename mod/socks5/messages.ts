import { concatBytes } from "../conn/mod.ts";
import type { ByteStream } from "../conn/mod.ts";
import { encodeAddress, ipv4Text, ipv6Text, type SocksAddress } from "./address.ts";
import { AddressType, SOCKS_VERSION, USER_PASS_VERSION } from "./constants.ts";
import { Socks5ProtocolError } from "./errors.ts";
import { type ReadDeadline, readExact } from "./read_deadline.ts";

type Reader = Pick<ByteStream, "read">;

/** The client's greeting: the methods it offers, and its bytes as read. */
export interface Greeting {
  /** Offered methods, in the client's order (0–255 of them). */
  methods: Uint8Array;
  /** The greeting exactly as read (for forwarding it unchanged). */
  raw: Uint8Array;
}

/** A username/password sub-negotiation request (RFC 1929). */
export interface UserPassRequest {
  /** The username (UTF-8; invalid bytes replaced). */
  username: string;
  /** The password. */
  password: string;
  /** The message exactly as read. */
  raw: Uint8Array;
}

/** A request (RFC 1928 §4). */
export interface SocksRequest {
  /** The command byte. */
  command: number;
  /** The ATYP byte. */
  addressType: number;
  /** The target, or `undefined` for an address type this module does not know. */
  address?: SocksAddress;
  /** The request exactly as read (only the fixed head when the address type is unknown). */
  raw: Uint8Array;
}

/** A reply to a request (RFC 1928 §6). */
export interface SocksReply {
  /** The reply code. */
  code: number;
  /** The bound address the server reports. */
  bind: SocksAddress;
  /** The reply exactly as read. */
  raw: Uint8Array;
}

const decoder = new TextDecoder();

/** Read a greeting: `VER=5 | NMETHODS | METHODS`. Another version is a protocol error. */
export async function readGreeting(r: Reader, deadline?: ReadDeadline): Promise<Greeting> {
  const head = await readExact(r, 2, deadline, "greeting");
  if (head[0] !== SOCKS_VERSION) {
    throw new Socks5ProtocolError(`not SOCKS5: version byte ${head[0]}`);
  }
  const methods = await readExact(r, head[1], deadline, "greeting");
  return { methods, raw: concatBytes([head, methods]) };
}

/** `VER=5 | NMETHODS | METHODS` for `methods`. */
export function encodeGreeting(methods: readonly number[]): Uint8Array {
  if (methods.length < 1 || methods.length > 255) throw new RangeError("1..255 methods");
  return Uint8Array.from([SOCKS_VERSION, methods.length, ...methods]);
}

/** The server's method selection `VER=5 | METHOD`. */
export function encodeMethodSelection(method: number): Uint8Array {
  return Uint8Array.from([SOCKS_VERSION, method]);
}

/** Read a method selection; another version is a protocol error. */
export async function readMethodSelection(
  r: Reader,
  deadline?: ReadDeadline,
): Promise<{ method: number; raw: Uint8Array }> {
  const raw = await readExact(r, 2, deadline, "method selection");
  if (raw[0] !== SOCKS_VERSION) {
    throw new Socks5ProtocolError(`not SOCKS5: version byte ${raw[0]} in method selection`);
  }
  return { method: raw[1], raw };
}

/** Read `VER=1 | ULEN | UNAME | PLEN | PASSWD` (each field at most 255 bytes by its length byte). */
export async function readUserPass(r: Reader, deadline?: ReadDeadline): Promise<UserPassRequest> {
  const head = await readExact(r, 2, deadline, "username/password request");
  if (head[0] !== USER_PASS_VERSION) {
    throw new Socks5ProtocolError(`username/password version ${head[0]}, want 1`);
  }
  const user = await readExact(r, head[1] + 1, deadline, "username/password request");
  const password = await readExact(r, user[head[1]], deadline, "username/password request");
  return {
    username: decoder.decode(user.subarray(0, head[1])),
    password: decoder.decode(password),
    raw: concatBytes([head, user, password]),
  };
}

/** A username/password request for `username` and `password` (each at most 255 bytes). */
export function encodeUserPass(username: string, password: string): Uint8Array {
  const u = new TextEncoder().encode(username);
  const p = new TextEncoder().encode(password);
  if (u.length > 255 || p.length > 255) throw new RangeError("username/password over 255 bytes");
  return concatBytes([Uint8Array.of(USER_PASS_VERSION, u.length), u, Uint8Array.of(p.length), p]);
}

/** The sub-negotiation status `VER=1 | STATUS` (0 is success). */
export function encodeUserPassStatus(ok: boolean): Uint8Array {
  return Uint8Array.of(USER_PASS_VERSION, ok ? 0 : 1);
}

/** Read a sub-negotiation status; resolves whether it is success. */
export async function readUserPassStatus(
  r: Reader,
  deadline?: ReadDeadline,
): Promise<{ ok: boolean; raw: Uint8Array }> {
  const raw = await readExact(r, 2, deadline, "username/password status");
  if (raw[0] !== USER_PASS_VERSION) {
    throw new Socks5ProtocolError(`username/password status version ${raw[0]}, want 1`);
  }
  return { ok: raw[1] === 0, raw };
}

// Reads `ADDR | PORT` for a known address type; `undefined` for an unknown one (nothing read).
async function readAddress(
  r: Reader,
  type: number,
  deadline: ReadDeadline | undefined,
  what: string,
): Promise<{ address: SocksAddress; raw: Uint8Array } | undefined> {
  let host: string;
  let kind: SocksAddress["type"];
  let raw: Uint8Array;
  if (type === AddressType.IPv4) {
    raw = await readExact(r, 4 + 2, deadline, what);
    host = ipv4Text(raw);
    kind = "ipv4";
  } else if (type === AddressType.IPv6) {
    raw = await readExact(r, 16 + 2, deadline, what);
    host = ipv6Text(raw.subarray(0, 16));
    kind = "ipv6";
  } else if (type === AddressType.Domain) {
    const length = await readExact(r, 1, deadline, what);
    const rest = await readExact(r, length[0] + 2, deadline, what);
    raw = concatBytes([length, rest]);
    host = decoder.decode(rest.subarray(0, length[0]));
    kind = "domain";
  } else {
    return undefined;
  }
  const port = (raw[raw.length - 2] << 8) | raw[raw.length - 1];
  return { address: { type: kind, host, port }, raw };
}

/**
 * Read a request `VER=5 | CMD | RSV | ATYP | DST.ADDR | DST.PORT`. An unknown ATYP leaves the
 * rest unread and `address` undefined (the server answers 8, address type not supported).
 */
export async function readRequest(r: Reader, deadline?: ReadDeadline): Promise<SocksRequest> {
  const head = await readExact(r, 4, deadline, "request");
  if (head[0] !== SOCKS_VERSION) {
    throw new Socks5ProtocolError(`not SOCKS5: version byte ${head[0]} in request`);
  }
  const parsed = await readAddress(r, head[3], deadline, "request");
  return {
    command: head[1],
    addressType: head[3],
    address: parsed?.address,
    raw: parsed ? concatBytes([head, parsed.raw]) : head,
  };
}

/** A request for `command` to `address`. */
export function encodeRequest(command: number, address: SocksAddress): Uint8Array {
  return concatBytes([Uint8Array.of(SOCKS_VERSION, command, 0), encodeAddress(address)]);
}

const UNSPECIFIED: SocksAddress = { type: "ipv4", host: "0.0.0.0", port: 0 };

/** A reply `VER=5 | REP | RSV | ATYP | BND.ADDR | BND.PORT` (bind 0.0.0.0:0 when not given). */
export function encodeReply(code: number, bind: SocksAddress = UNSPECIFIED): Uint8Array {
  return concatBytes([Uint8Array.of(SOCKS_VERSION, code, 0), encodeAddress(bind)]);
}

/** Read a reply; another version or an unknown address type is a protocol error. */
export async function readReply(r: Reader, deadline?: ReadDeadline): Promise<SocksReply> {
  const head = await readExact(r, 4, deadline, "reply");
  if (head[0] !== SOCKS_VERSION) {
    throw new Socks5ProtocolError(`not SOCKS5: version byte ${head[0]} in reply`);
  }
  const parsed = await readAddress(r, head[3], deadline, "reply");
  if (!parsed) throw new Socks5ProtocolError(`reply with unknown address type ${head[3]}`);
  return { code: head[1], bind: parsed.address, raw: concatBytes([head, parsed.raw]) };
}
