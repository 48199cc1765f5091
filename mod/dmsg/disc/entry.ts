import { PubKey } from "../../cipher/mod.ts";

/** The entry format version Go writes into new entries (`currentVersion` in `disc`). */
export const ENTRY_VERSION = "0.0.1";

/**
 * The client part of an entry (Go `disc.Client`).
 *
 * `delegatedServers` keeps Go's distinction between a nil slice (`null`, marshalled as `null`)
 * and an empty one (`[]`): the two sign differently.
 */
export interface ClientInfo {
  /** The dmsg servers this client has sessions with; `null` is Go's nil slice. */
  delegatedServers: PubKey[] | null;
}

/**
 * The server part of an entry (Go `disc.Server`). Empty strings are Go's zero values and are
 * left out of the JSON where Go's field has `omitempty`.
 */
export interface ServerInfo {
  /** Public `host:port` the server listens on (TCP). */
  address: string;
  /** IPv6 `host:port` (newer Go servers; `address_v6`, omitted when empty). */
  addressV6: string;
  /** UDP (QUIC) `host:port` (newer Go servers; `address_udp`, omitted when empty). */
  addressUdp: string;
  /** UDP IPv6 `host:port` (newer Go servers; `address_udp_v6`, omitted when empty). */
  addressUdpV6: string;
  /** WebSocket URL (newer Go servers; `address_ws`, omitted when empty). */
  addressWs: string;
  /** Sessions the server can still accept (Go `int`, 64-bit). */
  availableSessions: bigint;
  /** `official` or `community` once a discovery has classified it (omitted when empty). */
  serverType: string;
}

/**
 * A dmsg discovery entry, field for field the Go `disc.Entry` struct.
 *
 * Integers are `bigint` because Go's are 64-bit: a timestamp in nanoseconds does not fit a JS
 * number exactly, and the signature covers its exact digits.
 *
 * Strings are "Go strings": byte strings that are usually UTF-8. Bytes that are not valid UTF-8
 * (which Go keeps and signs verbatim) are carried as lone surrogates U+DC80–U+DCFF, one per
 * byte, so that decoding and re-marshalling reproduces the bytes exactly. For ordinary text
 * this is invisible.
 */
export interface Entry {
  /** Format version; must be non-empty. */
  version: string;
  /** Iteration counter (Go `uint64`). */
  sequence: bigint;
  /** Time of this iteration, Unix nanoseconds (Go `int64`). */
  timestamp: bigint;
  /** The entity's public key. */
  static: PubKey;
  /** Present when the entity is a dmsg client. */
  client: ClientInfo | null;
  /** Kind of client, e.g. `visor` (omitted when empty). */
  clientType: string;
  /** Present when the entity is a dmsg server. */
  server: ServerInfo | null;
  /** Hex signature over the entry's JSON without this field (omitted when empty). */
  signature: string;
  /** Stream multiplexer the entity speaks, e.g. `yamux` or `smux` (omitted when empty). */
  protocol: string;
}

/** Unix time in nanoseconds from a millisecond clock reading (default: now). */
export function nowNanos(ms: number = Date.now()): bigint {
  return BigInt(Math.trunc(ms)) * 1_000_000n;
}

/** A server part with every optional field empty. */
export function emptyServerInfo(): ServerInfo {
  return {
    address: "",
    addressV6: "",
    addressUdp: "",
    addressUdpV6: "",
    addressWs: "",
    availableSessions: 0n,
    serverType: "",
  };
}

/** Go's zero `Entry`: what decoding starts from. */
export function zeroEntry(): Entry {
  return {
    version: "",
    sequence: 0n,
    timestamp: 0n,
    static: PubKey.NULL,
    client: null,
    clientType: "",
    server: null,
    signature: "",
    protocol: "",
  };
}

/** Options for {@linkcode newClientEntry}. */
export interface NewClientEntryOptions {
  /** The client's public key. */
  pk: PubKey;
  /** Sequence; 0 for a first registration. */
  sequence?: bigint;
  /** Delegated servers; omit for Go's nil slice (`null`). */
  delegatedServers?: PubKey[] | null;
  /** `client_type`, e.g. `visor`. */
  clientType?: string;
  /** `protocol`, e.g. `yamux`. */
  protocol?: string;
  /** Unix nanoseconds; default now. */
  timestamp?: bigint;
}

/** An unsigned client entry, as Go's `disc.NewClientEntry` builds it. */
export function newClientEntry(options: NewClientEntryOptions): Entry {
  return {
    ...zeroEntry(),
    version: ENTRY_VERSION,
    sequence: options.sequence ?? 0n,
    timestamp: options.timestamp ?? nowNanos(),
    static: options.pk,
    client: { delegatedServers: options.delegatedServers ?? null },
    clientType: options.clientType ?? "",
    protocol: options.protocol ?? "",
  };
}

/** Options for {@linkcode newServerEntry}. */
export interface NewServerEntryOptions {
  /** The server's public key. */
  pk: PubKey;
  /** Public `host:port`. */
  address: string;
  /** Sessions the server can still accept. */
  availableSessions: bigint | number;
  /** Sequence; 0 for a first registration. */
  sequence?: bigint;
  /** `serverType`. */
  serverType?: string;
  /** `protocol`, e.g. `yamux`. */
  protocol?: string;
  /** Unix nanoseconds; default now. */
  timestamp?: bigint;
}

/** An unsigned server entry, as Go's `disc.NewServerEntry` builds it. */
export function newServerEntry(options: NewServerEntryOptions): Entry {
  return {
    ...zeroEntry(),
    version: ENTRY_VERSION,
    sequence: options.sequence ?? 0n,
    timestamp: options.timestamp ?? nowNanos(),
    static: options.pk,
    server: {
      ...emptyServerInfo(),
      address: options.address,
      availableSessions: BigInt(options.availableSessions),
      serverType: options.serverType ?? "",
    },
    protocol: options.protocol ?? "",
  };
}

/** A deep copy (keys are immutable and shared). */
export function cloneEntry(entry: Entry): Entry {
  return {
    ...entry,
    client: entry.client
      ? { delegatedServers: entry.client.delegatedServers?.slice() ?? null }
      : null,
    server: entry.server ? { ...entry.server } : null,
  };
}
