/**
 * Go-canonical JSON for discovery entries: the exact bytes Go's discovery code produces with
 * `jsoniter.ConfigFastest` (which `disc` uses for signing, verifying and storing):
 *
 * - fields in the struct's declaration order, `omitempty` fields left out when empty/nil;
 * - a nil slice as `null`, an empty one as `[]`;
 * - strings escaped as jsoniter does without HTML escaping: `"` `\` `\n` `\r` `\t` get short
 *   escapes, other bytes below 0x20 become `\u00xx`, everything else (including `<`, `>`, `&`,
 *   U+2028 and bytes that are not UTF-8) is written raw. (Go's standard `encoding/json` would
 *   HTML-escape; the discovery does not use it, so neither do we.)
 * - integers in decimal.
 *
 * @module
 */
import type { PubKey } from "../../cipher/mod.ts";
import type { ClientInfo, Entry, ServerInfo } from "./entry.ts";
import { goStringToBytes } from "./entry_go_string.ts";

const HEX = "0123456789abcdef";

/** A growable byte buffer for building JSON without per-field allocations. */
export class JsonWriter {
  #buf: Uint8Array;
  #len = 0;

  /** Start with room for `capacity` bytes. */
  constructor(capacity = 512) {
    this.#buf = new Uint8Array(capacity);
  }

  #reserve(extra: number): void {
    if (this.#len + extra <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  /** Append raw bytes. */
  bytes(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
  }

  /** Append ASCII text verbatim (field names, punctuation, digits, hex). */
  ascii(text: string): void {
    this.#reserve(text.length);
    for (let i = 0; i < text.length; i++) this.#buf[this.#len++] = text.charCodeAt(i);
  }

  /** Append a Go string as a JSON string, escaped as jsoniter.ConfigFastest does. */
  string(text: string): void {
    if (/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(text)) {
      this.#reserve(text.length + 2);
      this.#buf[this.#len++] = 0x22;
      this.ascii(text);
      this.#buf[this.#len++] = 0x22;
      return;
    }
    const raw = goStringToBytes(text);
    this.#reserve(raw.length * 6 + 2);
    const buf = this.#buf;
    let n = this.#len;
    buf[n++] = 0x22;
    for (let i = 0; i < raw.length; i++) {
      const b = raw[i];
      if (b >= 0x20 && b !== 0x22 && b !== 0x5c) {
        buf[n++] = b;
        continue;
      }
      buf[n++] = 0x5c;
      if (b === 0x22 || b === 0x5c) buf[n++] = b;
      else if (b === 0x0a) buf[n++] = 0x6e;
      else if (b === 0x0d) buf[n++] = 0x72;
      else if (b === 0x09) buf[n++] = 0x74;
      else {
        buf[n++] = 0x75; // \u00xx
        buf[n++] = 0x30;
        buf[n++] = 0x30;
        buf[n++] = HEX.charCodeAt(b >> 4);
        buf[n++] = HEX.charCodeAt(b & 0xf);
      }
    }
    buf[n++] = 0x22;
    this.#len = n;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#len;
  }

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

function writePubKey(w: JsonWriter, pk: PubKey): void {
  w.ascii(`"${pk.hex()}"`);
}

function writeClient(w: JsonWriter, client: ClientInfo): void {
  w.ascii(`{"delegated_servers":`);
  const list = client.delegatedServers;
  if (list === null) w.ascii("null");
  else {
    w.ascii("[");
    for (let i = 0; i < list.length; i++) {
      if (i > 0) w.ascii(",");
      writePubKey(w, list[i]);
    }
    w.ascii("]");
  }
  w.ascii("}");
}

function writeServer(w: JsonWriter, server: ServerInfo): void {
  w.ascii(`{"address":`);
  w.string(server.address);
  // Optional endpoints of newer Go servers, in the order the reference lists them.
  const optional: Array<[string, string]> = [
    ["address_v6", server.addressV6],
    ["address_udp", server.addressUdp],
    ["address_udp_v6", server.addressUdpV6],
    ["address_ws", server.addressWs],
  ];
  for (const [name, value] of optional) {
    if (!value) continue;
    w.ascii(`,"${name}":`);
    w.string(value);
  }
  w.ascii(`,"availableSessions":${server.availableSessions}`);
  if (server.serverType) {
    w.ascii(`,"serverType":`);
    w.string(server.serverType);
  }
  w.ascii("}");
}

/** Write `entry` as Go-canonical JSON into `w`. */
export function writeEntry(w: JsonWriter, entry: Entry): void {
  writeEntryParts(w, entry);
}

/** {@linkcode writeEntry}; returns where the `signature` field starts and ends in `w`. */
function writeEntryParts(w: JsonWriter, entry: Entry): [number, number] {
  w.ascii(`{"version":`);
  w.string(entry.version);
  w.ascii(`,"sequence":${entry.sequence},"timestamp":${entry.timestamp},"static":`);
  writePubKey(w, entry.static);
  if (entry.client) {
    w.ascii(`,"client":`);
    writeClient(w, entry.client);
  }
  if (entry.clientType) {
    w.ascii(`,"client_type":`);
    w.string(entry.clientType);
  }
  if (entry.server) {
    w.ascii(`,"server":`);
    writeServer(w, entry.server);
  }
  const signatureStart = w.length;
  if (entry.signature) {
    w.ascii(`,"signature":`);
    w.string(entry.signature);
  }
  const signatureEnd = w.length;
  if (entry.protocol) {
    w.ascii(`,"protocol":`);
    w.string(entry.protocol);
  }
  w.ascii("}");
  return [signatureStart, signatureEnd];
}

/** Go-canonical JSON of `entry` (what Go's discovery stores and serves). */
export function marshalEntry(entry: Entry): Uint8Array {
  const w = new JsonWriter();
  writeEntry(w, entry);
  return w.finish();
}

/**
 * {@linkcode marshalEntry} and {@linkcode signableBytes} of `entry` from one marshalling (the
 * signable bytes are the canonical ones without the `signature` field): what a discovery both
 * verifies and stores.
 */
export function marshalEntryAndSignable(
  entry: Entry,
): { canonical: Uint8Array; signable: Uint8Array } {
  const w = new JsonWriter();
  const [start, end] = writeEntryParts(w, entry);
  const canonical = w.finish();
  if (start === end) return { canonical, signable: canonical };
  const signable = new Uint8Array(canonical.length - (end - start));
  signable.set(canonical.subarray(0, start));
  signable.set(canonical.subarray(end), start);
  return { canonical, signable };
}

/** The bytes a signature covers: the entry's Go-canonical JSON with `signature` left out. */
export function signableBytes(entry: Entry): Uint8Array {
  return marshalEntry({ ...entry, signature: "" });
}

/** Go-canonical JSON of a list of entries (`[]*disc.Entry`), from already-marshalled entries. */
export function joinJsonArray(items: Uint8Array[]): Uint8Array {
  let size = 2 + Math.max(0, items.length - 1);
  for (const item of items) size += item.length;
  const out = new Uint8Array(size);
  let n = 0;
  out[n++] = 0x5b;
  items.forEach((item, i) => {
    if (i > 0) out[n++] = 0x2c;
    out.set(item, n);
    n += item.length;
  });
  out[n++] = 0x5d;
  return out;
}
