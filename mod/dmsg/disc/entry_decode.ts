/**
 * Decoding entries exactly as Go's discovery does (`jsoniter.ConfigFastest` into `disc.Entry`),
 * so that re-marshalling the decoded value gives the bytes Go would sign and verify.
 *
 * Fields the struct does not have are skipped, as Go skips them, so they are not part of the
 * re-marshalled form and a signature that covered them will not verify (with Go's 2024
 * discovery it would not either). The struct is Go's 2024 one plus `protocol` (2026) and the
 * server endpoints `address_v6`, `address_udp`, `address_udp_v6`, `address_ws` (names and order
 * from the wire reference; newer Go servers have these fields, we could not see their tags).
 *
 * Two of Go's decoding quirks are reproduced on purpose: a public key written as all zeros (or
 * as `""` or `null`) leaves the field as it was instead of clearing it, and a repeated
 * `delegated_servers` member reuses the earlier list's backing array (so an all-zero key in the
 * repeat keeps the earlier key at that index).
 *
 * @module
 */
import { PubKey } from "../../cipher/mod.ts";
import { pubKeyFromHexCached } from "./_key_cache.ts";
import {
  type ClientInfo,
  emptyServerInfo,
  type Entry,
  type ServerInfo,
  zeroEntry,
} from "./entry.ts";
import { EntryDecodeError, GoJsonReader } from "./entry_reader.ts";

export { EntryDecodeError } from "./entry_reader.ts";

// Go's slice header, for reproducing how jsoniter reuses a slice's backing array.
interface SliceState {
  nil: boolean;
  length: number;
  backing: PubKey[];
}

// Go's reflect2 growth rule for a slice being decoded into.
function grownCapacity(capacity: number, wanted: number): number {
  if (capacity === 0) return wanted;
  while (capacity < wanted) capacity += capacity < 1024 ? capacity : Math.floor(capacity / 4);
  return capacity;
}

function grow(slice: SliceState, length: number): void {
  slice.nil = false;
  if (length > slice.backing.length) {
    const backing = new Array<PubKey>(grownCapacity(slice.backing.length, length))
      .fill(PubKey.NULL);
    for (let i = 0; i < slice.length; i++) backing[i] = slice.backing[i];
    slice.backing = backing;
  }
  slice.length = length;
}

/** `cipher.PubKey.UnmarshalText`: all zeros keep `current`; anything else must be a valid key. */
function readPubKey(r: GoJsonReader, current: PubKey): PubKey {
  const start = r.pos;
  const text = r.readString();
  if (/^0*$/.test(text)) return current;
  try {
    return pubKeyFromHexCached(text);
  } catch {
    throw new EntryDecodeError("invalid public key", start);
  }
}

function readDelegatedServers(r: GoJsonReader, slice: SliceState): void {
  const c = r.nextToken();
  if (c === 0x6e) {
    r.unread();
    r.readNil();
    slice.nil = true;
    slice.length = 0;
    slice.backing = [];
    return;
  }
  if (c !== 0x5b) r.fail("expect [ or n");
  const next = r.nextToken();
  if (next === 0x5d) {
    slice.nil = false;
    slice.length = 0;
    slice.backing = [];
    return;
  }
  if (next >= 0) r.unread();
  let length = 0;
  let sep = 0x2c;
  for (; sep === 0x2c; sep = r.nextToken()) {
    grow(slice, length + 1);
    slice.backing[length] = readPubKey(r, slice.backing[length]);
    length++;
  }
  if (sep !== 0x5d) r.fail("expect ]");
}

function readClient(r: GoJsonReader, client: ClientInfo, slice: SliceState): void {
  if (!r.readObjectStart()) return;
  r.enterStruct();
  do {
    if (r.readFieldKey() === "delegated_servers") readDelegatedServers(r, slice);
    else r.skip();
  } while (!r.isObjectEnd());
  r.leaveStruct();
  client.delegatedServers = slice.nil ? null : slice.backing.slice(0, slice.length);
}

// Go's Server has camelCase names, so jsoniter reads it with its general struct decoder: raw
// field names (see `readRawFieldKey`) and its own loop shape.
function readServer(r: GoJsonReader, server: ServerInfo): void {
  if (!r.readObjectStart()) return;
  r.enterStruct();
  let sep = 0x2c;
  for (; sep === 0x2c; sep = r.nextToken()) {
    switch (r.readRawFieldKey()) {
      case "address":
        server.address = r.readString();
        break;
      case "address_v6":
        server.addressV6 = r.readString();
        break;
      case "address_udp":
        server.addressUdp = r.readString();
        break;
      case "address_udp_v6":
        server.addressUdpV6 = r.readString();
        break;
      case "address_ws":
        server.addressWs = r.readString();
        break;
      case "availablesessions":
        if (!r.readNil()) server.availableSessions = r.readInt64();
        break;
      case "servertype":
        server.serverType = r.readString();
        break;
      default:
        r.skip();
    }
  }
  if (sep !== 0x7d) r.fail("expect }");
  r.leaveStruct();
}

