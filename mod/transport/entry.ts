/**
 * Transport entries as Go's `transport.Entry` / `SignedEntry`: what the settlement handshake
 * signs and the transport discovery stores. The JSON is Go's (`t_id`, `edges`, `type`, `label`;
 * `entry`, `signatures`, `registered` omitted when 0); the signatures are over the binary form
 * `id(16) ‖ edge0(33) ‖ edge1(33) ‖ type`, one per edge, in edge order.
 *
 * @module
 */
import {
  hexToBytes,
  type KeyPair,
  makeTransportId,
  PubKey,
  Sig,
  signPayload,
  sortEdges,
  transportIdFromBytes,
  transportIdToBytes,
  verifyPubKeySignedPayload,
} from "../cipher/mod.ts";
import {
  asObject,
  field,
  goJsonString,
  type JsonObject,
  parseJson,
  readArray,
  readSafeInt,
  readString,
} from "./_json.ts";
import { TransportLabel } from "./constants.ts";
import { MalformedFrameError, TransportEntryError } from "./errors.ts";

const encoder = new TextEncoder();
const NIL_ID = "00000000-0000-0000-0000-000000000000";

/** A transport between two visors (Go `transport.Entry`). */
export interface TransportEntry {
  /** The deterministic transport id (canonical lowercase dashed UUID). */
  id: string;
  /** Both edges, lower key first (Go `SortEdges`). */
  edges: [PubKey, PubKey];
  /** Transport type: `dmsg`, `stcp`, `stcpr`, … */
  type: string;
  /** Who made it: `user`, `automatic`, `skycoin` (not covered by the signatures). */
  label: string;
}

/** An entry with a signature slot per edge (Go `transport.SignedEntry`). */
export interface SignedTransportEntry {
  /** The entry signed. */
  entry: TransportEntry;
  /** Signature of edge 0 and of edge 1; an unsigned slot is all zeros. */
  signatures: [Sig, Sig];
  /** Set by the transport discovery (Go `int64`, omitted from JSON when 0). */
  registered?: number;
}

/** The entry of a transport of `type` between `a` and `b` (Go `MakeEntry`). */
export function makeEntry(
  a: PubKey,
  b: PubKey,
  type: string,
  label: string = TransportLabel.user,
): TransportEntry {
  return { id: makeTransportId(a, b, type), edges: sortEdges(a, b), type, label };
}

/** The bytes the edges sign: `id(16) ‖ edge0(33) ‖ edge1(33) ‖ type` (Go `Entry.ToBinary`). */
export function entryToBinary(entry: TransportEntry): Uint8Array {
  const type = encoder.encode(entry.type);
  const out = new Uint8Array(16 + 33 + 33 + type.length);
  out.set(transportIdToBytes(entry.id), 0);
  out.set(entry.edges[0].view, 16);
  out.set(entry.edges[1].view, 49);
  out.set(type, 82);
  return out;
}

/** Index of `pk` among the edges, or -1 (Go `Entry.EdgeIndex`). */
export function edgeIndex(entry: TransportEntry, pk: PubKey): number {
  return entry.edges[0].equals(pk) ? 0 : entry.edges[1].equals(pk) ? 1 : -1;
}

/** The edge that is not `local` (Go `Entry.RemoteEdge`). */
export function remoteEdge(entry: TransportEntry, local: PubKey): PubKey {
  return entry.edges[0].equals(local) ? entry.edges[1] : entry.edges[0];
}

/**
 * Why `received` is not the entry we expected, in Go's words (`compareEntries`: id, edges and
 * type must match; the label may differ), or `undefined` when it is.
 */
export function entryMismatch(
  expected: TransportEntry,
  received: TransportEntry,
): string | undefined {
  if (expected.id !== received.id) return "received entry's 'tp_id' is not of expected";
  if (
    !expected.edges[0].equals(received.edges[0]) || !expected.edges[1].equals(received.edges[1])
  ) {
    return "received entry's 'edges' is not of expected";
  }
  if (expected.type !== received.type) return "received entry's 'type' is not of expected";
  return undefined;
}

/** A signed entry with only `keyPair`'s slot signed (Go `NewSignedEntry`). */
export function newSignedEntry(entry: TransportEntry, keyPair: KeyPair): SignedTransportEntry {
  return signEntry({ entry, signatures: [Sig.zero(), Sig.zero()] }, keyPair);
}

/**
 * A copy of `signed` with `keyPair`'s slot signed (Go `SignedEntry.Sign`). Throws
 * {@linkcode TransportEntryError} when the key is not an edge.
 */
export function signEntry(signed: SignedTransportEntry, keyPair: KeyPair): SignedTransportEntry {
  const index = edgeIndex(signed.entry, keyPair.pk);
  if (index < 0) throw new TransportEntryError("edge index not found");
  const signatures: [Sig, Sig] = [...signed.signatures];
  signatures[index] = signPayload(entryToBinary(signed.entry), keyPair.sk);
  return { ...signed, signatures };
}

/**
 * Check the signature of edge `pk` (Go `Signature` + `VerifyPubKeySignedPayload`). Throws
 * {@linkcode TransportEntryError} when `pk` is not an edge or the signature does not verify.
 */
