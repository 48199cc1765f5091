/**
 * Gob descriptions of the routing types the route setup RPC sends (`RPCGateway`,
 * `SetupRPCGateway`): routes, hops, edge rules, route ids and transport ids. Each constant is
 * both the description (pass it to RPC calls) and, as a type, the TypeScript value it maps to.
 * The public face exports them as `routingGob`.
 *
 * @module
 */
import {
  cipherGob,
  isTransportIdText,
  type PubKey,
  TRANSPORT_ID_SIZE,
  transportIdFromBytes,
  transportIdToBytes,
} from "../cipher/mod.ts";
import {
  type ByteArrayType,
  type BytesType,
  type ExternalType,
  go,
  GobError,
  type IntType,
  type SliceType,
  type StructType,
  type UintType,
} from "../gob/mod.ts";

const ZERO_UUID = "00000000-0000-0000-0000-000000000000";

function uuidToBytes(text: string): Uint8Array {
  if (!isTransportIdText(text)) throw new GobError(`invalid UUID ${JSON.stringify(text)}`);
  return transportIdToBytes(text);
}

function uuidFromBytes(bytes: Uint8Array): string {
  // google/uuid's UnmarshalBinary wants exactly 16 bytes.
  if (bytes.length !== TRANSPORT_ID_SIZE) {
    throw new GobError(`invalid UUID (got ${bytes.length} bytes)`);
  }
  return transportIdFromBytes(bytes);
}

/**
 * `uuid.UUID` (google/uuid): a `[16]byte` with a value-receiver `MarshalBinary`, sent as 16
 * opaque bytes. Values are the canonical lowercase dashed text, as `makeTransportId` returns.
 */
export const UUID: ExternalType<string> = go.external<string>("uuid.UUID", {
  marshaler: "binary",
  encode: uuidToBytes,
  decode: uuidFromBytes,
  isZero: (text) => text === ZERO_UUID,
  zero: () => ZERO_UUID,
});

/** `routing.RouteDescriptor`: a plain `[70]byte` (srcPK‖dstPK‖srcPort‖dstPort). */
export const RouteDescriptor: ByteArrayType = go.byteArray(70, "routing.RouteDescriptor");

/** `routing.RouteID` (uint32). */
export const RouteID: UintType<number> = go.named("routing.RouteID", go.uint32);

/** `[]routing.RouteID`: the reply of `RPCGateway.ReserveIDs`. */
export const RouteIDs: SliceType<number> = go.slice(RouteID);

/** `routing.Rule`: a `[]byte` whose layouts belong to `mod/routing`. */
export const Rule: BytesType = go.named("routing.Rule", go.bytes);

/** `[]routing.Rule`: the argument of `RPCGateway.AddIntermediaryRules`. */
export const Rules: SliceType<Uint8Array> = go.slice(Rule);

/** `time.Duration` (int64 nanoseconds). */
export const Duration: IntType<bigint> = go.named("time.Duration", go.int64);

/** One hop of a route: a transport between two visors. */
export interface Hop {
  /** The transport id (UUID text). */
  TpID: string;
  /** The visor the hop starts at. */
  From: PubKey;
  /** The visor it ends at. */
  To: PubKey;
}
/** `routing.Hop{TpID uuid.UUID, From, To cipher.PubKey}`. */
export const Hop: StructType<Hop> = go.struct("routing.Hop", {
  TpID: UUID,
  From: cipherGob.PubKey,
  To: cipherGob.PubKey,
});

/** `[]routing.Hop` (one object, as Go has one type for it). */
export const Hops: SliceType<Hop> = go.slice(Hop);

/** A route with its forward and reverse paths. */
export interface BidirectionalRoute {
  /** The 70-byte route descriptor. */
  Desc: Uint8Array;
  /** Rule keep-alive in nanoseconds (`time.Duration`). */
  KeepAlive: bigint;
  /** Hops from source to destination. */
  Forward: Hop[];
  /** Hops back. */
  Reverse: Hop[];
}
/** `routing.BidirectionalRoute`: the argument of `SetupRPCGateway.DialRouteGroup`. */
export const BidirectionalRoute: StructType<BidirectionalRoute> = go.struct(
  "routing.BidirectionalRoute",
  {
    Desc: RouteDescriptor,
    KeepAlive: Duration,
    Forward: Hops,
    Reverse: Hops,
  },
);

/** The two rules of a route's edge visor. */
export interface EdgeRules {
  /** The route descriptor as this edge sees it. */
  Desc: Uint8Array;
  /** The forward rule (binary, see `mod/routing`). */
  Forward: Uint8Array;
  /** The reverse (consume) rule. */
  Reverse: Uint8Array;
}
/** `routing.EdgeRules{Desc, Forward, Reverse Rule}`. */
export const EdgeRules: StructType<EdgeRules> = go.struct("routing.EdgeRules", {
  Desc: RouteDescriptor,
  Forward: Rule,
  Reverse: Rule,
});