/** Decode one entry object (or `null`, which leaves `entry` as it is) at the reader's cursor. */
export function readEntryInto(r: GoJsonReader, entry: Entry): void {
  if (!r.readObjectStart()) return;
  r.enterStruct();
  // The client's slice state lives as long as the client pointer does.
  let slice: SliceState = { nil: true, length: 0, backing: [] };
  do {
    switch (r.readFieldKey()) {
      case "version":
        entry.version = r.readString();
        break;
      case "sequence":
        if (!r.readNil()) entry.sequence = r.readUint64();
        break;
      case "timestamp":
        if (!r.readNil()) entry.timestamp = r.readInt64();
        break;
      case "static":
        entry.static = readPubKey(r, entry.static);
        break;
      case "client":
        if (r.readNil()) entry.client = null;
        else {
          if (!entry.client) {
            entry.client = { delegatedServers: null };
            slice = { nil: true, length: 0, backing: [] };
          }
          readClient(r, entry.client, slice);
        }
        break;
      case "client_type":
        entry.clientType = r.readString();
        break;
      case "server":
        if (r.readNil()) entry.server = null;
        else readServer(r, entry.server ??= emptyServerInfo());
        break;
      case "signature":
        entry.signature = r.readString();
        break;
      case "protocol":
        entry.protocol = r.readString();
        break;
      default:
        r.skip();
    }
  } while (!r.isObjectEnd());
  r.leaveStruct();
}

/**
 * Decode an entry as Go's discovery decodes a request body (`json.NewDecoder(body).Decode`):
 * the first JSON value is read and anything after it is ignored. `null` and `{}` give the zero
 * entry (which then fails validation, as in Go). Throws {@linkcode EntryDecodeError}.
 */
export function decodeEntry(bytes: Uint8Array): Entry {
  const r = new GoJsonReader(bytes);
  if (r.atEnd()) r.fail("empty input");
  const entry = zeroEntry();
  readEntryInto(r, entry);
  return entry;
}

/** Decode `[]*disc.Entry` (a server list); `null` items and a `null` list give nothing. */
export function decodeEntryList(bytes: Uint8Array): Entry[] {
  const r = new GoJsonReader(bytes);
  const out: Entry[] = [];
  const c = r.nextToken();
  if (c === 0x6e) {
    r.unread();
    r.readNil();
    return out;
  }
  if (c !== 0x5b) r.fail("expect [ or n");
  const next = r.nextToken();
  if (next === 0x5d) return out;
  if (next >= 0) r.unread();
  let sep: number;
  do {
    if (!r.readNil()) {
      const entry = zeroEntry();
      readEntryInto(r, entry);
      out.push(entry);
    }
    sep = r.nextToken();
  } while (sep === 0x2c);
  if (sep !== 0x5d) r.fail("expect ]");
  return out;
}

/** Decode `map[string]*disc.Entry` (a batch answer); `null` values are left out. */
export function decodeEntryMap(bytes: Uint8Array): Map<string, Entry> {
  const r = new GoJsonReader(bytes);
  const out = new Map<string, Entry>();
  if (!r.readObjectStart()) return out;
  do {
    const key = r.readString();
    if (r.nextToken() !== 0x3a) r.fail("expect :");
    if (r.readNil()) continue;
    const entry = zeroEntry();
    readEntryInto(r, entry);
    out.set(key, entry);
  } while (!r.isObjectEnd());
  return out;
}

/**
 * Decode `[]string` as Go's `json.Unmarshal` does: `null` gives an empty list, a `null` item
 * reads as `""`, and bytes after the value are refused.
 */
export function decodeStringList(bytes: Uint8Array): string[] {
  const r = new GoJsonReader(bytes);
  const out: string[] = [];
  const c = r.nextToken();
  if (c === 0x6e) {
    r.unread();
    r.readNil();
  } else {
    if (c !== 0x5b) r.fail("expect [ or n");
    const next = r.nextToken();
    if (next !== 0x5d) {
      if (next >= 0) r.unread();
      let sep: number;
      do {
        out.push(r.readString());
        sep = r.nextToken();
      } while (sep === 0x2c);
      if (sep !== 0x5d) r.fail("expect ]");
    }
  }
  if (!r.atEnd()) r.fail("there are bytes left after unmarshal");
  return out;
}