export function verifyEntrySignature(signed: SignedTransportEntry, pk: PubKey): void {
  const index = edgeIndex(signed.entry, pk);
  if (index < 0) throw new TransportEntryError("invalid remote signature: edge index not found");
  try {
    verifyPubKeySignedPayload(pk, signed.signatures[index], entryToBinary(signed.entry));
  } catch (cause) {
    throw new TransportEntryError(`signature of edge ${index} does not verify`, { cause });
  }
}

/** An entry as Go's `json.Marshal` writes it (no trailing newline). */
export function encodeEntry(entry: TransportEntry): string {
  return `{"t_id":"${entry.id}","edges":["${entry.edges[0].hex()}","${entry.edges[1].hex()}"],` +
    `"type":${goJsonString(entry.type)},"label":${goJsonString(entry.label)}}`;
}

/** A signed entry as Go's `json.Marshal` writes it (no trailing newline). */
export function encodeSignedEntry(signed: SignedTransportEntry): string {
  const registered = signed.registered ? `,"registered":${signed.registered}` : "";
  return `{"entry":${encodeEntry(signed.entry)},"signatures":["${signed.signatures[0].hex()}",` +
    `"${signed.signatures[1].hex()}"]${registered}}`;
}

function fail(message: string, cause?: unknown): never {
  throw new TransportEntryError(message, cause === undefined ? undefined : { cause });
}

const HEX_32 = /^[0-9a-fA-F]{32}$/;

/**
 * A transport id in any text form Go's `uuid.Parse` takes (dashed, 32 hex digits, `{…}`,
 * `urn:uuid:…`), as canonical lowercase dashed text. Throws {@linkcode TransportEntryError}.
 */
export function parseTransportId(text: string): string {
  let dashed = text;
  if (text.length === 45) {
    if (text.slice(0, 9).toLowerCase() !== "urn:uuid:") fail("t_id: invalid urn prefix");
    dashed = text.slice(9);
  } else if (text.length === 38) {
    dashed = text.slice(1, 37); // Go does not look at the two enclosing characters
  } else if (text.length === 32) {
    if (!HEX_32.test(text)) fail("t_id: invalid UUID");
    return transportIdFromBytes(hexToBytes(text));
  }
  try {
    transportIdToBytes(dashed);
  } catch (cause) {
    fail("t_id: invalid UUID", cause);
  }
  return dashed.toLowerCase();
}

function readId(value: unknown): string {
  if (value === undefined || value === null) return NIL_ID;
  return parseTransportId(readString(value, "t_id"));
}

// Go's [2]T: a shorter array leaves the rest zero, elements past 2 are skipped unread.
function readPair<T>(
  value: unknown,
  what: string,
  zero: T,
  item: (v: unknown, i: number) => T,
): [T, T] {
  const items = readArray(value, what) ?? [];
  return [
    items.length > 0 ? item(items[0], 0) : zero,
    items.length > 1 ? item(items[1], 1) : zero,
  ];
}

function entryFromObject(object: JsonObject | undefined): TransportEntry {
  return {
    id: readId(field(object, "t_id")),
    edges: readPair(field(object, "edges"), "edges", PubKey.NULL, (value, i) => {
      try {
        return PubKey.fromHex(readString(value, `edges[${i}]`));
      } catch (cause) {
        fail(`edges[${i}]: invalid public key`, cause);
      }
    }),
    type: readString(field(object, "type"), "type"),
    label: readString(field(object, "label"), "label"),
  };
}

function signedFromObject(object: JsonObject | undefined): SignedTransportEntry {
  const entryObject = asObject(field(object, "entry"), "entry");
  if (entryObject === undefined) fail("entry part of signed entry is empty");
  const signed: SignedTransportEntry = {
    entry: entryFromObject(entryObject),
    signatures: readPair(field(object, "signatures"), "signatures", Sig.zero(), (value, i) => {
      if (value === undefined || value === null) return Sig.zero();
      try {
        return Sig.fromHex(readString(value, `signatures[${i}]`));
      } catch (cause) {
        fail(`signatures[${i}]: invalid signature`, cause);
      }
    }),
  };
  const registered = readSafeInt(field(object, "registered"), "registered");
  if (registered !== 0) signed.registered = registered;
  return signed;
}

// Decode with Go's rules, turning every format problem into a TransportEntryError.
function decodeWith<T>(bytes: Uint8Array, what: string, build: (value: unknown) => T): T {
  try {
    return build(parseJson(bytes, what));
  } catch (cause) {
    if (cause instanceof TransportEntryError) throw cause;
    if (cause instanceof MalformedFrameError) fail(cause.message, cause);
    throw cause;
  }
}

/** Decode an entry (Go JSON). Throws {@linkcode TransportEntryError}. */
export function decodeEntry(bytes: Uint8Array): TransportEntry {
  return decodeWith(bytes, "entry", (value) => entryFromObject(asObject(value, "entry")));
}

/** Decode a signed entry (Go JSON). Throws {@linkcode TransportEntryError}. */
export function decodeSignedEntry(bytes: Uint8Array): SignedTransportEntry {
  return decodeWith(
    bytes,
    "signed entry",
    (value) => signedFromObject(asObject(value, "signed entry")),
  );
}

/** Decode a JSON array of signed entries (the transport discovery's POST body). */
export function decodeSignedEntryList(bytes: Uint8Array): SignedTransportEntry[] {
  return decodeWith(bytes, "signed entries", (value) => {
    const items = readArray(value, "signed entries") ?? [];
    return items.map((item, i) => signedFromObject(asObject(item, `signed entries[${i}]`)));
  });
}
