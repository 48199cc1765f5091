/**
 * What a write needs to know of the entry it replaces: its sequence and timestamp (the
 * iteration and deletion rules), its delegated servers (their index records go when it goes)
 * and which other index records it has. Read straight from the Go-canonical JSON this service
 * stores (`marshalEntry`: fixed field order, no spaces), without decoding the entry: no key is
 * parsed and no string but the delegated keys is built. Bytes in any other shape are left to
 * the full decoder ({@linkcode factsOf} its result).
 *
 * @module
 */
import type { Entry } from "../../mod/dmsg/disc/mod.ts";

/** The facts of a stored entry that the checks and the index records depend on. */
export interface StoredFacts {
  /** Its sequence. */
  sequence: bigint;
  /** Its timestamp, Unix ns. */
  timestamp: bigint;
  /** Keys (hex) of the servers it delegates to. */
  delegated: string[];
  /** It has a client part (a `client/` record). */
  client: boolean;
  /** A client entry of client type `visor` (a `visor/` record). */
  visor: boolean;
  /** It has a server part (a `server/` record). */
  server: boolean;
}

/** The facts of a decoded entry. */
export function factsOf(entry: Entry): StoredFacts {
  return {
    sequence: entry.sequence,
    timestamp: entry.timestamp,
    delegated: entry.client?.delegatedServers?.map((k) => k.hex()) ?? [],
    client: entry.client !== null,
    visor: entry.client !== null && entry.clientType === "visor",
    server: entry.server !== null,
  };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const encoder = new TextEncoder();
const VERSION = encoder.encode(`{"version":"`);
const SEQUENCE = encoder.encode(`,"sequence":`);
const TIMESTAMP = encoder.encode(`,"timestamp":`);
const STATIC = encoder.encode(`,"static":"`);
const CLIENT = encoder.encode(`,"client":{"delegated_servers":`);
const NULL = encoder.encode("null");
const CLIENT_TYPE = encoder.encode(`,"client_type":"`);
const SERVER = encoder.encode(`,"server":{`);
const VISOR = encoder.encode("visor");
const KEY_HEX_LENGTH = 66;
// Go's uint64 and int64 have at most 20 and 19 digits; values past their range are left to
// the decoder (which refuses them).
const MAX_DIGITS = 20;
const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** Parses one canonical body; every method returns -1 (or `undefined`) off the shape. */
class CanonicalScan {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  /** Consume `bytes` if they come next. */
  take(bytes: Uint8Array): boolean {
    const { buf, pos } = this;
    if (pos + bytes.length > buf.length) return false;
    for (let i = 0; i < bytes.length; i++) if (buf[pos + i] !== bytes[i]) return false;
    this.pos = pos + bytes.length;
    return true;
  }

  /** Skip a string body whose opening quote was consumed; the index of its closing quote. */
  stringEnd(): number {
    const buf = this.buf;
    for (let i = this.pos; i < buf.length; i++) {
      const c = buf[i];
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) {
        this.pos = i + 1;
        return i;
      } else if (c < 0x20) return -1;
    }
    return -1;
  }

  /** A decimal integer (a leading `-` when `signed`), without leading zeros. */
  integer(signed: boolean): bigint | undefined {
    const buf = this.buf;
    const start = this.pos;
    let i = start;
    if (signed && buf[i] === 0x2d) i++;
    const first = i;
    while (i < buf.length && buf[i] >= 0x30 && buf[i] <= 0x39) i++;
    const digits = i - first;
    if (digits === 0 || digits > MAX_DIGITS || (digits > 1 && buf[first] === 0x30)) return;
    this.pos = i;
    return BigInt(String.fromCharCode.apply(null, buf.subarray(start, i) as unknown as number[]));
  }

  /** A quoted lower-case key hex, without its quotes. */
  keyHex(): string | undefined {
    const { buf, pos } = this;
    const end = pos + 1 + KEY_HEX_LENGTH;
    if (buf[pos] !== QUOTE || buf[end] !== QUOTE) return;
    for (let i = pos + 1; i < end; i++) {
      const c = buf[i];
      if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return;
    }
    this.pos = end + 1;
    return String.fromCharCode.apply(null, buf.subarray(pos + 1, end) as unknown as number[]);
  }

  /** `null` or `["hex",…]`; `undefined` off the shape. */
  keyList(): string[] | undefined {
    if (this.take(NULL)) return [];
    const buf = this.buf;
    if (buf[this.pos] !== 0x5b) return;
    this.pos++;
    const keys: string[] = [];
    if (buf[this.pos] === 0x5d) {
      this.pos++;
      return keys;
    }
    for (;;) {
      const key = this.keyHex();
      if (key === undefined) return;
      keys.push(key);
      const c = buf[this.pos++];
      if (c === 0x5d) return keys;
      if (c !== 0x2c) return;
    }
  }
}

/**
 * The facts of the entry whose Go-canonical JSON is `body`, or `undefined` when `body` is not
 * in that exact shape (then decode it and take {@linkcode factsOf}). Never throws.
 */
export function storedFacts(body: Uint8Array): StoredFacts | undefined {
  const s = new CanonicalScan(body);
  if (!s.take(VERSION) || s.stringEnd() < 0 || !s.take(SEQUENCE)) return;
  const sequence = s.integer(false);
  if (sequence === undefined || sequence > UINT64_MAX || !s.take(TIMESTAMP)) return;
  const timestamp = s.integer(true);
  if (timestamp === undefined || timestamp < INT64_MIN || timestamp > INT64_MAX) return;
  if (!s.take(STATIC) || s.stringEnd() < 0) return;
  let delegated: string[] = [];
  const client = s.take(CLIENT);
  if (client) {
    const keys = s.keyList();
    if (keys === undefined || body[s.pos++] !== 0x7d) return;
    delegated = keys;
  }
  let visor = false;
  if (s.take(CLIENT_TYPE)) {
    const start = s.pos;
    const end = s.stringEnd();
    if (end < 0) return;
    visor = client && end - start === VISOR.length &&
      VISOR.every((b, i) => body[start + i] === b);
  }
  const server = s.take(SERVER);
  // What follows (the server's fields, signature, protocol) decides none of the facts; a body
  // that is not an object to its end is not canonical.
  if (body[body.length - 1] !== 0x7d) return;
  return { sequence, timestamp, delegated, client, visor, server };
}
